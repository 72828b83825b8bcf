"""Packs: every document of a case (and the diagrams) for one audience, with a cover and contents.

Parts render independently — in parallel processes, and only when their content changed (a
cache keyed by the part's HTML) — and are merged into one tagged PDF. Its pages are then
numbered as one (render.pagination): every footer's "Page n of N" is the page the contents and
a viewer give.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf

from ehdocs.case.model import Case, Document
from ehdocs.case.seal import SealKeys
from ehdocs.fields import format_date
from ehdocs.render.audience import CaseView, Files, for_audience
from ehdocs.render.cache import PartCache
from ehdocs.render.context import view_context
from ehdocs.render.html import render_html
from ehdocs.render.items import DocumentContext
from ehdocs.render.merge import Part, merge_parts
from ehdocs.render.pagination import number_pages
from ehdocs.render.parts import PackPart, pack_base_context, render_parts
from ehdocs.render.pdf import embedded_payload, finish
from ehdocs.render.sections import PROVIDERS
from ehdocs.render.template_files import Templates


def document_parts(view: CaseView, today: dt.date) -> list[PackPart]:
    logo = view.formset.profile.logo is not None
    templates = Templates.of(view.formset.profile)
    parts = []
    for doc in view.documents:
        ctx = view_context(view, doc.id, today)
        html = render_html(ctx, templates=templates, logo=logo)
        parts.append(PackPart(part_title(ctx, doc), html, ctx))
    return parts


def pack_parts(view: CaseView, today: dt.date) -> list[PackPart]:
    """Every part after the cover, in pack order: the documents, then the pack sections."""
    base = pack_base_context(view, view.audience, today)
    parts = document_parts(view, today)
    for provider in PROVIDERS.values():
        parts.extend(provider(view, base))
    return parts


def part_title(ctx: DocumentContext, doc: Document) -> str:
    """A document's line in the contents and its bookmark: its title and date."""
    return ctx.title + (f" ({format_date(doc.process_date)})" if doc.process_date else "")


def render_pack_pdf(
    case: Case,
    audience: str,
    cache: PartCache | None = None,
    today: dt.date | None = None,
    workers: int | None = None,
    seal: SealKeys | None = None,
    files: Files | None = None,
) -> bytes:
    today = today or dt.date.today()
    cache = cache or PartCache(None)
    view = for_audience(case, audience, files)
    base = pack_base_context(view, audience, today)
    parts = pack_parts(view, today)
    logo, templates = case.formset.profile.logo, Templates.of(case.formset.profile)
    pdfs = render_parts([p.html for p in parts], logo, cache, workers, templates)
    counts = [page_count(pdf) for pdf in pdfs]
    cover_pdf = _cover(view, base, parts, counts, logo, cache, templates)
    merged = merge_parts(
        [Part("Cover and contents", cover_pdf)]
        + [Part(p.title, pdf) for p, pdf in zip(parts, pdfs, strict=True)]
    )
    payload = embedded_payload(view, None, audience, seal=seal)
    return finish(number_pages(merged, templates), base.pdf_title, payload, "pack")


def _cover(
    view: Case,
    base: DocumentContext,
    parts: list[PackPart],
    counts: list[int],
    logo: Path | None,
    cache: PartCache,
    templates: Templates,
) -> bytes:
    """The cover lists pack page numbers, which depend on its own length: settle in two goes.
    Cached like any part: it only changes when a title or a page number does."""
    cover_pages = 1
    for _ in range(3):
        entries, page = [], cover_pages + 1
        for part, count in zip(parts, counts, strict=True):
            entries.append((part.title, page))
            page += count
        html = cover_html(view, base, entries, logo is not None, templates)
        (pdf,) = render_parts([html], logo, cache, workers=1, templates=templates)
        if page_count(pdf) == cover_pages:
            return pdf
        cover_pages = page_count(pdf)
    return pdf


def cover_html(
    view: Case,
    base: DocumentContext,
    entries: list[tuple[str, int]],
    logo: bool,
    templates: Templates,
) -> str:
    """The cover and contents: each part's title and the pack page it starts on."""
    return render_html(
        base,
        "cover.html",
        templates,
        entries=entries,
        lead=None if base.audience == "family" else lead_practitioner(view),
        copy_name=base.copy_name,
        logo=logo,
    )


def lead_practitioner(view: Case) -> str | None:
    for pro in view.records("professionals"):
        if pro.get("lead_practitioner") == "yes":
            return f"{pro['name']}, {pro['role']}, {pro['agency']}"
    return None


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)

"""Pack sections after the documents: genogram, ecomap, chronology and outcome scales.

Each provider takes the audience's view of the case and returns its parts (none when there is
nothing to show), each as HTML for the PDF pack and as a document context for the DOCX pack.
A pack takes them from PROVIDERS, so a pack and `ehdocs diagram` draw them alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ehdocs.case.model import Case
from ehdocs.case.seal import SealKeys
from ehdocs.diagrams.chronology import Entry, chronology, chunks
from ehdocs.render.audience import CaseView, for_audience
from ehdocs.render.cache import PartCache
from ehdocs.render.figures import figures
from ehdocs.render.html import render_html
from ehdocs.render.items import DocumentContext, SectionView, Table
from ehdocs.render.merge import Part, merge_parts
from ehdocs.render.pagination import number_pages
from ehdocs.render.parts import PackPart, PackSectionProvider, pack_base_context, render_parts
from ehdocs.render.pdf import embedded_payload, finish

CHRONOLOGY_INTRO = {
    True: "The important things that have happened in your family's life and in our work "
    "together, oldest first.",
    False: "Significant events, positive and negative, with the dates recorded in the early "
    "help documents. Dates known only to the month or year are placed at their earliest day.",
}


def chronology_parts(view: CaseView, base: DocumentContext) -> list[PackPart]:
    family = view.audience == "family"
    entries = chronology(view, family=family)
    if not entries:
        return []
    logo = view.formset.profile.logo is not None
    chunked = chunks(entries)
    out = []
    for i, years in enumerate(chunked):
        title = "Chronology" if len(chunked) == 1 else _years_title(years, i == 0)
        intro = CHRONOLOGY_INTRO[family] if i == 0 else None
        # The PDF lays a long chronology out as light paragraphs (fast in WeasyPrint); the
        # DOCX shows the same entries as one table a year.
        sections = tuple(_year_section(year, rows, family) for year, rows in years)
        ctx = replace(base, title=title, form="chronology", sections=sections)
        html = render_html(ctx, "chronology.html", years=years, intro=intro, logo=logo)
        out.append(PackPart(title, html, ctx))
    return out


def _years_title(years: list[tuple[str, list[Entry]]], first: bool) -> str:
    start, end = years[0][0], years[-1][0]
    span = start if start == end else f"{start}–{end}"
    return f"Chronology {span}" + ("" if first else " (continued)")


def _year_section(year: str, rows: list[Entry], family: bool) -> SectionView:
    columns = (
        "When",
        "Who told us" if family else "Source",
        "What happened",
        "Impact on the child",
        "Action taken",
    )
    body = tuple((e.when, e.source, e.event, e.impact, e.action) for e in rows)
    return SectionView(f"y{year}", year, (Table(f"Events in {year}", columns, body),))


def diagram_parts(kind: str) -> PackSectionProvider:
    """A pack section of one diagram and its text alternative (genogram, ecomap, scales)."""

    def parts(view: CaseView, base: DocumentContext) -> list[PackPart]:
        drawn = figures(view, kind, dt.date.today())
        if not drawn:
            return []
        title = drawn[0].label
        ctx = replace(
            base, title=title, form=kind, sections=(SectionView(kind, title, tuple(drawn)),)
        )
        logo = view.formset.profile.logo is not None
        return [PackPart(title, render_html(ctx, "part.html", logo=logo), ctx)]

    return parts


# After the documents: the family network, the support network, the chronology, the scores.
PROVIDERS: dict[str, PackSectionProvider] = {
    "genogram": diagram_parts("genogram"),
    "ecomap": diagram_parts("ecomap"),
    "chronology": chronology_parts,
    "scales": diagram_parts("scales"),
}


def render_section_pdf(
    case: Case,
    kind: str,
    audience: str,
    today: dt.date | None = None,
    cache: PartCache | None = None,
    seal: SealKeys | None = None,
) -> bytes | None:
    """One pack section on its own (e.g. the chronology), as a tagged PDF; None if empty."""
    today = today or dt.date.today()
    view = for_audience(case, audience)
    base = pack_base_context(view, audience, today)
    parts = PROVIDERS[kind](view, base)
    if not parts:
        return None
    logo = case.formset.profile.logo
    pdfs = render_parts([p.html for p in parts], logo, cache or PartCache(None))
    merged = merge_parts([Part(p.title, pdf) for p, pdf in zip(parts, pdfs, strict=True)])
    title = replace(base, title=parts[0].title).pdf_title
    payload = embedded_payload(view, None, audience, seal=seal)
    return finish(number_pages(merged), title, payload, "pack")

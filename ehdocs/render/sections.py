"""Pack sections after the documents: genogram, ecomap, chronology, outcome scales and the
pictures from direct work with the children.

Each provider takes the audience's view of the case and returns its parts (none when there is
nothing to show), each as HTML for the PDF pack and as a document context for the DOCX pack.
A pack takes them from PROVIDERS, so a pack and `ehdocs diagram` draw them alike.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

from PIL import Image

from ehdocs.case.model import Case
from ehdocs.case.seal import SealKeys
from ehdocs.diagrams.chronology import Entry, chronology, chunks
from ehdocs.fields import format_date
from ehdocs.render.audience import CaseView, for_audience
from ehdocs.render.cache import PartCache
from ehdocs.render.figures import TITLES, figures
from ehdocs.render.html import render_html
from ehdocs.render.items import DocumentContext, Photo, SectionView, Table
from ehdocs.render.merge import Part, merge_parts
from ehdocs.render.pagination import number_pages
from ehdocs.render.parts import PackPart, PackSectionProvider, pack_base_context, render_parts
from ehdocs.render.pdf import embedded_payload, finish
from ehdocs.render.template_files import Templates
from ehdocs.schema.roles import ATTACHMENT, ATTACHMENT_DATE, ATTACHMENT_TITLE, BLOB, MEDIA_TYPE

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
    templates = Templates.of(view.formset.profile)
    chunked = chunks(entries)
    out = []
    for i, years in enumerate(chunked):
        title = "Chronology" if len(chunked) == 1 else _years_title(years, i == 0)
        intro = CHRONOLOGY_INTRO[family] if i == 0 else None
        # The PDF lays a long chronology out as light paragraphs (fast in WeasyPrint); the
        # DOCX shows the same entries as one table a year.
        sections = tuple(_year_section(year, rows, family) for year, rows in years)
        ctx = replace(base, title=title, form="chronology", sections=sections)
        html = render_html(ctx, "chronology.html", templates, years=years, intro=intro, logo=logo)
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
        title = TITLES[kind][1 if view.audience == "family" else 0]  # not a part's caption
        ctx = replace(
            base, title=title, form=kind, sections=(SectionView(kind, title, tuple(drawn)),)
        )
        return [PackPart(title, _part_html(view, ctx), ctx)]

    return parts


ATTACHMENTS_TITLE = {True: "Pictures and letters", False: "Direct work with the children"}
PHOTO_MAX_PX = 1600  # the longest side of a picture in a pack: sharp on A4, not a 12 MP photo


def attachment_parts(view: CaseView, base: DocumentContext) -> list[PackPart]:
    """The attachment records the copy may see (a family copy: those marked for the family):
    each picture shown with its title as caption and text alternative, and every file listed.
    A PDF kept with the case is listed, not inlined: it is a document of its own."""
    record = view.formset.records.get(ATTACHMENT)
    rows = view.records(record.key) if record is not None else []
    if record is None or not rows:
        return []
    family = view.audience == "family"
    photos: list[Photo] = []
    listed: list[tuple[str, str, str]] = []
    for row in sorted(rows, key=lambda r: str(r.get(ATTACHMENT_DATE) or "")):
        title = str(row.get(ATTACHMENT_TITLE) or "Attachment")
        when = row.get(ATTACHMENT_DATE)
        date = format_date(when) if when else ""
        media = str(row.get(MEDIA_TYPE) or "")
        data = view.files(str(row[BLOB])) if view.files and row.get(BLOB) else None
        shown = data is not None and media in ("image/jpeg", "image/png")
        if shown and data is not None:
            caption = f"{title} ({date})" if date else title
            photos.append(Photo(caption, *_for_print(data), alt=title))
        where = "Shown below" if shown else _not_shown(media, data is not None, family)
        listed.append((date, title, where))
    columns = ("Date", "What it is", "In this copy")
    items: tuple[Table | Photo, ...] = (
        Table("Kept with the case", columns, tuple(listed)),
        *photos,
    )
    title = ATTACHMENTS_TITLE[family]
    ctx = replace(
        base, title=title, form="attachments", sections=(SectionView("attachments", title, items),)
    )
    return [PackPart(title, _part_html(view, ctx), ctx)]


def _part_html(view: CaseView, ctx: DocumentContext) -> str:
    profile = view.formset.profile
    return render_html(ctx, "part.html", Templates.of(profile), logo=profile.logo is not None)


def _not_shown(media: str, found: bool, family: bool) -> str:
    if media == "application/pdf":
        return (
            "A PDF kept with the case: ask your worker for it"
            if family
            else "A PDF: download it from the case's attachment record"
        )
    if not found:
        return "Not in this copy: the file is kept by the service"
    return "Not shown"


def _for_print(data: bytes) -> tuple[bytes, str]:
    """A stored picture scaled to at most PHOTO_MAX_PX on its longest side, as JPEG (or PNG
    when it has transparency). It was decoded and cleaned when stored (EXIF gone, upright)."""
    with Image.open(io.BytesIO(data)) as image:
        image.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "P"):
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"


# After the documents: the family network, the support network, the chronology, the scores,
# then the direct work with the children.
PROVIDERS: dict[str, PackSectionProvider] = {
    "genogram": diagram_parts("genogram"),
    "ecomap": diagram_parts("ecomap"),
    "chronology": chronology_parts,
    "scales": diagram_parts("scales"),
    "attachments": attachment_parts,
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
    logo, templates = case.formset.profile.logo, Templates.of(case.formset.profile)
    htmls = [p.html for p in parts]
    pdfs = render_parts(htmls, logo, cache or PartCache(None), templates=templates)
    merged = merge_parts([Part(p.title, pdf) for p, pdf in zip(parts, pdfs, strict=True)])
    title = replace(base, title=parts[0].title).pdf_title
    payload = embedded_payload(view, None, audience, seal=seal)
    return finish(number_pages(merged, templates), title, payload, "pack")

"""Pack sections after the documents: chronology, genogram, ecomap and outcome scales.

Each provider takes the audience's view of the case and returns its parts (none when there is
nothing to show). They are registered in pack.PACK_SECTIONS, so a pack and `ehdocs diagram`
draw them the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ehdocs.case.model import Case
from ehdocs.diagrams.chronology import Entry, chronology, chunks
from ehdocs.render.audience import for_audience
from ehdocs.render.cache import PartCache
from ehdocs.render.context import DocumentContext
from ehdocs.render.html import render_html
from ehdocs.render.merge import Part, merge_parts
from ehdocs.render.pack import (
    PACK_SECTIONS,
    PackPart,
    attach,
    pack_base_context,
    render_parts,
)
from ehdocs.render.pdf import embedded_payload

CHRONOLOGY_INTRO = {
    True: "The important things that have happened in your family's life and in our work "
    "together, oldest first.",
    False: "Significant events, positive and negative, with the dates recorded in the early "
    "help documents. Dates known only to the month or year are placed at their earliest day.",
}


def chronology_parts(view: Case, audience: str, base: DocumentContext) -> list[PackPart]:
    family = audience == "family"
    entries = chronology(view, family=family)
    if not entries:
        return []
    logo = view.formset.profile.logo is not None
    parts = chunks(entries)
    out = []
    for i, years in enumerate(parts):
        title = "Chronology" if len(parts) == 1 else _years_title(years, i == 0)
        ctx = replace(base, title=title, form="chronology")
        intro = CHRONOLOGY_INTRO[family] if i == 0 else None
        out.append(
            PackPart(
                title, render_html(ctx, "chronology.html", years=years, intro=intro, logo=logo)
            )
        )
    return out


def _years_title(years: list[tuple[str, list[Entry]]], first: bool) -> str:
    start, end = years[0][0], years[-1][0]
    span = start if start == end else f"{start}–{end}"
    return f"Chronology {span}" + ("" if first else " (continued)")


PACK_SECTIONS.append(chronology_parts)

PROVIDERS = {"chronology": chronology_parts}


def render_section_pdf(
    case: Case,
    kind: str,
    audience: str,
    today: dt.date | None = None,
    cache: PartCache | None = None,
) -> bytes | None:
    """One pack section on its own (e.g. the chronology), as a tagged PDF; None if empty."""
    today = today or dt.date.today()
    view = for_audience(case, audience)
    base = pack_base_context(view, audience, today)
    parts = PROVIDERS[kind](view, audience, base)
    if not parts:
        return None
    logo = case.formset.profile.logo
    pdfs = render_parts([p.html for p in parts], logo, cache or PartCache(None))
    merged = merge_parts(
        [Part(p.title, pdf) for p, pdf in zip(parts, pdfs, strict=True)],
        title=replace(base, title=parts[0].title).pdf_title,
    )
    return attach(merged, embedded_payload(view, None, audience))

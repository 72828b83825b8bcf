"""Diagrams as document items: each drawn from the (audience-filtered) case, with the table
that says the same in words, for people who cannot see the picture."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from ehdocs.diagrams import genogram_svg, genogram_table
from ehdocs.diagrams.ecomap import draw_ecomap, ecomap_of, ecomap_parts, rows_of
from ehdocs.diagrams.scales import scales_svg, scales_table
from ehdocs.render.audience import CaseView
from ehdocs.render.items import Figure, Table, clean

# The smallest text a diagram may print at. 8 pt is the usual floor for labels in print (the
# pack's own smallest text, tables and footers, is 9 pt); at its natural size (1 px = 0.75 pt)
# the ecomap's smallest text, 11.5 px, prints at 8.6 pt, so it may shrink to 93% at most.
MIN_TEXT_PT = 8.0
# Where a figure is printed: the DOCX picture is FIGURE_WIDTH_MM wide (docx.py), the PDF's at its
# own size up to the text width and FIGURE_HEIGHT_MM (templates/html/document.css).
FIGURE_WIDTH_MM = 165.0
PDF_TEXT_WIDTH_MM = 174.0
# 185 mm: a pack's diagram part prints its figure and caption under the part's head (about 50 mm
# of the page's 253); at 200 mm the genogram went to the next page and left the head alone.
FIGURE_HEIGHT_MM = 185.0
PX_PER_MM = 96 / 25.4
PT_PER_PX = 0.75

TITLES = {
    "genogram": ("Genogram", "Your family tree"),
    "ecomap": ("Ecomap: the family's support network", "The people and services around you"),
    "scales": ("Outcome scores: distance travelled", "How things have changed"),
}


def figures(view: CaseView, kind: str, today: dt.date | None = None) -> list[Figure]:
    """The figures of one kind for this view of the case; none when there is nothing to draw."""
    family = view.audience == "family"
    label = TITLES[kind][1 if family else 0]
    if kind == "genogram":
        if not view.people:
            return []
        rows = genogram_table(view, family=family, today=today)
        return [
            Figure(
                label,
                genogram_svg(view, family=family, today=today),
                _alt(label, len(rows), "person", "people"),
                _dict_table("The people in the genogram and how they are related", rows),
            )
        ]
    if kind == "ecomap":
        return _ecomap_figures(view, label, family, today)
    if kind == "scales":
        svg = scales_svg(view, family=family)
        columns, body = scales_table(view, family=family)
        if svg is None:
            return []
        table = Table(
            "The scores in the chart",
            tuple(clean(c) for c in columns),
            tuple(tuple(clean(str(v)) for v in row) for row in body),
        )
        return [Figure(label, svg, f"{label}: a chart of the scores in the table below.", table)]
    raise ValueError(f"unknown diagram {kind!r}")


def _ecomap_figures(
    view: CaseView, label: str, family: bool, today: dt.date | None
) -> list[Figure]:
    """The ecomap as one figure, or in parts when one would print its text too small."""
    eco = ecomap_of(view, None, family)
    if not eco.links:
        return []
    parts = ecomap_parts(view, eco, lambda e: readable(draw_ecomap(e, today, family)))
    out = []
    for number, part in enumerate(parts, start=1):
        caption, table = label, "The links on the ecomap"
        if len(parts) > 1:
            which = f"part {number} of {len(parts)}: {part.about}"
            which += " (continued)" if part.continued else ""
            caption, table = f"{label}, {which}", f"{table}, {which}"
        rows = rows_of(view, part.eco)
        out.append(
            Figure(
                caption,
                draw_ecomap(part.eco, today, family),
                _alt(caption, len(rows), "link", "links"),
                _dict_table(table, rows),
            )
        )
    return out


def printed_scale(svg: str) -> float:
    """How much a diagram is shrunk (below 1) or enlarged where it prints smallest: in the PDF
    (its own size, at most the text width and the figure height) or in the DOCX (the picture's
    width)."""
    root = ET.fromstring(svg)
    width, height = float(root.get("width", 1)), float(root.get("height", 1))
    pdf = min(1.0, PDF_TEXT_WIDTH_MM * PX_PER_MM / width, FIGURE_HEIGHT_MM * PX_PER_MM / height)
    return min(pdf, FIGURE_WIDTH_MM * PX_PER_MM / width)


def smallest_text_pt(svg: str) -> float:
    """The size, in points, that the smallest text of a diagram prints at."""
    root = ET.fromstring(svg)
    sizes = [float(e.get("font-size", "")) for e in root.iter() if e.get("font-size")]
    return min(sizes, default=float("inf")) * PT_PER_PX * printed_scale(svg)


def readable(svg: str) -> bool:
    return smallest_text_pt(svg) >= MIN_TEXT_PT


def _alt(label: str, count: int, one: str, many: str) -> str:
    return (
        f"{label}, showing {count} {one if count == 1 else many}. "
        "The table below gives the same information in words."
    )


def _dict_table(label: str, rows: list[dict[str, str]]) -> Table:
    if not rows:
        return Table(label, (), ())
    columns = [c for c in rows[0] if c != "id"]  # ids are for machines, not readers
    return Table(
        label,
        tuple(clean(c.replace("_", " ").capitalize()) for c in columns),
        tuple(tuple(clean(str(row.get(c, ""))) for c in columns) for row in rows),
    )

"""Diagrams as document items: each drawn from the (audience-filtered) case, with the table
that says the same in words, for people who cannot see the picture."""

from __future__ import annotations

import datetime as dt

from ehdocs.diagrams import genogram_svg, genogram_table
from ehdocs.diagrams.ecomap import ecomap_rows, ecomap_svg
from ehdocs.diagrams.scales import scales_svg, scales_table
from ehdocs.render.audience import CaseView
from ehdocs.render.items import Figure, Table, clean

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
        rows = ecomap_rows(view, family=family)
        if not rows:
            return []
        return [
            Figure(
                label,
                ecomap_svg(view, today=today, family=family),
                _alt(label, len(rows), "link", "links"),
                _dict_table("The links on the ecomap", rows),
            )
        ]
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

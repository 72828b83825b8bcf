"""Diagrams drawn from case data, as SVG text with a text alternative for each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from ehdocs.case.model import Case
from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import Genogram, from_case
from ehdocs.diagrams.genogram.svg import render_svg
from ehdocs.diagrams.genogram.text import genogram_rows

GENOGRAM_TITLE = "Genogram: the family network"


def genogram_svg(
    case: Case,
    family: bool = False,
    hide: Collection[str] = (),
    today: dt.date | None = None,
) -> str:
    """The genogram of a case as SVG text; `hide` leaves people out (e.g. of a family copy)."""
    genogram = from_case(case, hide=hide, family=family, today=today)
    return render_svg(layout(genogram), GENOGRAM_TITLE, genogram_description(genogram))


def genogram_table(
    case: Case,
    family: bool = False,
    hide: Collection[str] = (),
    today: dt.date | None = None,
) -> list[dict[str, str]]:
    """The text alternative: one row per person (name, born, age, status, relationships…)."""
    return genogram_rows(from_case(case, hide=hide, family=family, today=today))


def genogram_description(genogram: Genogram) -> str:
    people = len(genogram.people)
    if not people:
        return "No people are recorded in this case yet."
    index = next((p.name for p in genogram.people if p.is_index), None)
    homes = len(genogram.households)
    text = (
        f"A family diagram of {people} {'person' if people == 1 else 'people'}"
        + (f" in {homes} household{'s' if homes != 1 else ''}" if homes else "")
        + "."
    )
    if index:
        text += f" The child the work is about is {index}."
    return text + " The table of people and relationships gives the same information in words."


__all__ = ["genogram_description", "genogram_svg", "genogram_table"]

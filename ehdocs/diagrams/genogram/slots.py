"""Each person's slot in a row: the symbol's size and the label's lines, measured."""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from ehdocs.diagrams.genogram.model import GPerson
from ehdocs.diagrams.metrics import text_width, wrap
from ehdocs.fields import PartialDate

SYMBOL = 40.0
SIZES = {"pregnancy": (36.0, 32.0), "miscarriage": (14.0, 14.0)}
NAME_SIZE, NAME_LEAD = 12.0, 14.5
DATE_SIZE, DATE_LEAD = 11.0, 13.5
NAME_WIDTH = 104.0  # names wrap at this width, keeping slots (and the diagram) narrow
FOOT_SHIFT = 6.0  # a label beside a child line from the symbol's foot starts this far right
LABEL_GAP = 4.0  # between symbol and label


@dataclass(frozen=True)
class Slot:
    person: str
    shape: str
    w: float
    h: float
    lines: tuple[tuple[str, float, bool], ...]  # text, size, bold
    label_w: float
    label_h: float
    shifted: bool  # label starts right of a child line from the foot of the symbol
    age: str | None

    @property
    def left(self) -> float:
        if self.shifted:
            return self.w / 2
        return max(self.w / 2, self.label_w / 2)

    @property
    def right(self) -> float:
        if self.shifted:
            return max(self.w / 2, FOOT_SHIFT + self.label_w)
        return max(self.w / 2, self.label_w / 2)


def make_slot(person: GPerson, shifted: bool) -> Slot:
    shape = person.status if person.status in SIZES else person.gender
    w, h = SIZES.get(shape, (SYMBOL, SYMBOL))
    # The whole name, wrapped between words: never cut short (the label grows instead).
    name = wrap(person.name or "?", NAME_SIZE, NAME_WIDTH, max_lines=0, bold=person.is_index)
    lines = [(t, NAME_SIZE, person.is_index) for t in name]
    age = None
    if person.age is not None and shape not in SIZES:
        age = ("~" if person.age_approximate else "") + str(person.age)
    for text in _date_lines(person, age):
        lines.append((text, DATE_SIZE, False))
    label_w = max(text_width(t, s, b) for t, s, b in lines)
    label_h = sum(NAME_LEAD if s == NAME_SIZE else DATE_LEAD for _, s, _ in lines)
    if person.deceased:
        age = None  # told in the label: the cross through the symbol stays whole
    return Slot(person.id, shape, w, h, tuple(lines), label_w, label_h, shifted, age)


def _date_lines(person: GPerson, age: str | None = None) -> list[str]:
    out = []
    if person.status == "pregnancy":
        if person.due:
            out.append(
                "due " + short_date(PartialDate(person.due.year, person.due.month, person.due.day))
            )
    elif person.birth is not None:
        # a pregnancy loss is labelled with when it happened: it was never born
        lost = person.status == "miscarriage"
        out.append(("" if lost else "b. ") + short_date(person.birth))
    aged = f"aged {age.replace('~', 'about ')}" if person.deceased and age else ""
    if person.death_year is not None:
        out.append(f"d. {person.death_year}" + (f", {aged}" if aged else ""))
    elif person.deceased:
        out.append("died" + (f", {aged}" if aged else ""))
    return out


def short_date(value: PartialDate) -> str:
    """3 Mar 2015, Mar 2015, 2015; ~ for an approximate date."""
    parts = [str(value.year)]
    if value.month:
        parts.insert(0, calendar.month_abbr[value.month])
        if value.day:
            parts.insert(0, str(value.day))
    return ("~" if value.approximate else "") + " ".join(parts)

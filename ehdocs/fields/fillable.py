"""The fillable faces of the field types: how each is asked on a blank PDF or DOCX form (its
widget, the hint under it, the size of its box) and how what was filled in is read back as raw
input for validation. Mixed into the classes in types.py, as the web faces are; the defaults
(a one-line text box, read back as typed) are on FieldType.

A filled value comes back as raw input, never as case data: dates typed as "27/03/2026" become
{"day", "month", "year"} (the parts validation checks), anything not understood is passed on as
typed for validation to explain in the field's own words.
"""

from __future__ import annotations

import re
from typing import Any

from ehdocs.fields.dates import written_date, written_parts
from ehdocs.schema.model import FieldDef

DATE_HINT = "DD/MM/YYYY, for example 27/03/2026"
PARTIAL_DATE_HINT = "DD/MM/YYYY, MM/YYYY or YYYY; add ~ if approximate, for example ~2019"
RADIO_MAX_OPTIONS = 6  # a choice with more options than this is a drop-down
SCALE_RADIO_MAX = 11

# GOV.UK date hints ("For example, 27 3 2026") are for three boxes; one box takes DD/MM/YYYY.
_DATE_EXAMPLE = re.compile(r"^For example,? \d")
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,4})$")
_MY = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{4})$")
_Y = re.compile(r"^(\d{4})$")
_APPROX = re.compile(r"^(?:~|c\.|circa|around|about|approx(?:imately|\.)?)\s*", re.IGNORECASE)


def _max_length(field: FieldDef, default: int) -> int:
    return int(field.param("max_length", default))


class TextFill:
    def fill_size(self, field: FieldDef, widget: str) -> str:
        return "medium" if _max_length(field, 200) <= 100 else "long"

    def fill_max_length(self, field: FieldDef) -> int | None:
        return _max_length(field, 200)


class LongTextFill:
    def fill_widget(self, field: FieldDef, format: str) -> str:
        return "multiline"

    def fill_size(self, field: FieldDef, widget: str) -> str:
        longest = _max_length(field, 10000)
        if longest <= 500:
            return "lines-3"
        if longest <= 1000:
            return "lines-4"
        if longest <= 3000:
            return "lines-6"
        return "lines-7"

    def fill_max_length(self, field: FieldDef) -> int | None:
        return _max_length(field, 10000)


class DateFill:
    def fill_widget(self, field: FieldDef, format: str) -> str:
        return "date" if format == "docx" else "text"

    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        if own and _DATE_EXAMPLE.match(own):
            own = None  # the web page's example, for three boxes
        return [p for p in (own, DATE_HINT) if p]

    def fill_size(self, field: FieldDef, widget: str) -> str:
        return "short"

    def from_filled(self, text: str) -> Any:
        match = _DMY.match(text.strip())
        if match:
            day, month, year = match.groups()
            return {"day": day, "month": month, "year": year}
        if (words := written_date(text)) is not None:  # "1st Feb 2015"
            return {"day": str(words.day), "month": str(words.month), "year": str(words.year)}
        return text.strip()  # e.g. 2026-03-27 is accepted as it is; anything else is explained


class PartialDateFill:
    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        return [p for p in (own, PARTIAL_DATE_HINT) if p]

    def fill_size(self, field: FieldDef, widget: str) -> str:
        return "short"

    def from_filled(self, text: str) -> Any:
        stripped = text.strip()
        approx = False
        found = _APPROX.match(stripped)
        if found:
            approx, stripped = True, stripped[found.end() :]
        if stripped.endswith("~"):
            approx, stripped = True, stripped[:-1].strip()
        parts: dict[str, str] | None = None
        if match := _DMY.match(stripped):
            parts = dict(zip(("day", "month", "year"), match.groups(), strict=True))
        elif match := _MY.match(stripped):
            parts = {"day": "", "month": match.group(1), "year": match.group(2)}
        elif match := _Y.match(stripped):
            parts = {"day": "", "month": "", "year": match.group(1)}
        elif (words := written_parts(stripped)) is not None:  # "1st Feb 2015", "May 2019"
            year, month, day = words
            parts = {"day": str(day or ""), "month": str(month), "year": str(year)}
        if parts is None:
            return ("~" if approx else "") + stripped
        if approx:
            parts["approximate"] = "yes"
        return parts


class NumberFill:
    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        low, high = field.param("min"), field.param("max")
        whole = "A whole number" if field.param("integer") else "A number"
        if low is not None and high is not None:
            extra = f"{whole} from {low} to {high}"
        elif low is not None:
            extra = f"{whole}, {low} or more"
        elif high is not None:
            extra = f"{whole}, {high} or less"
        else:
            extra = whole
        return [p for p in (own, extra) if p]

    def fill_size(self, field: FieldDef, widget: str) -> str:
        return "short"

    def from_filled(self, text: str) -> Any:
        return text.strip()


class ChoiceFill:
    def fill_widget(self, field: FieldDef, format: str) -> str:
        if format == "pdf" and len(field.options) <= RADIO_MAX_OPTIONS:
            return "radio"
        return "select"

    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        extra = "Choose one from the list" if widget == "select" else None
        return [p for p in (own, extra) if p]


class ChoicesFill:
    def fill_widget(self, field: FieldDef, format: str) -> str:
        return "checkboxes"

    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        return [own] if own else ["Tick all that apply"]


class YesNoFill:
    def fill_widget(self, field: FieldDef, format: str) -> str:
        # Word has no radio buttons: a yes/no is two checkboxes there.
        return "checkboxes" if format == "docx" else "radio"

    def from_ticked(self, values: list[str]) -> Any:
        # Two boxes ticked is passed on as both, for the validator to question.
        return values[0] if len(values) == 1 else values


class ScaleFill:
    def bounds(self, field: FieldDef) -> tuple[int, int]:
        raise NotImplementedError

    def ends(self, field: FieldDef) -> list[str]:
        raise NotImplementedError

    def fill_widget(self, field: FieldDef, format: str) -> str:
        low, high = self.bounds(field)
        if format == "pdf" and high - low + 1 <= SCALE_RADIO_MAX:
            return "radio"
        return "select"

    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        low, high = self.bounds(field)
        extra = "; ".join(self.ends(field)) or f"From {low} to {high}"
        return [p for p in (own, extra) if p]

    def from_filled(self, text: str) -> Any:
        # The value of the radio button or list item chosen; validation explains anything else.
        try:
            return int(text)
        except ValueError:
            return text


class PersonFill:
    def fill_widget(self, field: FieldDef, format: str) -> str:
        return "multiline" if field.param("multiple") else "text"

    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        # A blank form has no case to choose from: people are written by name.
        who = {"child": "the child or young person", "adult": "the adult"}.get(
            field.param("role"), ""
        )
        extra = f"Full name of {who}" if who else "Full name"
        if own:
            extra = "Write their full name"
        if field.param("multiple"):
            extra = "Full names, one on each line"
        return [p for p in (own, extra) if p]

    def fill_size(self, field: FieldDef, widget: str) -> str:
        return "lines-3" if widget == "multiline" else "long"

    def asks_date_of_birth(self, field: FieldDef) -> bool:
        """A single child written by name gets a date of birth box after the name: with no
        case yet, the hub matches the child by the same date of birth and a similar name.
        (Several children in one box, and adults, do not.)"""
        return not field.param("multiple") and field.param("role") == "child"


class ProfessionalFill(PersonFill):
    def fill_hint(self, field: FieldDef, own: str | None, widget: str) -> list[str]:
        extra = "Name, role and agency"
        if field.param("multiple"):
            extra = "Name, role and agency of each, one on each line"
        return [p for p in (own, extra) if p]

    def asks_date_of_birth(self, field: FieldDef) -> bool:
        return False

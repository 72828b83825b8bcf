"""Dates as practitioners give them: exact, or only a month or year, sometimes approximate."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from ehdocs.fields.base import Invalid

_PARTIAL = re.compile(r"^(~)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PARTIAL_DATE_PATTERN = r"^~?\d{4}(-\d{2}(-\d{2})?)?$"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or the year; `approximate` when it is a guess."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return ("~" if self.approximate else "") + text

    def human(self) -> str:
        if self.day and self.month:
            text = format_date(self.earliest())
        elif self.month:
            text = f"{calendar.month_name[self.month]} {self.year}"
        else:
            text = str(self.year)
        return f"around {text}" if self.approximate else text

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _PARTIAL.match(text.strip())
        if not match:
            raise ValueError(text)
        approx, year, month, day = match.groups()
        value = cls(
            int(year), int(month) if month else None, int(day) if day else None, bool(approx)
        )
        value.earliest()  # raises ValueError for 2019-02-30 or month 13
        if value.month and not 1 <= value.month <= 12:
            raise ValueError(text)
        return value


def format_date(value: dt.date) -> str:
    """GOV.UK style: 2 March 2026."""
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def date_from_parts(raw: dict[str, Any], name: str, *, need_day: bool = True) -> dt.date | None:
    """Day/month/year boxes to a date, with GOV.UK messages for what is missing or wrong."""
    parts = {k: "" if raw.get(k) is None else str(raw[k]).strip() for k in ("day", "month", "year")}
    if not any(parts.values()):
        return None
    wanted = ("day", "month", "year") if need_day else ("month", "year")
    missing = [k for k in wanted if not parts[k]]
    if missing:
        raise Invalid(f"{name} must include a {' and '.join(missing)}")
    if not all(parts[k].isdigit() for k in wanted):
        raise Invalid(f"{name} must be a real date")
    if len(parts["year"]) != 4:
        raise Invalid("Year must include 4 numbers")
    try:
        return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"] or 1))
    except ValueError:
        raise Invalid(f"{name} must be a real date") from None

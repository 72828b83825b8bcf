"""Dates as practitioners give them: exact, or only a month or year, sometimes approximate."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser

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
        if (month and not 1 <= int(month) <= 12) or (day and int(day) == 0):
            raise ValueError(text)  # month 00 or 13, day 00
        value.earliest()  # raises ValueError for 2019-02-30
        return value


def format_date(value: dt.date) -> str:
    """GOV.UK style: 2 March 2026."""
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


UK = ZoneInfo("Europe/London")


def format_time(moment: dt.datetime) -> str:
    """A moment as the hub reads every time, in UK time: 4 December 2026 14:05 (a stored time
    without a zone is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(UK)
    return f"{format_date(local.date())} {local:%H:%M}"


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


# -- dates written in words, as partners type them on a paper or PDF form ---------------------
_MONTH_WORD = re.compile(r"[^\W\d_]{3,}")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DEFAULTS = (dt.datetime(1900, 1, 1), dt.datetime(1904, 2, 2))  # differ in every date part


def written_date(text: str) -> dt.date | None:
    """A whole date written with the month in words, day first as in the UK: "1st Feb 2015",
    "1 February 2015", "Monday 3rd of March, 2016" (also "Feb 1st 2015"). None when the text
    is not such a date, lacks the day, month or a four-digit year, or is not a real date:
    numeric dates are read by their own patterns, so that 2015-02-01 is never read day first.
    """
    parts = written_parts(text)
    if parts is None or parts[1] is None or parts[2] is None:
        return None
    return dt.date(*parts)  # type: ignore[arg-type]


def written_parts(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a date written with the month in words, the parts not written
    None: "February 2019" is (2019, 2, None). None when it is not such a date."""
    if not _MONTH_WORD.search(text) or not _YEAR.search(text):
        return None
    try:
        first, second = (parser.parse(text, dayfirst=True, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):  # ParserError is a ValueError
        return None
    if first.year != second.year or first.month != second.month:
        return None  # no month written (each default filled it differently)
    return first.year, first.month, first.day if first.day == second.day else None

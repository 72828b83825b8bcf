"""Practice-standard timescales: due dates in hours, calendar days or working days.

Working days leave out weekends and bank holidays in England (the `holidays` package), as
councils' practice standards count them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache

import holidays

from ehdocs.fields.dates import UK
from ehdocs.schema.model import DEFAULT_TIMESCALES, Profile

__all__ = [
    "DEFAULT_TIMESCALES",
    "add_months",
    "add_working_days",
    "hub_decision_due",
    "of_profile",
    "uk_date",
    "is_working_day",
    "working_days_between",
]


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative if end is earlier)."""
    sign = 1 if end >= start else -1
    low, high = sorted((start, end))
    count = sum(
        1 for n in range(1, (high - low).days + 1) if is_working_day(low + dt.timedelta(days=n))
    )
    return sign * count


def add_months(start: dt.date, months: int) -> dt.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def of_profile(profile: Profile) -> Mapping[str, int]:
    """The profile's timescales, each one it does not set at its default."""
    return {**DEFAULT_TIMESCALES, **dict(profile.timescales or {})}


def hub_decision_due(received: dt.date, timescales: Mapping[str, int]) -> dt.date:
    """The day the hub's decision is due for a request received on `received`: "48 hours"
    counted in working days, as practice standards count them (a Friday request is due on
    Tuesday). The one computation the queue, the case and the reports share."""
    return add_working_days(received, int(timescales["hub_decision_hours"]) // 24)


def uk_date(moment: dt.datetime) -> dt.date:
    """The UK day of a stored time (UTC, naive)."""
    return moment.replace(tzinfo=dt.UTC).astimezone(UK).date()

"""How long a case is kept, and why: the profile's retention rules applied to the case's data.

An open case is kept while it is open. A closed case (its closure completed) is kept until its
youngest child's 25th birthday (the profile's `closed_case_until_age`), and never less than
until its closure; with no child's date of birth recorded, for `closed_case_years` after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ehdocs.case.model import Case
from ehdocs.schema import roles


@dataclass(frozen=True)
class Keeping:
    """Until when a case is kept (None: while it is open) and the rule, in words."""

    until: dt.date | None
    rule: str


def keeping(case: Case, rules: Mapping[str, int]) -> Keeping:
    closed = closed_on(case)
    if closed is None:
        return Keeping(None, "Kept while the case is open")
    age = rules["closed_case_until_age"]
    births = [b for b in (_latest_birth(p) for p in _children(case)) if b is not None]
    if not births:
        years = rules["closed_case_years"]
        return Keeping(
            _add_years(closed, years),
            f"Closed on {_day(closed)}; no child's date of birth is recorded, so kept "
            f"{years} years from closure",
        )
    youngest = max(births)
    until = max(_add_years(youngest, age), closed)
    return Keeping(
        until,
        f"Closed on {_day(closed)}; kept until the youngest child's {_ordinal(age)} birthday",
    )


def closed_on(case: Case) -> dt.date | None:
    """The date of the case's completed closure, or None while the case is open."""
    found = case.formset.event_by_role(roles.CLOSED)
    if found is None:
        return None
    form, event = found
    dates = [
        when
        for doc in case.documents_of(form.form)
        if doc.completed and isinstance(when := doc.answer(event.date), dt.date)
    ]
    return max(dates) if dates else None


def _children(case: Case) -> list[Mapping[str, object]]:
    kinds = case.formset.category_values(*roles.CHILD_ROLES)
    return [p for p in case.people if p.get("category") in kinds]


def _latest_birth(person: Mapping[str, object]) -> dt.date | None:
    born = person.get("date_of_birth")
    if born is not None and hasattr(born, "latest"):
        latest: dt.date = born.latest()
        return latest
    due = person.get("expected_date_of_delivery")
    return due if isinstance(due, dt.date) else None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

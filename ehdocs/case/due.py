"""A case's timescales, item by item: what is met, met late, due (and when) or overdue.

Pure: the case (its documents' milestones and its case work records), the profile's timescales
and today give the items; nothing is read from or written to a database here. The web's My work
and Team pages, and the reminders, read the rows kept from these items (`case_due_items`).

Working days leave out weekends and bank holidays in England (ehdocs.case.timescales). Items:
- hub_decided: hub_decision_hours (in working days) from the request;
- allocation: allocation_hours (in working days) from the hub's decision, met when a worker is
  first allocated;
- first_visited: first_contact_working_days from allocation (or the decision), met by the first
  visit (a case note of a visit kind);
- assessment: assessment_working_days from the hub's decision;
- initial_taf: the first plan agreed, initial_taf_days_after_assessment after the assessment
  and at most initial_taf_days_after_request from the request;
- visit: every visit_interval_days after the last visit, while the case is open;
- review: every review_interval_weeks after the plan or the last review, while open;
- supervision: every supervision_interval_weeks after the last supervision (or allocation);
- oversight_*: a manager's oversight within oversight_working_days of each critical point the
  work has reached (allocation, the first visit, the assessment, the first plan, each review,
  each transfer, closure), met by the first oversight note recorded for that point on or after
  it;
- six_months: max_involvement_months from the request, met by closure.
A met item keeps the reason recorded on the record that met it late (a note's late_reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.model import Case
from ehdocs.case.progress import role_dates
from ehdocs.case.timescales import add_months, add_working_days, hub_decision_due, of_profile
from ehdocs.schema import roles

MET, MET_LATE, DUE, OVERDUE = "met_in_time", "met_late", "due", "overdue"
STATUSES = (MET, MET_LATE, DUE, OVERDUE)
VISITS = frozenset(roles.VISIT_KINDS)  # home, school, virtual, office
SUPERVISION = "supervision"
OVERSIGHT = "oversight_"  # the items of a manager's oversight: the prefix, then the point
LABELS = {
    "hub_decided": "Hub decision",
    "allocation": "Allocation to a worker",
    "first_visited": "First visit",
    "assessment": "Assessment completed",
    "initial_taf": "Initial TAF meeting",
    "visit": "Next visit",
    "review": "Next TAF review",
    "supervision": "Supervision",
    "oversight_allocation": "Oversight after allocation",
    "oversight_first_visit": "Oversight after the first visit",
    "oversight_assessment": "Oversight of the assessment",
    "oversight_first_plan": "Oversight of the first plan",
    "oversight_review": "Oversight after a review",
    "oversight_transfer": "Oversight after a transfer",
    "oversight_closure": "Oversight at closure",
    "six_months": "Six-month limit: close or step up",
}


@dataclass(frozen=True)
class DueItem:
    item: str  # a key of LABELS
    due_on: dt.date
    met_on: dt.date | None
    status: str  # one of STATUSES
    late_reason: str | None = None

    @property
    def label(self) -> str:
        return LABELS[self.item]


def _status(due_on: dt.date, met_on: dt.date | None, today: dt.date) -> str:
    if met_on is not None:
        return MET if met_on <= due_on else MET_LATE
    return DUE if today <= due_on else OVERDUE


def _item(
    item: str, due_on: dt.date, met_on: dt.date | None, today: dt.date, reason: Any = None
) -> DueItem:
    status = _status(due_on, met_on, today)
    kept = str(reason).strip() if status == MET_LATE and reason else None
    return DueItem(item, due_on, met_on, status, kept or None)


def _dated(rows: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return sorted(
        (r for r in rows if isinstance(r.get("date"), dt.date)),
        key=lambda r: (r["date"], str(r.get("time") or "")),
    )


def _first(dates: Mapping[str, list[dt.date]], role: str) -> dt.date | None:
    found = dates.get(role)
    return found[0] if found else None


def due_items(case: Case, today: dt.date) -> list[DueItem]:
    """Every timescale item that applies to the case so far, in the order of the work."""
    t = of_profile(case.formset.profile)
    dates = role_dates(case)
    received = _first(dates, roles.RECEIVED)
    if received is None:
        return []
    decided = _first(dates, roles.HUB_DECISION)
    assessed = _first(dates, roles.ASSESSMENT_COMPLETED)
    agreed = _first(dates, roles.PLAN_AGREED)
    reviews = dates.get(roles.REVIEW_HELD) or []
    closed = _first(dates, roles.CLOSED)
    allocations = [a for a in _dated(case.records("allocations")) if a.get("worker")]
    visits = [n for n in _dated(case.records("case_notes")) if n.get("kind") in VISITS]
    notes = _dated(case.records("oversight"))
    supervisions = [o for o in notes if o.get("kind") == SUPERVISION]
    open_case = closed is None

    out = [_item("hub_decided", hub_decision_due(received, t), decided, today)]
    if decided is None:
        return out
    allocated = allocations[0]["date"] if allocations else None
    out.append(
        _item(
            "allocation",
            add_working_days(decided, t["allocation_hours"] // 24),
            allocated,
            today,
            allocations[0].get("late_reason") if allocations else None,
        )
    )
    first = visits[0] if visits else None
    if allocated is not None or first is not None or open_case:
        out.append(
            _item(
                "first_visited",
                add_working_days(allocated or decided, t["first_contact_working_days"]),
                first["date"] if first else None,
                today,
                first.get("late_reason") if first else None,
            )
        )
    out.append(
        _item(
            "assessment",
            add_working_days(decided, t["assessment_working_days"]),
            assessed,
            today,
        )
    )
    initial_due = received + dt.timedelta(days=t["initial_taf_days_after_request"])
    if assessed is not None:
        after = assessed + dt.timedelta(days=t["initial_taf_days_after_assessment"])
        initial_due = min(initial_due, after)
    out.append(_item("initial_taf", initial_due, agreed, today))
    if open_case and visits:
        last = visits[-1]["date"]
        out.append(_item("visit", last + dt.timedelta(days=t["visit_interval_days"]), None, today))
    if open_case and agreed is not None:
        since = reviews[-1] if reviews else agreed
        weeks = dt.timedelta(weeks=t["review_interval_weeks"])
        out.append(_item("review", since + weeks, None, today))
    if open_case and (supervisions or allocated is not None):
        supervised: dt.date | None = supervisions[-1]["date"] if supervisions else allocated
        assert supervised is not None
        weeks = dt.timedelta(weeks=t["supervision_interval_weeks"])
        out.append(_item(SUPERVISION, supervised + weeks, None, today))
    at_allocation, at_visit, at_assessment, at_plan, at_review, at_transfer, at_closure = (
        roles.OVERSIGHT_POINTS
    )
    points = [
        (at_allocation, allocated),
        (at_visit, first["date"] if first else None),
        (at_assessment, assessed),
        (at_plan, agreed),
        *((at_review, day) for day in reviews),
        *((at_transfer, a["date"]) for a in allocations[1:]),
        (at_closure, closed),
    ]
    out.extend(_oversight(points, notes, t["oversight_working_days"], today))
    out.append(
        _item("six_months", add_months(received, t["max_involvement_months"]), closed, today)
    )
    return out


def _oversight(
    points: list[tuple[str, dt.date | None]],
    notes: list[Mapping[str, Any]],
    days: int,
    today: dt.date,
) -> list[DueItem]:
    """One item for each critical point the work has reached: due `days` working days after
    it, met by the first oversight note recorded for that point on or after it (each note meets
    one point: two reviews need two notes)."""
    used: set[int] = set()
    out = []
    for point, day in sorted(
        ((p, d) for p, d in points if d is not None), key=lambda pd: pd[1] or today
    ):
        assert day is not None
        note = next(
            (
                i
                for i, n in enumerate(notes)
                if i not in used and n.get("point") == point and n["date"] >= day
            ),
            None,
        )
        if note is not None:
            used.add(note)
        met = notes[note]["date"] if note is not None else None
        out.append(_item(OVERSIGHT + point, add_working_days(day, days), met, today))
    return out


def next_due(items: list[DueItem]) -> DueItem | None:
    """The earliest item not yet met (overdue ones first, being earliest)."""
    waiting = [i for i in items if i.status in (DUE, OVERDUE)]
    return min(waiting, key=lambda i: i.due_on) if waiting else None

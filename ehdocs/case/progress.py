"""Where a case stands against the council's timescales, from the events its documents record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from ehdocs.case.model import Case
from ehdocs.case.timescales import add_months, add_working_days, hub_decision_due, of_profile
from ehdocs.schema import roles


@dataclass(frozen=True)
class Milestone:
    what: str
    due: dt.date
    done: dt.date | None

    def status(self, today: dt.date) -> str:
        if self.done is not None:
            late = (self.done - self.due).days
            return "on time" if late <= 0 else f"{late} day{'s' if late != 1 else ''} late"
        overdue = (today - self.due).days
        return "due" if overdue <= 0 else f"overdue by {overdue} day{'s' if overdue != 1 else ''}"


def event_dates(case: Case) -> Mapping[str, list[dt.date]]:
    """`form.event` to the dates recorded, e.g. {roles.REVIEW_HELD: [...]}, sorted."""
    dates: dict[str, list[dt.date]] = {}
    for doc in case.documents:
        for event in doc.definition.events:
            value = doc.answer(event.date)
            if isinstance(value, dt.date):
                dates.setdefault(f"{doc.form}.{event.id}", []).append(value)
    return {k: sorted(v) for k, v in dates.items()}


def role_dates(case: Case) -> Mapping[str, list[dt.date]]:
    """Milestone role (schema/roles.py) to the dates recorded by the events declaring it."""
    dates: dict[str, list[dt.date]] = {}
    for doc in case.documents:
        for event in doc.definition.events:
            value = doc.answer(event.date)
            if event.role and isinstance(value, dt.date):
                dates.setdefault(event.role, []).append(value)
    return {k: sorted(v) for k, v in dates.items()}


def milestones(case: Case) -> list[Milestone]:
    """The practice-standard deadlines that apply so far, first to last."""
    t = of_profile(case.formset.profile)
    dates = role_dates(case)

    def first(key: str) -> dt.date | None:
        return dates.get(key, [None])[0]

    def last(key: str) -> dt.date | None:
        return dates.get(key, [None])[-1]

    out: list[Milestone] = []
    received = first(roles.RECEIVED)
    if received is None:
        return out
    out.append(Milestone("Hub decision", hub_decision_due(received, t), first(roles.HUB_DECISION)))
    decided = first(roles.HUB_DECISION)
    if decided:
        out.append(
            Milestone(
                "Assessment completed",
                add_working_days(decided, t["assessment_working_days"]),
                first(roles.ASSESSMENT_COMPLETED),
            )
        )
    assessed = first(roles.ASSESSMENT_COMPLETED)
    initial_due = received + dt.timedelta(days=t["initial_taf_days_after_request"])
    if assessed:
        initial_due = min(
            initial_due, assessed + dt.timedelta(days=t["initial_taf_days_after_assessment"])
        )
    if decided or assessed:
        out.append(
            Milestone("Plan agreed at the first TAF meeting", initial_due, first(roles.PLAN_AGREED))
        )
    agreed = first(roles.PLAN_AGREED)
    if agreed and not dates.get(roles.CLOSED):
        since = last(roles.REVIEW_HELD) or agreed
        out.append(
            Milestone(
                "Next TAF review", since + dt.timedelta(weeks=t["review_interval_weeks"]), None
            )
        )
        out.append(
            Milestone(
                "Involvement reviewed for closure",
                add_months(received, t["max_involvement_months"]),
                None,
            )
        )
    return out

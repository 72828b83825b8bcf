"""Milestones from a case's document events and the profile's timescales."""

from __future__ import annotations

import datetime as dt

from ehdocs.case.progress import Milestone, event_dates, milestones
from ehdocs.validation import validate_case
from tests.factories import make_case

D = dt.date


def case_requested_on(day: str, formset, hub: dict | None = None):
    raw = make_case()
    raw["documents"][0]["data"]["referrer"]["date"] = day
    raw["documents"][0]["data"]["hub"] = hub or {}
    result = validate_case(raw, formset)
    assert result.problems == []
    return result.case


def test_hub_decision_is_due_two_working_days_after_the_request(formset):
    # Thursday 17 April 2025; Good Friday and Easter Monday are bank holidays.
    case = case_requested_on("2025-04-17", formset)

    assert milestones(case) == [Milestone("Hub decision", D(2025, 4, 23), None)]


def test_the_hub_decision_date_completes_it_and_starts_the_assessment_clock(formset):
    hub = {
        "checks_made": "Case system, school and health visitor: nothing known",
        "known_to_social_care": "no",
        "decision": "locality_level_2",
        "team_allocated": "North locality",
        "decision_date": "2025-04-24",
    }
    case = case_requested_on("2025-04-17", formset, hub)

    assert event_dates(case) == {
        "notification.received": [D(2025, 4, 17)],
        "notification.hub_decision": [D(2025, 4, 24)],
    }
    assert milestones(case) == [
        Milestone("Hub decision", D(2025, 4, 23), D(2025, 4, 24)),
        # 20 working days after Thursday 24 April, skipping the May Day bank holiday (5 May).
        Milestone("Assessment completed", D(2025, 5, 23), None),
        Milestone("Plan agreed at the first TAF meeting", D(2025, 5, 17), None),
    ]


def test_a_council_timescale_changes_the_due_date(test_council_formset):
    # The test council gives the hub 72 hours: three working days from Friday 7 March.
    case = case_requested_on("2025-03-07", test_council_formset)

    assert milestones(case) == [Milestone("Hub decision", D(2025, 3, 12), None)]


def test_without_a_request_date_there_are_no_milestones(formset):
    raw = make_case()
    raw["documents"][0]["status"] = "draft"
    del raw["documents"][0]["data"]["referrer"]["date"]

    assert milestones(validate_case(raw, formset).case) == []


def test_milestone_status_words():
    due = D(2025, 3, 10)

    assert Milestone("x", due, D(2025, 3, 10)).status(D(2025, 4, 1)) == "on time"
    assert Milestone("x", due, D(2025, 3, 11)).status(D(2025, 4, 1)) == "1 day late"
    assert Milestone("x", due, D(2025, 3, 13)).status(D(2025, 4, 1)) == "3 days late"
    assert Milestone("x", due, None).status(D(2025, 3, 10)) == "due"
    assert Milestone("x", due, None).status(D(2025, 3, 11)) == "overdue by 1 day"
    assert Milestone("x", due, None).status(D(2025, 3, 17)) == "overdue by 7 days"

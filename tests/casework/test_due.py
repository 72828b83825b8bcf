"""Per-case timescales (issue 13): each item met, met late, due or overdue, counted in working
days across weekends and bank holidays in England, with the reason a late one was recorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ehdocs.case.due import DUE, MET, MET_LATE, OVERDUE, DueItem, due_items, next_due
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case, make_document, make_notification_data


def case_of(formset: FormSet, received: str, decided: str | None = None, **records: Any):  # type: ignore[no-untyped-def]
    data = make_notification_data()
    data["referrer"] = {**data["referrer"], "date": received}
    if decided:
        data["hub"] = {
            "decision": "locality_level_2",
            "team_allocated": "North locality",
            "decision_date": decided,
            "checks_made": "Police and school",
            "known_to_social_care": "no",
        }
    raw = make_case(documents=[make_document("notification", data, doc_id="n1")], **records)
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    return result.case


def items(formset: FormSet, today: dt.date, *args: Any, **records: Any) -> dict[str, DueItem]:
    return {i.item: i for i in due_items(case_of(formset, *args, **records), today)}


def visit(day: str, **more: str) -> dict[str, str]:
    return {
        "id": f"n{day}",
        "kind": "home_visit",
        "date": day,
        "summary": "Visit",
        "family_visible": "no",
        **more,
    }


def test_a_friday_request_before_a_bank_holiday_monday_is_due_on_wednesday(
    formset: FormSet,
) -> None:
    # Friday 23 May 2025; Monday 26 May is the spring bank holiday: 2 working days on is
    # Wednesday 28 May, not Sunday.
    found = items(formset, dt.date(2025, 5, 27), "2025-05-23")
    assert found["hub_decided"].due_on == dt.date(2025, 5, 28)
    assert found["hub_decided"].status == DUE
    late = items(formset, dt.date(2025, 5, 29), "2025-05-23")
    assert late["hub_decided"].status == OVERDUE


def test_decided_in_time_then_allocation_and_first_visit_across_christmas(
    formset: FormSet,
) -> None:
    allocation = {
        "id": "al1",
        "kind": "allocation",
        "date": "2024-12-24",
        "team": "North locality",
        "worker": "ann@council.example",
    }
    found = items(
        formset,
        dt.date(2024, 12, 30),
        "2024-12-19",
        "2024-12-20",
        allocations=[allocation],
    )
    assert found["hub_decided"].status == MET
    # Decided Friday 20 December: 2 working days is Tuesday 24 December; allocated that day.
    assert (found["allocation"].due_on, found["allocation"].status) == (dt.date(2024, 12, 24), MET)
    # 5 working days from Tuesday 24 December skip Christmas Day, Boxing Day, the weekend and
    # New Year's Day: Friday 27, Monday 30, Tuesday 31, Thursday 2, Friday 3 January.
    assert found["first_visited"].due_on == dt.date(2025, 1, 3)
    assert found["first_visited"].status == DUE
    assert "visit" not in found  # no visit yet: the first one is what is due


def test_a_late_first_visit_keeps_the_reason_recorded(formset: FormSet) -> None:
    allocation = {"id": "al1", "kind": "allocation", "date": "2025-03-04", "worker": "a@x.example"}
    allocation["team"] = "North locality"
    reason = "Family cancelled twice; seen at school instead."
    found = items(
        formset,
        dt.date(2025, 3, 20),
        "2025-03-03",
        "2025-03-04",
        allocations=[allocation],
        case_notes=[visit("2025-03-14", late_reason=reason)],
    )
    first = found["first_visited"]
    assert first.due_on == dt.date(2025, 3, 11)  # 5 working days from Tuesday 4 March
    assert (first.met_on, first.status, first.late_reason) == (
        dt.date(2025, 3, 14),
        MET_LATE,
        reason,
    )
    # The next visit: 14 days after the last one.
    assert (found["visit"].due_on, found["visit"].status) == (dt.date(2025, 3, 28), DUE)
    assert found["supervision"].due_on == dt.date(2025, 4, 1)  # 4 weeks from allocation
    # the manager's oversight after allocation (due 11 March) is the most overdue
    assert next_due(list(found.values())).item == "oversight_allocation"  # type: ignore[union-attr]


def test_a_visit_on_time_is_met_without_a_reason(formset: FormSet) -> None:
    allocation = {"id": "al1", "kind": "allocation", "date": "2025-03-04", "worker": "a@x.example"}
    allocation["team"] = "North locality"
    found = items(
        formset,
        dt.date(2025, 4, 2),
        "2025-03-03",
        "2025-03-04",
        allocations=[allocation],
        case_notes=[visit("2025-03-06", late_reason="not late at all")],
    )
    assert (found["first_visited"].status, found["first_visited"].late_reason) == (MET, None)
    assert (found["visit"].due_on, found["visit"].status) == (dt.date(2025, 3, 20), OVERDUE)
    assert found["six_months"].due_on == dt.date(2025, 9, 3)


def oversight(day: str, point: str, kind: str = "oversight") -> dict[str, str]:
    return {"id": f"o{point}{day}", "kind": kind, "point": point, "date": day, "note": "Agreed."}


def test_oversight_is_due_after_each_critical_point_and_met_by_a_note_for_it(
    formset: FormSet,
) -> None:
    allocation = {"id": "al1", "kind": "allocation", "date": "2025-04-08", "worker": "a@x.example"}
    allocation["team"] = "North locality"
    case = case_of(
        formset,
        "2025-04-07",
        "2025-04-07",
        allocations=[allocation],
        case_notes=[visit("2025-04-17")],  # the Thursday before Good Friday
        oversight=[
            oversight("2025-04-07", "allocation"),  # before the allocation: not for it
            oversight("2025-04-14", "allocation"),
            oversight("2025-04-10", "first_visit"),  # before the visit: not for it
        ],
    )
    found = {i.item: i for i in due_items(case, dt.date(2025, 4, 25))}
    after_allocation = found["oversight_allocation"]
    # 5 working days from Tuesday 8 April; met on the 14th, the first note on or after it
    assert (after_allocation.due_on, after_allocation.met_on, after_allocation.status) == (
        dt.date(2025, 4, 15),
        dt.date(2025, 4, 14),
        MET,
    )
    after_visit = found["oversight_first_visit"]
    # 5 working days from Thursday 17 April, past Good Friday and Easter Monday: Monday 28th
    assert (after_visit.due_on, after_visit.met_on, after_visit.status) == (
        dt.date(2025, 4, 28),
        None,
        DUE,
    )
    # points the work has not reached have no item yet
    assert "oversight_assessment" not in found and "oversight_closure" not in found
    assert after_visit.label == "Oversight after the first visit"


def test_a_transfer_needs_oversight_of_its_own(formset: FormSet) -> None:
    from ehdocs.case.due import OVERSIGHT

    allocation = {"id": "al1", "kind": "allocation", "date": "2025-03-04", "worker": "a@x.example"}
    allocation["team"] = "North locality"
    transfer = {**allocation, "id": "al2", "kind": "transfer", "date": "2025-05-06"}
    transfer["worker"] = "b@x.example"
    transfer["handover_summary"] = "Handed over at a joint visit."
    case = case_of(
        formset,
        "2025-03-03",
        "2025-03-04",
        allocations=[allocation, transfer],
        oversight=[oversight("2025-05-07", "transfer"), oversight("2025-05-08", "transfer")],
    )
    found = [i for i in due_items(case, dt.date(2025, 6, 2)) if i.item.startswith(OVERSIGHT)]
    assert [(i.item, i.status) for i in found] == [
        ("oversight_allocation", OVERDUE),
        ("oversight_transfer", MET),
    ]

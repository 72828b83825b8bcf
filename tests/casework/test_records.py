"""Case work records (issue 13): allocation, case notes, oversight, feedback, attachments, as
case.yaml defines them: validated like any record, in the chronology, filtered per audience."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ehdocs.case.stamps import keep_and_stamp
from ehdocs.diagrams.chronology import chronology
from ehdocs.fields import Invalid, field_type
from ehdocs.render.audience import for_audience
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case

NOTE = {
    "id": "n1",
    "kind": "home_visit",
    "date": "2025-03-10",
    "time": "14:05",
    "written_at": "2025-03-12T09:00:00+00:00",
    "people_seen": ["c1", "p1"],
    "child_seen_alone": "yes",
    "summary": "Saw Sam in his bedroom; talked about school.",
    "late_reason": "Off sick the next day.",
    "family_visible": "no",
}
ALLOCATION = {
    "id": "a1",
    "kind": "allocation",
    "date": "2025-03-05",
    "time": "09:30",
    "team": "North locality",
    "worker": "ann.worker@example.gov.uk",
}


def valid(formset: FormSet, **records: Any):  # type: ignore[no-untyped-def]
    result = validate_case(make_case(**records), formset)
    assert result.case is not None, result.problems
    return result.case


def problems(formset: FormSet, **records: Any) -> list[str]:
    result = validate_case(make_case(**records), formset)
    return [f"{p.path}: {p}" for p in result.problems]


def test_the_records_of_the_spec_with_their_keys_and_lists(formset: FormSet) -> None:
    keys = {name: r.key for name, r in formset.records.items()}
    assert keys["allocation"] == "allocations"
    assert keys["case_note"] == "case_notes"
    assert keys["oversight_note"] == "oversight"
    assert keys["family_feedback"] == "feedback"
    assert keys["attachment"] == "attachments"
    note = formset.records["case_note"]
    kinds = [o.value for o in note.child("kind").options]  # type: ignore[union-attr]
    assert kinds == [
        "home_visit",
        "school_visit",
        "virtual_visit",
        "office_visit",
        "phone_call",
        "direct_work",
        "correspondence",
        "referral",
        "other",
    ]
    points = formset.records["oversight_note"].child("point")
    assert [o.value for o in points.options] == [  # type: ignore[union-attr]
        "allocation",
        "first_visit",
        "assessment",
        "first_plan",
        "review",
        "transfer",
        "closure",
        "supervision",
        "other",
    ]
    assert note.child("written_at").set_by_ehdocs  # type: ignore[union-attr]
    assert formset.records["allocation"].audience == "professional"


def test_a_case_with_every_case_work_record_is_valid_and_typed(formset: FormSet) -> None:
    case = valid(
        formset,
        allocations=[ALLOCATION],
        case_notes=[NOTE],
        oversight=[
            {
                "id": "o1",
                "kind": "oversight",
                "point": "allocation",
                "date": "2025-03-06",
                "note": "Allocated to Ann; visit this week.",
                "manager": "mo.manager@example.gov.uk",
                "signed_off": "yes",
                "signed_off_at": "2025-03-06T16:00:00+00:00",
            }
        ],
        feedback=[
            {"id": "f1", "date": "2025-04-01", "given_by": "p1", "stage": "during", "rating": "4"}
        ],
        attachments=[
            {
                "id": "t1",
                "title": "Sam's drawing of home",
                "kind": "drawing",
                "date": "2025-03-10",
                "blob": "a" * 64,
                "media_type": "image/png",
                "for_family": "yes",
            }
        ],
    )
    note = case.records("case_notes")[0]
    assert note["date"] == dt.date(2025, 3, 10)
    assert note["time"] == "14:05"
    assert note["written_at"] == dt.datetime(2025, 3, 12, 9, 0, tzinfo=dt.UTC)


def test_a_transfer_needs_its_handover_summary(formset: FormSet) -> None:
    transfer = {**ALLOCATION, "kind": "transfer", "from_worker": "bo@example.gov.uk"}
    found = problems(formset, allocations=[transfer])
    assert any("allocations[0].handover_summary" in p for p in found), found
    transfer["handover_summary"] = "Family know about the change; next review 3 April."
    assert problems(formset, allocations=[transfer]) == []


def test_a_note_needs_what_happened_and_a_date_not_in_the_future(formset: FormSet) -> None:
    future = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    found = problems(formset, case_notes=[{**NOTE, "date": future, "summary": ""}])
    assert any("case_notes[0].summary" in p for p in found), found
    assert any("must be today or in the past" in p for p in found), found


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("09:30", "09:30"),
        ("9:30", "09:30"),
        ("9.30", "09:30"),
        ("0930", "09:30"),
        ("2:15pm", "14:15"),
        ("2pm", "14:00"),
        ("12am", "00:00"),
        ("12:30 pm", "12:30"),
        ("23:59", "23:59"),
    ],
)
def test_a_time_is_kept_as_24_hour_hh_mm(formset: FormSet, typed: str, kept: str) -> None:
    fdef = formset.records["case_note"].child("time")
    assert field_type("time").parse(typed, fdef) == kept  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["9", "24:00", "12:60", "13pm", "noon", "9:3", "1:00:00"])
def test_a_time_that_is_not_one_says_how_to_write_it(formset: FormSet, typed: str) -> None:
    fdef = formset.records["case_note"].child("time")
    with pytest.raises(Invalid, match="like 09:30 or 2:15pm"):
        field_type("time").parse(typed, fdef)  # type: ignore[arg-type]


def test_case_work_flows_into_the_chronology_in_date_and_time_order(formset: FormSet) -> None:
    later_same_day = {**NOTE, "id": "n2", "time": "16:00", "kind": "phone_call"}
    later_same_day["summary"] = "Rang Kerry about the school meeting."
    case = valid(formset, allocations=[ALLOCATION], case_notes=[later_same_day, NOTE])
    entries = [(e.when, e.time, e.event, e.origin) for e in chronology(case)]
    assert (
        "5 March 2025",
        "09:30",
        "Allocated: North locality, ann.worker@example.gov.uk",
        "allocation",
    ) in entries
    visits = [e for e in entries if e[3] == "case_note"]
    assert visits == [
        (
            "10 March 2025",
            "14:05",
            "Home visit: Saw Sam in his bedroom; talked about school.",
            "case_note",
        ),
        ("10 March 2025", "16:00", "Phone call: Rang Kerry about the school meeting.", "case_note"),
    ]


def test_a_family_copy_holds_only_what_is_marked_for_the_family(formset: FormSet) -> None:
    shared = {**NOTE, "id": "n2", "family_visible": "yes", "summary": "We agreed the plan."}
    private_file = {
        "id": "t1",
        "title": "Scanned letter from school",
        "kind": "letter",
        "date": "2025-03-11",
        "for_family": "no",
    }
    family_file = {**private_file, "id": "t2", "title": "Sam's drawing", "for_family": "yes"}
    case = valid(
        formset,
        allocations=[ALLOCATION],
        case_notes=[NOTE, shared],
        attachments=[private_file, family_file],
    )
    family = for_audience(case, "family")
    assert family.records("allocations") == []
    assert [n["id"] for n in family.records("case_notes")] == ["n2"]
    # What was late, and why, is a professional matter.
    assert "late_reason" not in family.records("case_notes")[0]
    assert "written_at" not in family.records("case_notes")[0]
    assert [a["title"] for a in family.records("attachments")] == ["Sam's drawing"]
    events = " | ".join(e.event for e in chronology(family, family=True))
    assert "We agreed the plan." in events and "Sam's drawing" in events
    for secret in ("Saw Sam in his bedroom", "North locality", "Scanned letter"):
        assert secret not in events
    professional = " | ".join(e.event for e in chronology(for_audience(case, "professional")))
    for shown in ("Saw Sam in his bedroom", "North locality", "Scanned letter", "Sam's drawing"):
        assert shown in professional


def test_written_at_is_stamped_once_and_a_form_cannot_set_it(formset: FormSet) -> None:
    record = formset.records["case_note"]
    first = dt.datetime(2025, 3, 12, 9, 0, 30, 1234, tzinfo=dt.UTC)
    saved = keep_and_stamp(record, {"summary": "x", "written_at": "1999-01-01"}, None, first)
    assert saved["written_at"] == "2025-03-12T09:00:30+00:00"
    again = keep_and_stamp(
        record, {"summary": "y", "written_at": "1999-01-01"}, saved, first + dt.timedelta(days=3)
    )
    assert again["written_at"] == "2025-03-12T09:00:30+00:00"


def test_sign_off_is_stamped_when_the_manager_signs_off(formset: FormSet) -> None:
    record = formset.records["oversight_note"]
    now = dt.datetime(2025, 3, 6, 16, 0, tzinfo=dt.UTC)
    draft = keep_and_stamp(record, {"note": "x", "signed_off": "no"}, None, now)
    assert "signed_off_at" not in draft
    signed = keep_and_stamp(record, {"note": "x", "signed_off": "yes"}, draft, now)
    assert signed["signed_off_at"] == "2025-03-06T16:00:00+00:00"

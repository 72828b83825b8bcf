"""A small set of cases whose performance figures were worked out by hand (see each KPI's
expectation in test_reports.py): four requests, one a repeat for the same child, across the
late May bank holiday (Monday 25 May 2026), one closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import update

from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseRow
from tests.factories import (
    make_case,
    make_closure_data,
    make_document,
    make_notification_data,
    make_professional,
)

START = dt.date(2026, 5, 1)
END = dt.date(2026, 11, 30)


def _person(pid: str, given: str, family: str, born: str, gender: str, category: str = "child"):
    return {
        "id": pid,
        "given_name": given,
        "family_name": family,
        "category": category,
        "date_of_birth": born,
        "gender": gender,
    }


def _case(
    reference: str,
    child: dict[str, Any],
    received: str,
    source: str,
    reasons: list[str],
    decision: str | None = None,
    decided: str | None = None,
    **records: Any,
) -> dict[str, Any]:
    referrer = make_notification_data()["referrer"] | {"date": received, "agency_type": source}
    hub: dict[str, Any] = {}
    if decision:
        hub = {
            "checks_made": "Case management system: no history",
            "known_to_social_care": "no",
            "decision": decision,
            "decision_date": decided,
        }
        if decision.startswith("locality"):
            hub["team_allocated"] = "South Locality Early Help Team"
    reason = make_notification_data()["reason"] | {"presenting_needs": reasons}
    notification = make_notification_data(
        referrer=referrer,
        hub=hub,
        reason=reason,
        children={"children": [{"child": child["id"], "reason_included": "The worry"}]},
    )
    parent = _person("p1", "Kerry", "Parent", "1988", "female", "parent_carer")
    documents = [make_document("notification", notification, doc_id="n1")]
    documents += records.pop("documents", [])
    return make_case(
        reference=reference,
        index_person=child["id"],
        people=[child, parent],
        relationships=[
            {
                "id": "r1",
                "kind": "parent",
                "person_a": "p1",
                "person_b": child["id"],
                "parent_type": "birth",
            }
        ],
        households=[{"id": "h1", "name": "Home", "members": ["p1", child["id"]]}],
        consents=[
            {
                "id": "k1",
                "given_by": "p1",
                "basis": "parental_responsibility",
                "scope": ["this_request"],
                "method": "written",
                "date": received,
            }
        ],
        documents=documents,
        **records,
    )


def visit(date: str, kind: str = "home_visit") -> dict[str, Any]:
    return {
        "id": f"v{date}",
        "kind": kind,
        "date": date,
        "summary": "Visited the family",
        "family_visible": "no",
    }


SAM = _person("c1", "Sam", "Morgan", "2017-05-14", "male")
AMIRA = _person("c2", "Amira", "Khan", "2020-02-10", "female")
LEO = _person("c3", "Leo", "Ward", "2024-01-01", "male")

CASES = [
    # Received on the Friday before the bank holiday: allocated on the Wednesday after, which
    # is 2 working days (Tue 26, Wed 27); first visit Wed 3 June, 5 working days later.
    _case(
        "EH-2026-0101",
        SAM,
        "2026-05-22",
        "school",
        ["school_attendance", "parenting"],
        "locality_level_3",
        "2026-05-26",
        allocations=[{"id": "a1", "kind": "allocation", "date": "2026-05-27"}],
        case_notes=[
            visit("2026-06-03"),
            visit("2026-11-10", "school_visit"),
            {
                "id": "ph",
                "kind": "phone_call",
                "date": "2026-11-27",
                "summary": "Call",
                "family_visible": "no",
            },
        ],
        oversight=[
            {
                "id": "o1",
                "kind": "oversight",
                "point": "review",
                "date": "2026-11-20",
                "note": "Reviewed",
            }
        ],
        professionals=[make_professional(id="w1", agency_type="school")],
        outcome_scores=[
            {
                "id": "s1",
                "area": "education",
                "stage": "assessment",
                "date": "2026-06-03",
                "score": 3,
            },
            {"id": "s2", "area": "education", "stage": "review", "date": "2026-11-10", "score": 7},
        ],
    ),
    # Allocated 4 working days after the request, first seen 6 working days after that;
    # closed on 30 September, 121 days after the request.
    _case(
        "EH-2026-0102",
        AMIRA,
        "2026-06-01",
        "health_visiting",
        ["domestic_abuse"],
        "locality_level_2",
        "2026-06-02",
        allocations=[{"id": "a1", "kind": "allocation", "date": "2026-06-05"}],
        case_notes=[visit("2026-06-15")],
        outcome_scores=[
            {
                "id": "s1",
                "area": "education",
                "stage": "assessment",
                "date": "2026-06-15",
                "score": 5,
            },
            {"id": "s2", "area": "education", "stage": "closure", "date": "2026-09-30", "score": 6},
        ],
        feedback=[{"id": "f1", "date": "2026-09-30", "stage": "closure", "rating": "4"}],
        professionals=[make_professional(id="w1")],
        documents=[
            make_document(
                "closure",
                make_closure_data(
                    closure={"date_of_closure": "2026-09-30", "reason": "needs_met"},
                    sign_off=make_closure_data()["sign_off"]
                    | {"manager_sign_off_date": "2026-09-30"},
                ),
                doc_id="cl1",
            )
        ],
    ),
    # Amira again, four months after her first request closed: a repeat within 12 months.
    _case(
        "EH-2026-0103",
        AMIRA,
        "2026-10-05",
        "school",
        ["domestic_abuse"],
        "signpost",
        "2026-10-06",
    ),
    # Not yet decided by the hub.
    _case("EH-2026-0104", LEO, "2026-11-02", "police", ["money"]),
]


def load(app: Flask, worker_id: int | None = None) -> dict[str, int]:
    """Store the cases; the first is allocated to `worker_id`. Their ids by reference."""
    store = get_storage(app).cases
    ids = {c["reference"]: store.create(c).id for c in CASES}
    if worker_id is not None:
        with get_storage(app).sessions.begin() as db:
            db.execute(
                update(CaseRow)
                .where(CaseRow.id == ids["EH-2026-0101"])
                .values(allocated_to=worker_id)
            )
    return ids

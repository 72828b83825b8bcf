"""Small valid cases built in code: one child, one parent, a completed notification."""

from __future__ import annotations

import copy
from typing import Any

REQUEST_DATE = "2025-03-03"  # a Monday, safely in the past for not_in_future


def make_notification_data(**sections: Any) -> dict[str, Any]:
    """The data of a notification with every required field answered; `sections` replace."""
    data: dict[str, Any] = {
        "safety": {"significant_harm": "no", "level_of_need": "2"},
        "consent": {"obtained": "yes", "given_by": "p1"},
        "referrer": {
            "name": "Ada Okafor",
            "role": "School nurse",
            "agency": "Riverside Primary School",
            "phone": "01632 960 001",
            "email": "ada.okafor@school.example",
            "date": REQUEST_DATE,
        },
        "children": {"children": [{"child": "c1", "reason_included": "The worry is about him"}]},
        "parents_carers": {
            "parents_carers": [
                {
                    "person": "p1",
                    "relationship": "Mum to Sam",
                    "parental_responsibility": "yes",
                    "lives_with_child": "yes",
                }
            ]
        },
        "agencies": {"existing_taf": "no"},
        "reason": {
            "presenting_needs": ["school_attendance"],
            "concern": "Sam has missed 20 days of school this term.",
            "going_well": "Sam and his mum are close.",
            "family_wants_to_change": "Mum wants Sam to get to school every day.",
        },
        "hub": {},
    }
    data.update(sections)
    return data


def make_document(
    form: str, data: dict[str, Any], *, doc_id: str | None = None, status: str = "completed"
) -> dict[str, Any]:
    return {"id": doc_id or form[:1] + "1", "form": form, "status": status, "data": data}


def make_case(**overrides: Any) -> dict[str, Any]:
    """A small valid case; each keyword replaces one top-level key of the case."""
    case: dict[str, Any] = {
        "format": "ehdocs-case",
        "format_version": 1,
        "reference": "EH-2026-0001",
        "family_name": "Morgan",
        "index_person": "c1",
        "people": [
            {
                "id": "c1",
                "given_name": "Sam",
                "family_name": "Morgan",
                "category": "child",
                "date_of_birth": "2017-05-14",
            },
            {
                "id": "p1",
                "given_name": "Kerry",
                "family_name": "Morgan",
                "category": "parent_carer",
                "date_of_birth": "1988",
            },
        ],
        "relationships": [
            {
                "id": "r1",
                "kind": "parent",
                "person_a": "p1",
                "person_b": "c1",
                "parent_type": "birth",
            }
        ],
        "households": [{"id": "h1", "name": "Mum's home", "members": ["p1", "c1"]}],
        "consents": [
            {
                "id": "k1",
                "given_by": "p1",
                "basis": "parental_responsibility",
                "scope": ["this_request"],
                "method": "written",
                "date": REQUEST_DATE,
            }
        ],
        "documents": [make_document("notification", make_notification_data(), doc_id="n1")],
    }
    case.update(copy.deepcopy(overrides))
    return case


def make_professional(**overrides: Any) -> dict[str, Any]:
    professional = {
        "id": "w1",
        "name": "Jo Adeyemi",
        "role": "Family support worker",
        "agency": "Early Help Service",
        "lead_practitioner": "yes",
    }
    professional.update(overrides)
    return professional


def make_closure_data(**sections: Any) -> dict[str, Any]:
    """A completed closure (needs met) with every required field answered; `sections` replace."""
    data: dict[str, Any] = {
        "closure": {"date_of_closure": "2025-09-01", "reason": "needs_met"},
        "outcomes": {"goal_outcomes": [{"goal": "Sam gets to school", "outcome": "met"}]},
        "final_scores": {"scores": [{"area": "education", "score": 8}]},
        "continuing_support": {"if_things_get_worse": "Call the Early Help Hub"},
        "sign_off": {
            "lead_practitioner": "w1",
            "who_has_been_told": "The family, the school and the GP",
            "closure_letter_sent": "yes",
            "manager_name": "Pat Lewis",
            "manager_sign_off_date": "2025-09-02",
        },
    }
    data.update(sections)
    return data


def make_tiny_case(
    data: dict[str, Any], *, form: str = "visit", status: str = "completed"
) -> dict[str, Any]:
    """A case holding one document of a tiny test form and no records."""
    return {
        "format": "ehdocs-case",
        "format_version": 1,
        "reference": "T-0001",
        "documents": [{"id": "d1", "form": form, "status": status, "data": data}],
    }


def make_council_case(**overrides: Any) -> dict[str, Any]:
    """make_case() for the example-council profile, which adds a required referrer.team."""
    case = make_case(profile="example-council", **overrides)
    case["documents"][0]["data"]["referrer"]["team"] = "Pastoral team"
    return case

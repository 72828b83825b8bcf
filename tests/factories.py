"""Small valid cases built in code: one child, one parent, a completed notification."""

from __future__ import annotations

import copy
from typing import Any

REQUEST_DATE = "2026-03-02"


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
            {"id": "r1", "kind": "parent", "person_a": "p1", "person_b": "c1", "parent_type": "birth"}
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

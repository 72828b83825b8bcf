"""Fictional case histories for demos and benchmarks (`ehdocs demo generate`): a family, a
request to the hub, its decision, allocation, visits every two weeks or so, oversight notes,
outcome scores, and for many a closure with the family's feedback. Names and addresses come
from Faker's en_GB provider; nothing is a real person. The same seed gives the same cases."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from faker import Faker

SOURCES = ["school", "health_visiting", "police", "gp", "housing", "voluntary", "early_years"]
NEEDS = [
    "school_attendance", "parenting", "domestic_abuse", "money", "housing", "behaviour",
    "emotional_wellbeing", "family_conflict", "parental_mental_health", "send",
]  # fmt: skip
DECISIONS = ["locality_level_2", "locality_level_3", "locality_level_3", "signpost", "advice"]
VISITS = ["home_visit", "home_visit", "school_visit", "virtual_visit"]
AREAS = ["education", "emotional_wellbeing", "family_relationships", "parenting"]


def generate(count: int, seed: int = 1, today: dt.date | None = None) -> Iterator[dict[str, Any]]:
    """`count` valid cases (the case JSON format), requests spread over the two years before
    `today`."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    today = today or dt.date.today()
    for n in range(count):
        yield _case(n, fake, rng, today)


def _day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randrange(max((high - low).days, 0) + 1))


def _case(n: int, fake: Faker, rng: random.Random, today: dt.date) -> dict[str, Any]:
    surname = fake.last_name()
    received = _day(rng, today - dt.timedelta(days=730), today - dt.timedelta(days=3))
    mum = {
        "id": "p1", "given_name": fake.first_name_female(), "family_name": surname,
        "category": "parent_carer", "gender": "female",
        "date_of_birth": str(received.year - rng.randrange(20, 45)),
        "address": fake.street_address(), "postcode": fake.postcode(),
    }  # fmt: skip
    children = [
        {
            "id": f"c{i}",
            "given_name": fake.first_name_male() if boy else fake.first_name_female(),
            "family_name": surname, "category": "child", "gender": "male" if boy else "female",
            "date_of_birth": _day(rng, received - dt.timedelta(days=17 * 365),
                                  received - dt.timedelta(days=60)).isoformat(),
        }
        for i in range(1, rng.randrange(2, 5))
        for boy in [rng.random() < 0.5]
    ]  # fmt: skip
    worker = {"id": "w1", "name": fake.name(), "role": "Family support worker",
              "agency": "Early Help Service", "agency_type": "early_help",
              "lead_practitioner": "yes"}  # fmt: skip
    decision = rng.choice(DECISIONS)
    decided = received + dt.timedelta(days=rng.randrange(0, 4))
    hub: dict[str, Any] = {
        "checks_made": "Case management system and police checked: nothing known",
        "known_to_social_care": "no", "decision": decision, "decision_date": decided.isoformat(),
    }  # fmt: skip
    if decision.startswith("locality"):
        hub["team_allocated"] = "North locality team"
    notification = {
        "safety": {"significant_harm": "no", "level_of_need": "3" if "3" in decision else "2"},
        "consent": {"obtained": "yes", "given_by": "p1"},
        "referrer": {
            "name": fake.name(), "role": "Designated safeguarding lead",
            "agency": f"{fake.city()} Primary School", "agency_type": rng.choice(SOURCES),
            "phone": "01632 960 001", "email": "referrer@school.example",
            "date": received.isoformat(),
        },
        "children": {"children": [{"child": c["id"], "reason_included": "The worry is about them"}
                                  for c in children]},
        "parents_carers": {"parents_carers": [{"person": "p1", "relationship": "Mum",
                                               "parental_responsibility": "yes",
                                               "lives_with_child": "yes"}]},
        "agencies": {"existing_taf": "no"},
        "reason": {"presenting_needs": rng.sample(NEEDS, rng.randrange(1, 4)),
                   "concern": "The school is worried about attendance and behaviour at home.",
                   "going_well": "The family are close.",
                   "family_wants_to_change": "Mum wants calmer mornings."},
        "hub": hub,
    }  # fmt: skip
    case: dict[str, Any] = {
        "format": "ehdocs-case", "format_version": 1, "reference": f"EH-DEMO-{n + 1:06d}",
        "family_name": surname, "index_person": children[0]["id"],
        "people": [*children, mum],
        "relationships": [{"id": f"r{c['id']}", "kind": "parent", "person_a": "p1",
                           "person_b": c["id"], "parent_type": "birth"} for c in children],
        "households": [{"id": "h1", "name": "Home", "members": ["p1", *(c["id"] for c in children)],
                        "address": mum["address"], "postcode": mum["postcode"]}],
        "consents": [{"id": "k1", "given_by": "p1", "basis": "parental_responsibility",
                      "scope": ["this_request"], "method": "written",
                      "date": received.isoformat()}],
        "professionals": [worker],
        "documents": [{"id": "n1", "form": "notification", "status": "completed",
                       "data": notification}],
    }  # fmt: skip
    if decision.startswith("locality"):
        _casework(case, fake, rng, decided, today)
    return case


def _casework(
    case: dict[str, Any], fake: Faker, rng: random.Random, decided: dt.date, today: dt.date
) -> None:
    allocated = min(decided + dt.timedelta(days=rng.randrange(0, 4)), today)
    case["allocations"] = [
        {"id": "al1", "kind": "allocation", "date": allocated.isoformat(),
         "team": "North locality team", "worker": "worker@council.example"}
    ]  # fmt: skip
    closes = rng.random() < 0.6
    end = min(allocated + dt.timedelta(days=rng.randrange(60, 240)), today)
    notes: list[dict[str, Any]] = []
    oversight: list[dict[str, Any]] = []
    day = allocated
    while True:
        day += dt.timedelta(days=rng.randrange(3, 20))
        if day > end:
            break
        notes.append({
            "id": f"cn{len(notes) + 1}", "kind": rng.choice(VISITS), "date": day.isoformat(),
            "people_seen": [c["id"] for c in case["people"] if c["category"] == "child"],
            "summary": fake.paragraph(nb_sentences=3), "family_visible": "no",
        })  # fmt: skip
        if rng.random() < 0.25:
            oversight.append({
                "id": f"ov{len(oversight) + 1}", "kind": "supervision", "point": "supervision",
                "date": day.isoformat(), "note": "Discussed progress and the plan.",
            })  # fmt: skip
    case["case_notes"] = notes
    case["oversight"] = oversight
    scores = []
    for area in rng.sample(AREAS, 2):
        first = rng.randrange(2, 7)
        scores.append({"id": f"{area}-1", "area": area, "stage": "assessment",
                       "date": min(allocated + dt.timedelta(days=10), today).isoformat(),
                       "score": first})  # fmt: skip
        scores.append({"id": f"{area}-2", "area": area, "stage": "closure" if closes else "review",
                       "date": end.isoformat(),
                       "score": max(1, min(10, first + rng.randrange(-1, 5)))})  # fmt: skip
    case["outcome_scores"] = scores
    if closes and end < today:
        case["feedback"] = [
            {"id": "fb1", "date": end.isoformat(), "stage": "closure",
             "rating": str(rng.randrange(3, 6)), "comments": "It helped us."}
        ]  # fmt: skip
        case["documents"].append({
            "id": "cl1", "form": "closure", "status": "completed",
            "data": {
                "closure": {"date_of_closure": end.isoformat(), "reason": "needs_met"},
                "outcomes": {"goal_outcomes": [{"goal": "Mornings are calmer", "outcome": "met"}]},
                "final_scores": {"scores": [{"area": "education", "score": 7}]},
                "continuing_support": {"if_things_get_worse": "Call the Early Help Hub"},
                "sign_off": {"lead_practitioner": "w1",
                             "who_has_been_told": "The family and the school",
                             "closure_letter_sent": "yes", "manager_name": fake.name(),
                             "manager_sign_off_date": end.isoformat()},
            },
        })  # fmt: skip

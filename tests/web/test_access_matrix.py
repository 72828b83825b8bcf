"""The role × case × action matrix (issue #15), on SQLite and PostgreSQL.

A hand-written table says what each person is to each case (nothing, a Team Around the Family
member, a reader, an editor, the manager) and what each action needs; every cell is a real
request through the app, asserting the exact status and that a refused response says nothing
of any case (its reference, its family name). POSTs that pass the policy are sent without the
case version, so the view answers 400 and nothing changes: the policy, not the view, is tested.
One app per database for the whole module, one signed-in client per person.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, CaseRow, Submission
from tests.factories import make_case, make_document, make_professional
from tests.web.accounts import sign_in, team, user
from tests.web.conftest import DATABASES, AppBuilder, QualityClient

# -- the world -----------------------------------------------------------------------------------

PEOPLE = {  # name: (role, e-mail, teams)
    "hub": (roles.HUB_ADVISER, "hub@council.example", ("Hub",)),
    "p1": (roles.PRACTITIONER, "p1@council.example", ("Team A",)),
    "p2": (roles.PRACTITIONER, "p2@council.example", ("Team A",)),
    "mgr_a": (roles.TEAM_MANAGER, "mgr.a@council.example", ("Team A",)),
    "mgr_b": (roles.TEAM_MANAGER, "mgr.b@council.example", ("Team B",)),
    "lead": (roles.PARTNER, "lead@charity.example", ()),
    "taf": (roles.PARTNER, "taf@school.example", ()),
    "denied": (roles.PARTNER, "denied@health.example", ()),
    "dpo": (roles.DPO, "dpo@council.example", ()),
    "admin": (roles.ADMIN, "admin@council.example", ()),
    "anonymous": (None, "", ()),
}

# What each person is to each case: - nothing, T on the TAF, R reads, E edits, M manages.
#           with_hub  team_a  team_b
RELATIONS = {
    "hub": ("E", "-", "-"),
    "p1": ("-", "E", "-"),  # allocated the team A case
    "p2": ("-", "R", "-"),  # same team, not allocated
    "mgr_a": ("-", "M", "-"),
    "mgr_b": ("-", "-", "M"),
    "lead": ("-", "-", "E"),  # the partner lead professional of the team B case
    "taf": ("-", "T", "-"),
    "denied": ("-", "-", "-"),  # on the TAF of the team A case, but the consent says no
    "dpo": ("-", "-", "-"),
    "admin": ("-", "-", "-"),
    "anonymous": ("-", "-", "-"),
}
CASES = ("with_hub", "team_a", "team_b")
FAMILIES = {"with_hub": "Hubbard", "team_a": "Aldridge", "team_b": "Barrowman"}
REFERENCES = {"with_hub": "EH-2026-0101", "team_a": "EH-2026-0102", "team_b": "EH-2026-0103"}

VIEW, TAF_EDIT, EDIT = "TREM", "TEM", "EM"
READ_ALL = "REM"


@dataclass(frozen=True)
class CaseAction:
    name: str
    method: str
    path: str  # under /cases/<id>/
    needs: str  # the relations that may
    ok: int  # the status when allowed


CASE_ACTIONS = [
    CaseAction("overview", "GET", "", VIEW, 200),
    CaseAction("records", "GET", "records/person", VIEW, 200),
    CaseAction("record page", "GET", "records/person/c1", EDIT, 200),
    CaseAction("record change", "POST", "records/person/c1", EDIT, 400),
    CaseAction("record remove page", "GET", "records/person/c1/remove", EDIT, 200),
    CaseAction("record remove", "POST", "records/person/c1/remove", EDIT, 400),
    CaseAction("record new", "POST", "records/professional/new", EDIT, 400),
    CaseAction("document new", "POST", "documents/new/review", EDIT, 400),
    CaseAction("document task list", "GET", "documents/n1", VIEW, 200),
    CaseAction("document resume", "GET", "documents/n1/continue", VIEW, 302),
    CaseAction("document check", "GET", "documents/n1/check", VIEW, 200),
    CaseAction("document complete", "POST", "documents/n1/check", EDIT, 400),
    CaseAction("section page", "GET", "documents/n1/sections/referrer", EDIT, 200),
    CaseAction("section change", "POST", "documents/n1/sections/referrer", EDIT, 400),
    CaseAction("TAF section page", "GET", "documents/r1/sections/updates", TAF_EDIT, 200),
    CaseAction("TAF section change", "POST", "documents/r1/sections/updates", TAF_EDIT, 400),
    CaseAction("non-TAF review section", "GET", "documents/r1/sections/decision", EDIT, 200),
    CaseAction("correct a person page", "GET", "people/c1/correct", EDIT, 200),
    CaseAction("correct a person", "POST", "people/c1/correct", EDIT, 400),  # no version
    CaseAction("share page", "GET", "share", EDIT, 200),
    CaseAction("share by link", "POST", "share", EDIT, 400),  # no address
    CaseAction("protected PDF", "POST", "share/protected", EDIT, 400),  # nothing chosen
    CaseAction("letters page", "GET", "letters/", EDIT, 200),
    CaseAction("letter page", "GET", "letters/allocation", EDIT, 200),
    CaseAction("letter produce", "POST", "letters/allocation", EDIT, 400),  # no version
    *[
        CaseAction(
            f"download {audience} {fmt}",
            "GET",
            f"documents/n1/{audience}.{fmt}",
            VIEW if audience == "professional" else READ_ALL,
            200,
        )
        for audience in ("professional", "family")
        for fmt in ("pdf", "docx")
    ],
    *[
        CaseAction(f"pack {audience} {fmt}", "GET", f"pack/{audience}.{fmt}", READ_ALL, 200)
        for audience in ("professional", "family")
        for fmt in ("pdf", "docx")
    ],
]


@dataclass(frozen=True)
class RoleAction:
    name: str
    method: str
    path: str  # {submission} is the hub submission's reference
    who: frozenset[str]
    ok: int


CASE_READERS = frozenset({"hub", "p1", "p2", "mgr_a", "mgr_b", "lead", "taf", "denied"})
ROLE_ACTIONS = [
    RoleAction("cases list", "GET", "/cases/", CASE_READERS, 200),
    RoleAction("new case page", "GET", "/cases/new", frozenset({"hub"}), 200),
    RoleAction("new case", "POST", "/cases/new", frozenset({"hub"}), 200),  # no reference
    RoleAction("hub queue", "GET", "/hub/", frozenset({"hub"}), 200),
    RoleAction("upload page", "GET", "/hub/upload", frozenset({"hub"}), 200),
    RoleAction("upload", "POST", "/hub/upload", frozenset({"hub"}), 400),  # no file
    RoleAction("submission", "GET", "/hub/submissions/{submission}", frozenset({"hub"}), 200),
    RoleAction(
        "original file", "GET", "/hub/submissions/{submission}/original", frozenset({"hub"}), 200
    ),
    # Not ready to accept (never read): the hub is sent back to the submission.
    RoleAction("accept", "POST", "/hub/submissions/{submission}/accept", frozenset({"hub"}), 302),
    RoleAction("retention", "GET", "/retention/", frozenset({"dpo"}), 200),
    RoleAction("legal hold", "POST", "/retention/holds", frozenset({"dpo"}), 400),  # no reference
    RoleAction("lift a hold", "POST", "/retention/holds/1/lift", frozenset({"dpo"}), 302),
    RoleAction("subject access", "GET", "/subject-access/", frozenset({"dpo"}), 200),
    RoleAction("subject search", "POST", "/subject-access/", frozenset({"dpo"}), 400),  # empty
    RoleAction("subject pack", "POST", "/subject-access/pack", frozenset({"dpo"}), 400),
    RoleAction("restrictions", "GET", "/rights/restrictions", frozenset({"dpo"}), 200),
    RoleAction("restrict", "POST", "/rights/restrictions", frozenset({"dpo"}), 400),  # empty
    RoleAction("lift", "POST", "/rights/restrictions/1/lift", frozenset({"dpo"}), 302),
]
# Case actions the data protection officer may take on any case, without seeing it otherwise:
# correcting a person found by subject access.
DPO_ON_ANY_CASE = frozenset({"correct a person page", "correct a person"})
BREAK_GLASS = frozenset({"hub", "mgr_a", "mgr_b", "dpo"})
# A letter goes out on the council's letterhead: not a partner's, even the lead professional's.
NOT_FOR_PARTNERS = frozenset({"letters page", "letter page", "letter produce"})


# -- fixtures ------------------------------------------------------------------------------------


@dataclass
class World:
    app: Flask
    cases: dict[str, int]
    clients: dict[str, QualityClient]
    submission: str


def _case(name: str, professionals: list[dict[str, Any]], not_shared: list[str]) -> dict[str, Any]:
    raw = make_case(
        reference=REFERENCES[name],
        family_name=FAMILIES[name],
        professionals=professionals,
    )
    raw["consents"][0]["not_shared_with_professionals"] = not_shared
    raw["documents"].append(make_document("review", {}, doc_id="r1", status="draft"))
    return raw


@pytest.fixture(scope="module", params=DATABASES)
def world(request: pytest.FixtureRequest, app_builder: AppBuilder) -> Iterator[World]:
    app = app_builder.build(request.param, WTF_CSRF_ENABLED=False)
    teams = {
        n: team(app, n, "hub" if n == "Hub" else "locality") for n in ("Hub", "Team A", "Team B")
    }
    ids = {
        name: user(app, role, email, [teams[t] for t in member_of])
        for name, (role, email, member_of) in PEOPLE.items()
        if role is not None
    }
    store = get_storage(app).cases
    made = {
        "with_hub": store.create(_case("with_hub", [], [])),
        "team_a": store.create(
            _case(
                "team_a",
                [
                    make_professional(id="pr1", email="TAF@school.example", lead_practitioner="no"),
                    make_professional(
                        id="pr2", email="denied@health.example", lead_practitioner="no"
                    ),
                ],
                ["pr2"],
            )
        ),
        "team_b": store.create(
            _case("team_b", [make_professional(id="pr1", email="lead@charity.example")], [])
        ),
    }
    with get_storage(app).sessions() as db, db.begin():
        db.get_one(CaseRow, made["team_a"].id).team_id = teams["Team A"]
        db.get_one(CaseRow, made["team_a"].id).allocated_to = ids["p1"]
        db.get_one(CaseRow, made["team_b"].id).team_id = teams["Team B"]
        original = b"%PDF-1.4 a partner's form"
        digest = get_storage(app).blobs.put(original)
        db.add(
            Submission(
                reference="HUB-MATRIX-1",
                sha256=digest,
                size=len(original),
                media="pdf",
                source="upload",
                status="received",
            )
        )
    clients = {}
    for name in PEOPLE:
        client = app.test_client()
        assert isinstance(client, QualityClient)
        if name != "anonymous":
            sign_in(client, ids[name])
        clients[name] = client
    yield World(app, {n: s.id for n, s in made.items()}, clients, "HUB-MATRIX-1")
    app_builder.close(app)


def _expected_case(person: str, case: str, action: CaseAction) -> int:
    relation = RELATIONS[person][CASES.index(case)]
    if person == "anonymous":
        return SIGN_IN[action.method]
    if person == "dpo" and action.name in DPO_ON_ANY_CASE:
        return action.ok
    if relation == "-":
        return 404
    if action.name in NOT_FOR_PARTNERS and PEOPLE[person][0] == roles.PARTNER:
        return 403
    return action.ok if relation in action.needs else 403


def _expected_role(person: str, method: str, who: frozenset[str], ok: int) -> int:
    if person == "anonymous":
        return SIGN_IN[method]
    return ok if person in who else 403


SIGN_IN = {"GET": 302, "POST": 401}  # a page redirects to sign in; a POST is refused


# -- the matrix ----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", list(PEOPLE))
def test_matrix(world: World, person: str) -> None:
    client = world.clients[person]
    wrong: list[str] = []
    for case in CASES:
        for action in CASE_ACTIONS:
            url = f"/cases/{world.cases[case]}/{action.path}".rstrip("/")
            expected = _expected_case(person, case, action)
            _check(wrong, client, action.method, url, expected, person == "anonymous")
        url = f"/cases/{world.cases[case]}/break-glass"
        expected = _expected_role(person, "GET", BREAK_GLASS, 200)
        _check(wrong, client, "GET", url, expected, person == "anonymous")
    for role_action in ROLE_ACTIONS:
        url = role_action.path.format(submission=world.submission)
        expected = _expected_role(person, role_action.method, role_action.who, role_action.ok)
        _check(wrong, client, role_action.method, url, expected, person == "anonymous")
    assert wrong == [], f"{person}:\n  " + "\n  ".join(wrong)


def _check(
    wrong: list[str], client: QualityClient, method: str, url: str, expected: int, anonymous: bool
) -> None:
    response = client.get(url) if method == "GET" else client.post(url, data={})
    status = response.status_code
    if status != expected:
        wrong.append(f"{method} {url}: {status}, not {expected}")
    location = response.headers.get("Location", "")
    refused = status in (401, 403, 404) or location.startswith("/sign-in")
    if refused:
        body = response.get_data(as_text=True) + location
        leaks = [s for s in [*REFERENCES.values(), *FAMILIES.values()] if s in body]
        if leaks:
            wrong.append(f"{method} {url}: the refusal shows {leaks}")
    if anonymous and status == 302 and not location.startswith("/sign-in?next=/"):
        wrong.append(f"{method} {url}: redirected to {location}, not to sign in")


def test_the_cases_list_shows_exactly_the_cases_each_person_may_see(world: World) -> None:
    for person, relations in RELATIONS.items():
        if person not in CASE_READERS:
            continue
        text = world.clients[person].get("/cases/").get_data(as_text=True)
        shown = {case for case in CASES if REFERENCES[case] in text}
        expected = {case for case, rel in zip(CASES, relations, strict=True) if rel != "-"}
        assert shown == expected, person


def test_a_refusal_is_audited_without_content(world: World) -> None:
    case_id = world.cases["team_a"]
    assert world.clients["denied"].get(f"/cases/{case_id}").status_code == 404
    with get_storage(world.app).sessions() as db:
        last = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.actor, last.outcome, last.case_id) == ("denied@health.example", "refused", case_id)
    assert last.action == "case.view"
    assert not any(s in str(last.detail) for s in [*REFERENCES.values(), *FAMILIES.values()])

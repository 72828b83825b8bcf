"""A Team Around the Family member writes only their own rows (issue #15): the plan's actions
they will do, their own practitioner update at a review; every row of someone else comes back
as it was, whatever the page sends. The lead professional still edits every row."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.access.ownership import others_rows_changed
from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseRow
from tests.factories import make_case, make_document, make_professional
from tests.web.accounts import sign_in, signed_in_client, team, user
from tests.web.conftest import AppBuilder, QualityClient

MINE = {"action": "Walk Sam to the breakfast club", "who_professional": "pr1"}
THEIRS = {"action": "Home visit every week", "who_professional": "w1"}
NOBODYS = {"action": "Mum rings the school on Mondays", "who_other": "Mum"}


@pytest.fixture
def world(app_builder: AppBuilder) -> Any:
    app = app_builder.build("sqlite", WTF_CSRF_ENABLED=False)
    raw = make_case(
        professionals=[
            make_professional(id="w1", email="lead@council.example"),
            make_professional(id="pr1", email="teacher@school.example", lead_practitioner="no"),
        ]
    )
    plan = {"actions": {"actions": [dict(MINE), dict(THEIRS), dict(NOBODYS)]}}
    raw["documents"].append(make_document("plan", plan, doc_id="p1", status="draft"))
    stored = get_storage(app).cases.create(raw)
    team_a = team(app, "Team A")
    lead = user(app, roles.PRACTITIONER, "lead@council.example", [team_a])
    with get_storage(app).sessions() as db, db.begin():
        row = db.get_one(CaseRow, stored.id)
        row.team_id, row.allocated_to = team_a, lead
    app.config["TEST_LEAD"] = lead
    yield app, stored.id
    app_builder.close(app)


def _actions(app: Flask, case_id: int) -> list[dict[str, Any]]:
    with get_storage(app).sessions() as db:
        assert db.scalar(select(CaseRow.id).where(CaseRow.id == case_id)) == case_id
    stored = get_storage(app).cases.get(case_id)
    plan = next(d for d in stored.raw["documents"] if d["id"] == "p1")
    return [
        {k: v for k, v in row.items() if k in ("action", "who_professional", "who_other")}
        for row in plan["data"]["actions"]["actions"]
    ]


def _teacher(app: Flask) -> QualityClient:
    client: QualityClient = signed_in_client(app, roles.PARTNER, "teacher@school.example")
    return client


def _url(case_id: int) -> str:
    return f"/cases/{case_id}/documents/p1/sections/actions"


def test_a_taf_member_changes_their_own_action(world: Any) -> None:
    app, case_id = world
    client = _teacher(app)
    response = client.submit(
        _url(case_id), {"actions-actions-0-action": "Walk Sam to school and breakfast club"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _actions(app, case_id)[0]["action"] == "Walk Sam to school and breakfast club"
    assert _actions(app, case_id)[1] == THEIRS


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"actions-actions-1-action": "No more home visits"}, "Action 2 is not yours"),
        ({"actions-actions-2-action": "Nobody rings"}, "Action 3 is not yours"),
        ({"actions-actions-0-who_professional": "w1"}, "Action 1 is not yours"),
    ],
)
def test_a_taf_member_cannot_change_someone_elses_action(
    world: Any, changes: dict[str, str], message: str
) -> None:
    app, case_id = world
    client = _teacher(app)
    before = _actions(app, case_id)
    response = client.submit(_url(case_id), changes)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert message in text and "govuk-error-summary" in text
    assert changes[next(iter(changes))] in text  # what they typed is still on the page
    assert _actions(app, case_id) == before


def test_a_taf_member_cannot_remove_someone_elses_action(world: Any) -> None:
    app, case_id = world
    client = _teacher(app)
    response = client.submit(_url(case_id), action="remove:actions-actions:1")
    assert response.status_code == 200
    assert "You removed 1 action of someone else" in response.get_data(as_text=True)
    assert len(_actions(app, case_id)) == 3


def test_the_lead_professional_changes_any_action(world: Any) -> None:
    app, case_id = world
    lead = app.test_client()
    assert isinstance(lead, QualityClient)
    sign_in(lead, app.config["TEST_LEAD"])
    response = lead.submit(_url(case_id), {"actions-actions-1-action": "Fortnightly visits"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _actions(app, case_id)[1]["action"] == "Fortnightly visits"


def test_rows_are_compared_by_content_so_reordering_and_empty_rows_are_not_changes() -> None:
    section = next(s for s in load_formset().forms["plan"].sections if s.id == "actions")
    before = {"actions": [MINE, THEIRS]}
    after = {"actions": [THEIRS, MINE, {}]}
    assert others_rows_changed(section, before, after, frozenset({"pr1"}), "plan p1") == []
    changed = {"actions": [THEIRS | {"action": "x"}, MINE]}
    problems = others_rows_changed(section, before, changed, frozenset({"pr1"}), "plan p1")
    assert [p.path for p in problems] == ["actions.actions[0].who_professional"]

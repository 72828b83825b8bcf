"""Allocation (issue 13): the hub sends a case to a team, a manager gives it to a worker, a
transfer needs a handover summary; the case's team and worker and the allocation record change
in one audited save."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, CaseRow
from tests.factories import make_case
from tests.web.accounts import sign_in, team, user
from tests.web.conftest import QualityClient


def _case(app: Flask) -> int:
    return get_storage(app).cases.create(make_case(reference="EH-2026-0042")).id


def _post(client: QualityClient, case_id: int, holder: str, summary: str = "") -> Any:
    changes = {"holder": holder, "handover_summary": summary}
    return client.submit(f"/cases/{case_id}/allocation", changes)


def test_hub_to_team_to_worker_then_a_transfer_with_a_handover(
    app: Flask, client: QualityClient
) -> None:
    north, south = team(app, "North locality"), team(app, "South locality")
    hub = user(app, roles.HUB_ADVISER, "hub@council.example", [team(app, "Hub", "hub")])
    manager = user(app, roles.TEAM_MANAGER, "mo@council.example", [north, south])
    ann = user(app, roles.PRACTITIONER, "ann@council.example", [north])
    bo = user(app, roles.PRACTITIONER, "bo@council.example", [south])
    case_id = _case(app)

    sign_in(client, hub)
    page = client.get(f"/cases/{case_id}/allocation")
    assert page.status_code == 200
    assert "North locality: ann (ann@council.example)" in page.get_data(as_text=True)
    overview = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'href="/cases/{case_id}/allocation"' in overview  # the case page offers it
    sent = _post(client, case_id, f"{north}:")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    # The case is the team's now: the hub adviser goes back to the cases, not to a "not found".
    assert sent.headers["Location"] == "/cases/"
    assert "allocated to North locality" in client.get("/cases/").get_data(as_text=True)
    stored = get_storage(app).cases.get(case_id)
    assert (stored.team_id, stored.allocated_to) == (north, None)
    assert [(a["kind"], a["team"]) for a in stored.raw["allocations"]] == [
        ("allocation", "North locality")
    ]

    sign_in(client, manager)
    assert _post(client, case_id, f"{north}:{ann}").status_code == 302
    # The team's first worker: an allocation (no handover needed), not a transfer.
    stored = get_storage(app).cases.get(case_id)
    assert stored.allocated_to == ann
    assert stored.raw["allocations"][-1]["kind"] == "allocation"
    assert stored.raw["allocations"][-1]["worker"] == "ann@council.example"
    handover = "Mum prefers morning visits; school meeting on 4 March."
    stored_before = stored
    refused = _post(client, case_id, f"{south}:{bo}")
    assert refused.status_code == 400
    assert "Enter a handover summary" in refused.get_data(as_text=True)
    assert get_storage(app).cases.get(case_id).version == stored_before.version  # nothing stored
    assert _post(client, case_id, f"{south}:{bo}", handover).status_code == 302
    stored = get_storage(app).cases.get(case_id)
    assert (stored.team_id, stored.allocated_to) == (south, bo)
    last = stored.raw["allocations"][-1]
    assert last["kind"] == "transfer"
    assert (last["from_team"], last["from_worker"]) == ("North locality", "ann@council.example")
    assert (last["team"], last["worker"], last["handover_summary"]) == (
        "South locality",
        "bo@council.example",
        handover,
    )
    with get_storage(app).sessions() as db:
        actions = db.scalars(
            select(AuditEntry.action).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)
        ).all()
        assert actions.count("case.allocate") == 3
        row = db.get(CaseRow, case_id)
        assert row is not None and row.team_id == south


def test_a_practitioner_cannot_allocate(app: Flask, client: QualityClient) -> None:
    north = team(app, "North locality")
    ann = user(app, roles.PRACTITIONER, "ann@council.example", [north])
    case_id = _case(app)
    with get_storage(app).sessions() as db, db.begin():
        row = db.get(CaseRow, case_id)
        assert row is not None
        row.team_id, row.allocated_to = north, ann
    sign_in(client, ann)
    assert client.get(f"/cases/{case_id}/allocation").status_code == 403
    sent = client.post(f"/cases/{case_id}/allocation", data={"holder": f"{north}:"})
    assert sent.status_code in (400, 403)
    assert not get_storage(app).cases.get(case_id).raw.get("allocations")


def test_each_save_keeps_the_cases_timescale_items_current(app: Flask) -> None:
    from ehdocs.storage.models import CaseDueItem
    from tests.factories import make_document, make_notification_data

    data = make_notification_data()
    data["hub"] = {
        "decision": "locality_level_2",
        "team_allocated": "North locality",
        "decision_date": "2025-03-04",
        "checks_made": "Police and school",
        "known_to_social_care": "no",
    }
    raw = make_case(documents=[make_document("notification", data, doc_id="n1")])
    store = get_storage(app).cases
    stored = store.create(raw)

    def rows() -> dict[str, tuple[str, object]]:
        with get_storage(app).sessions() as db:
            found = db.scalars(select(CaseDueItem).where(CaseDueItem.case_id == stored.id))
            return {r.item: (r.status, r.met_on) for r in found}

    assert rows()["hub_decided"][0] == "met_in_time"
    assert "first_visited" in rows() and rows()["first_visited"][1] is None
    raw = dict(stored.raw)
    raw["case_notes"] = [
        {
            "id": "n1",
            "kind": "home_visit",
            "date": "2025-03-06",
            "summary": "Saw Sam.",
            "family_visible": "no",
        }
    ]
    store.save(stored.id, raw, stored.version)
    status, met_on = rows()["first_visited"]
    assert status == "met_in_time" and str(met_on) == "2025-03-06"
    assert "visit" in rows()

"""My work (issue 13): a practitioner's cases with the next due item and what is overdue, from
the rows kept on save; recording the visit turns the item to met."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from ehdocs.access import roles
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseRow
from tests.factories import make_case, make_document, make_notification_data
from tests.web.accounts import sign_in, team, user
from tests.web.conftest import QualityClient


def test_my_work_shows_a_visit_due_then_met(app: Flask, client: QualityClient) -> None:
    north = team(app, "North locality")
    ann = user(app, roles.PRACTITIONER, "ann@council.example", [north])
    decided = dt.date.today() - dt.timedelta(days=1)
    data = make_notification_data()
    data["referrer"] = {**data["referrer"], "date": decided.isoformat()}
    data["hub"] = {
        "decision": "locality_level_2",
        "team_allocated": "North locality",
        "decision_date": decided.isoformat(),
        "checks_made": "Police and school",
        "known_to_social_care": "no",
    }
    raw = make_case(
        reference="EH-2026-0077",
        documents=[make_document("notification", data, doc_id="n1")],
        allocations=[
            {
                "id": "al1",
                "kind": "allocation",
                "date": decided.isoformat(),
                "team": "North locality",
                "worker": "ann@council.example",
            }
        ],
    )
    store = get_storage(app).cases
    case_id = store.create(raw).id
    with get_storage(app).sessions() as db, db.begin():
        row = db.get(CaseRow, case_id)
        assert row is not None
        row.team_id, row.allocated_to = north, ann
    store.save(case_id, store.get(case_id).raw, store.get(case_id).version)  # rows refreshed
    sign_in(client, ann)
    client.page("/my-work/")  # a page of quality (the client checks it)
    html = client.get("/my-work/").get_data(as_text=True)
    assert "Case EH-2026-0077" in html
    assert "First visit" in html
    day = dt.date.today()
    sent = client.submit(
        f"/cases/{case_id}/records/case_note/new",
        {
            "case_note-kind": "home_visit",
            "case_note-date-day": str(day.day),
            "case_note-date-month": str(day.month),
            "case_note-date-year": str(day.year),
            "case_note-summary": "Saw Sam at home.",
            "case_note-family_visible": "no",
        },
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    html = client.get("/my-work/").get_data(as_text=True)
    assert "First visit" not in html  # met: no longer waiting
    assert "Next visit" in html
    assert "?sort=reference" in html


def test_team_shows_caseload_waiting_cases_and_oversight_due(
    app: Flask, client: QualityClient
) -> None:
    north = team(app, "North locality")
    ann = user(app, roles.PRACTITIONER, "ann@council.example", [north])
    manager = user(app, roles.TEAM_MANAGER, "mo@council.example", [north])
    store = get_storage(app).cases
    data = make_notification_data()
    data["hub"] = {
        "decision": "locality_level_2",
        "team_allocated": "North locality",
        "decision_date": "2025-03-04",
        "checks_made": "Police and school",
        "known_to_social_care": "no",
    }
    held = store.create(
        make_case(
            reference="EH-2026-0101",
            documents=[make_document("notification", data, doc_id="n1")],
            allocations=[
                {
                    "id": "al1",
                    "kind": "allocation",
                    "date": "2025-03-05",
                    "team": "North locality",
                    "worker": "ann@council.example",
                }
            ],
        )
    ).id
    waiting = store.create(make_case(reference="EH-2026-0102")).id
    with get_storage(app).sessions() as db, db.begin():
        for case_id, worker in ((held, ann), (waiting, None)):
            row = db.get(CaseRow, case_id)
            assert row is not None
            row.team_id, row.allocated_to = north, worker
    sign_in(client, manager)
    html = client.page("/team/") and client.get("/team/").get_data(as_text=True)
    assert "ann" in html and "Allocate case EH-2026-0102" in html
    assert "Case EH-2026-0101<span" in html and "supervision due" in html
    # the manager's oversight after the allocation of 5 March 2025 was due 5 working days later
    assert "oversight after allocation due 12 March 2025" in html


def test_team_is_for_team_managers_only(app: Flask, client: QualityClient) -> None:
    north = team(app, "North locality")
    ann = user(app, roles.PRACTITIONER, "ann@council.example", [north])
    sign_in(client, ann)
    assert client.get("/team/").status_code == 403
    assert client.get("/team/waiting").status_code == 403
    assert 'href="/team/"' not in client.get("/my-work/").get_data(as_text=True)


def test_team_lists_show_the_most_urgent_and_page_the_rest(
    app: Flask, client: QualityClient
) -> None:
    north = team(app, "North locality")
    manager = user(app, roles.TEAM_MANAGER, "mo@council.example", [north])
    store = get_storage(app).cases
    ids = [store.create(make_case(reference=f"EH-2026-{n:04d}")).id for n in range(1, 63)]
    with get_storage(app).sessions() as db, db.begin():
        for case_id in ids:
            row = db.get(CaseRow, case_id)
            assert row is not None
            row.team_id = north
    sign_in(client, manager)
    html = client.page("/team/") and client.get("/team/").get_data(as_text=True)
    assert 'href="/team/"' in client.get("/my-work/").get_data(as_text=True)  # in the menu
    assert "62 cases waiting, the 10 waiting longest shown" in html
    assert "Allocate case EH-2026-0010" in html and "EH-2026-0011" not in html
    assert "See all 62 cases waiting for a worker" in html
    first = client.page("/team/waiting") and client.get("/team/waiting").get_data(as_text=True)
    assert "62 cases, page 1 of 2" in first
    assert "EH-2026-0050" in first and "EH-2026-0051" not in first
    second = client.get("/team/waiting?page=2").get_data(as_text=True)
    assert "EH-2026-0051" in second and "EH-2026-0062" in second and "EH-2026-0001" not in second
    assert client.get("/team/waiting?page=x").status_code == 404


def test_the_case_page_shows_each_timescale_with_its_status_and_late_reason(app) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from ehdocs.storage import get_storage
    from tests.factories import make_case, make_notification_data
    from tests.web.accounts import hub_client

    received = dt.date.today() - dt.timedelta(days=40)
    notification = make_notification_data()
    notification["referrer"] = notification["referrer"] | {"date": received.isoformat()}
    case = make_case(
        documents=[
            {"id": "n1", "form": "notification", "status": "completed", "data": notification}
        ]
    )
    case_id = get_storage(app).cases.create(case).id
    html = hub_client(app).page(f"/cases/{case_id}").html
    assert "Timescales" in html and "Hub decision" in html
    assert "govuk-tag--red" in html and "Overdue" in html  # no decision 40 days on

"""`ehdocs remind` (#13): each worker gets one e-mail a day with the timescales on their cases
that are overdue or due by the next working day, by case reference only, through a real SMTP
server on loopback; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, CaseRow, ReminderSent, User
from tests.factories import make_case, make_document, make_notification_data
from tests.mailservers import SmtpCatcher, free_port, smtp_catcher  # noqa: F401
from tests.web.accounts import team, user

TODAY = dt.date(2026, 12, 4)  # a Friday: the next working day is Monday 7 December


def _allocated_case(app: Flask, reference: str, worker: str, allocated: dt.date) -> int:
    data = make_notification_data()
    data["referrer"] = {**data["referrer"], "date": (allocated - dt.timedelta(days=1)).isoformat()}
    data["hub"] = {
        "decision": "locality_level_2",
        "team_allocated": "North locality",
        "decision_date": allocated.isoformat(),
        "checks_made": "Police and school",
        "known_to_social_care": "no",
    }
    raw = make_case(
        reference=reference,
        documents=[make_document("notification", data, doc_id="n1")],
        allocations=[
            {
                "id": "al1",
                "kind": "allocation",
                "date": allocated.isoformat(),
                "team": "North locality",
                "worker": worker,
            }
        ],
    )
    store = get_storage(app).cases
    case_id = store.create(raw).id
    return case_id


def _hold(app: Flask, case_id: int, team_id: int, worker_id: int) -> None:
    with get_storage(app).sessions() as db, db.begin():
        row = db.get(CaseRow, case_id)
        assert row is not None
        row.team_id, row.allocated_to = team_id, worker_id
    store = get_storage(app).cases
    store.save(case_id, store.get(case_id).raw, store.get(case_id).version)


@pytest.fixture
def family(app: Flask) -> dict[str, Any]:
    north = team(app, "North locality")
    ann = user(app, roles.PRACTITIONER, "ann.worker@council.example", [north])
    gone = user(app, roles.PRACTITIONER, "gone@council.example", [north])
    user(app, roles.PRACTITIONER, "idle@council.example", [north])  # no cases: no e-mail
    late = _allocated_case(
        app, "EH-2026-0201", "ann.worker@council.example", TODAY - dt.timedelta(days=30)
    )
    _hold(app, late, north, ann)
    soon = _allocated_case(app, "EH-2026-0202", "ann.worker@council.example", dt.date(2026, 11, 30))
    _hold(app, soon, north, ann)
    other = _allocated_case(
        app, "EH-2026-0203", "gone@council.example", TODAY - dt.timedelta(days=30)
    )
    _hold(app, other, north, gone)
    with get_storage(app).sessions() as db, db.begin():
        account = db.get(User, gone)
        assert account is not None
        account.disabled = True
    raw = get_storage(app).cases.get(late).raw
    names = {p.get(key) for p in raw["people"] for key in ("given_name", "family_name")}
    names.add(raw.get("family_name"))
    assert {"Sam", "Morgan"} <= names
    return {"database": app.config["DATABASE_URL"], "ann": ann, "names": names - {None, ""}}


def test_a_dry_run_lists_who_would_be_reminded_and_sends_nothing(
    app: Flask,
    family: dict[str, Any],
    run_cli: Any,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    result = run_cli(
        "remind", "--dry-run", "--today", TODAY.isoformat(), "--database", family["database"]
    )
    assert result.code == 0, result.err
    assert "ann.worker@council.example:" in result.out
    assert "gone@" not in result.out and "idle@" not in result.out
    assert "1 worker(s) would be reminded. Nothing was sent" in result.out
    assert smtp_catcher.messages == []
    with get_storage(app).sessions() as db:
        assert db.scalars(select(ReminderSent)).all() == []


def test_each_worker_is_reminded_once_a_day_by_case_reference_only(
    app: Flask,
    family: dict[str, Any],
    run_cli: Any,
    smtp_catcher: SmtpCatcher,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EHDOCS_SMTP_URL", smtp_catcher.url)
    monkeypatch.setenv("EHDOCS_MAIL_FROM", "earlyhelp@council.example")
    monkeypatch.setenv("EHDOCS_PUBLIC_URL", "https://ehdocs.council.example/")
    args = ("remind", "--today", TODAY.isoformat(), "--database", family["database"])
    result = run_cli(*args)
    assert result.code == 0, result.err
    assert "Reminded 1 worker(s); 0 already reminded today; 0 failed." in result.out
    (sent,) = smtp_catcher.wait_for(1)
    assert sent.rcpt_tos == ["ann.worker@council.example"]
    message = sent.message
    assert message["Subject"] == "Early Help: timescales due on your cases"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "overdue, or due by 7 December 2026" in body  # Friday: the weekend and Monday
    overdue = body.split("Overdue (")[1].split("\n\n")[0]
    assert "- Case EH-2026-0201: First visit, was due" in overdue
    assert "EH-2026-0202" not in overdue
    due = body.split("Due (")[1].split("\n\n")[0]
    assert re.search(r"- Case EH-2026-0202: \w[^,]*, due \d+ December 2026", due), body
    assert "EH-2026-0203" not in body  # a disabled account's case
    assert "See them on My work: https://ehdocs.council.example/my-work/" in body
    for name in family["names"]:  # no family name crosses the mail system
        assert name not in body
    assert "ann.worker" not in body.lower().replace("to: ", "")  # the worker is not named either
    with get_storage(app).sessions() as db:
        (row,) = db.scalars(select(ReminderSent)).all()
        assert (row.user_id, row.on_date) == (family["ann"], TODAY)
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "reminder.sent")).one()
        assert entry.actor == "ehdocs remind" and entry.case_id is None
    again = run_cli(*args)
    assert "Reminded 0 worker(s); 1 already reminded today" in again.out
    assert len(smtp_catcher.messages) == 1


def test_a_mail_failure_is_reported_and_tried_again_by_the_next_run(
    app: Flask,
    family: dict[str, Any],
    run_cli: Any,
    smtp_catcher: SmtpCatcher,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EHDOCS_MAIL_FROM", "earlyhelp@council.example")
    monkeypatch.setenv("EHDOCS_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens
    args = ("remind", "--today", TODAY.isoformat(), "--database", family["database"])
    failed = run_cli(*args)
    assert failed.code == 1
    assert "not sent to ann.worker@council.example: the mail server refused the connection" in (
        failed.err
    )
    with get_storage(app).sessions() as db:
        assert db.scalars(select(ReminderSent)).all() == []  # not claimed: the next run sends
    monkeypatch.setenv("EHDOCS_SMTP_URL", smtp_catcher.url)
    assert run_cli(*args).code == 0
    assert len(smtp_catcher.wait_for(1)) == 1


def test_remind_without_a_mail_server_says_what_to_set(
    family: dict[str, Any], run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EHDOCS_SMTP_URL", raising=False)
    result = run_cli("remind", "--database", family["database"])
    assert result.code != 0
    assert "Set EHDOCS_SMTP_URL" in result.err and "--dry-run" in result.err

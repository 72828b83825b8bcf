"""The audit trail's pages: a case's "who has seen or changed this case", the data protection
officer's search with its CSV download (formula prefixes neutralised), and break-glass grants.

Who may open them is the policy's (audit.view, case.audit); here the DPO is signed in."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.access import audit, roles, sessions
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, BreakGlass, User, UserSession, now
from tests.factories import make_case
from tests.web.conftest import QualityClient
from tests.web.test_audit import _break_audit_inserts


def _user(app: Flask, email: str, role: str = roles.DPO) -> int:
    with get_storage(app).sessions() as db, db.begin():
        user = User(email=email, name=email.split("@")[0].title(), role=role)
        db.add(user)
        db.flush()
        return user.id


def _sign_in(app: Flask, client: QualityClient, user_id: int) -> None:
    token = secrets.token_urlsafe(32)
    with get_storage(app).sessions() as db, db.begin():
        db.add(UserSession(id=hashlib.sha256(token.encode()).hexdigest(), user_id=user_id))
    with client.session_transaction() as cookie:
        cookie[sessions.KEY] = token


def _case(app: Flask, reference: str) -> int:
    return get_storage(app).cases.create(make_case(reference=reference)).id


def _entry(app: Flask, at: dt.datetime, **fields: object) -> None:
    """An entry written at a chosen time (outside the chain: the pages do not check it)."""
    values: dict[str, object] = {
        "actor": "sam@council.example",
        "action": "case.view",
        "outcome": "ok",
        "prev_hash": audit.GENESIS,
        "hash": secrets.token_hex(32),
    }
    values.update(fields)
    with get_storage(app).sessions() as db, db.begin():
        db.add(AuditEntry(at=at, **values))


@pytest.fixture
def dpo(app: Flask, client: QualityClient) -> QualityClient:
    _sign_in(app, client, _user(app, "dpo@council.example"))
    return client


# -- a case's trail -------------------------------------------------------------------------------


def test_a_case_shows_who_did_what_newest_first_in_uk_time(app: Flask, dpo: QualityClient) -> None:
    case_id = _case(app, "EH-2026-0007")
    other = _case(app, "EH-2026-0008")
    _entry(app, dt.datetime(2026, 1, 10, 9, 5), case_id=case_id, action="case.view")
    _entry(
        app,
        dt.datetime(2026, 7, 1, 11, 30),  # 12:30 in UK summer time
        case_id=case_id,
        action="case.download",
        document="n1",
        detail="family, pdf",
        outcome="refused",
        actor="kim@council.example",
    )
    _entry(app, dt.datetime(2026, 7, 2, 8, 0), case_id=other, actor="not.this.case@example.org")
    page = dpo.page(f"/cases/{case_id}/audit")
    assert page.h1 == "Who has seen or changed this case"
    assert "EH-2026-0007" in page.text
    rows = [" ".join(r.itertext()).split() for r in page.all("tr", "govuk-table__row")[1:]]
    assert len(rows) == 2
    assert " ".join(rows[0]).startswith("1 July 2026 12:30:00 kim@council.example case.download")
    assert "family, pdf" in " ".join(rows[0]) and rows[0][-1] == "Refused"
    assert " ".join(rows[1]).startswith("10 January 2026 09:05:00 sam@council.example")
    assert "not.this.case" not in page.text


def test_a_long_trail_is_paged_50_at_a_time(app: Flask, dpo: QualityClient) -> None:
    case_id = _case(app, "EH-2026-0009")
    start = dt.datetime(2026, 3, 2, 9, 0)
    for n in range(120):
        _entry(app, start + dt.timedelta(minutes=n), case_id=case_id, actor=f"p{n}@example.org")
    first = dpo.page(f"/cases/{case_id}/audit")
    assert len(first.all("tr", "govuk-table__row")) == 51
    assert "120 entries, page 1 of 3" in first.text
    assert "p119@example.org" in first.text and "p69@example.org" not in first.text
    assert first.one("nav", "govuk-pagination") is not None
    last = dpo.page(f"/cases/{case_id}/audit?page=3")
    # 121 entries now: the officer's look at page 1 is itself in the case's trail (newest).
    assert len(last.all("tr", "govuk-table__row")) == 22
    assert "p0@example.org" in last.text and "p21@example.org" not in last.text
    assert "page 3 of 3" in dpo.page(f"/cases/{case_id}/audit?page=99").text


def test_an_unknown_case_has_no_trail(dpo: QualityClient) -> None:
    dpo.page("/cases/424242/audit", status=404)


# -- the DPO's search --------------------------------------------------------------------------


@pytest.fixture
def trail(app: Flask) -> dict[str, int]:
    first, second = _case(app, "EH-2026-0101"), _case(app, "EH-2026-0102")
    _entry(app, dt.datetime(2026, 3, 31, 23, 30), case_id=first, actor="ann@council.example")
    _entry(app, dt.datetime(2026, 4, 1, 8, 0), case_id=first, actor="Bob@Council.example")
    _entry(app, dt.datetime(2026, 4, 2, 8, 0), case_id=second, actor="ann@council.example")
    _entry(
        app, dt.datetime(2026, 4, 3, 8, 0), actor="ann@council.example", action="sign_in.failure"
    )
    return {"first": first, "second": second}


def _whos(page: object) -> list[str]:
    cells = [r.findall("td") for r in page.all("tr", "govuk-table__row")]  # type: ignore[attr-defined]
    return [" ".join(c[1].itertext()).split()[0] for c in cells if c]


def test_the_dpo_searches_by_person_case_dates_and_action(
    trail: dict[str, int], dpo: QualityClient
) -> None:
    page = dpo.page("/audit/")
    assert page.h1 == "Audit trail" and "Latest entries" in page.text
    assert len(_whos(page)) == 4
    assert _whos(dpo.page("/audit/?actor=ANN@council.example")) == ["ann@council.example"] * 3
    assert _whos(dpo.page("/audit/?case=EH-2026-0101")) == [
        "Bob@Council.example",
        "ann@council.example",
    ]
    assert _whos(dpo.page("/audit/?action=sign_in.failure")) == ["ann@council.example"]
    # 31 March 23:30 UTC is 1 April 00:30 in UK summer time: it is on 1 April
    april_first = "from-day=1&from-month=4&from-year=2026&to-day=1&to-month=4&to-year=2026"
    assert _whos(dpo.page(f"/audit/?{april_first}")) == [
        "Bob@Council.example",
        "ann@council.example",
    ]
    assert dpo.page("/audit/?actor=nobody@example.org").text.count("No entries match") == 1


def test_a_wrong_date_is_explained(trail: dict[str, int], dpo: QualityClient) -> None:
    page = dpo.page(
        "/audit/?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=1&to-year=2026"
    )
    assert page.title.startswith("Error: ")
    assert page.error_summary == [("Start date must be a real date", "#from-day")]
    page = dpo.page(
        "/audit/?from-day=2&from-month=2&from-year=2026&to-day=1&to-month=1&to-year=2026"
    )
    assert page.error_summary == [
        ("End date must be the same as or after the start date", "#to-day")
    ]
    assert not _whos(page)


def test_the_csv_download_has_the_search_and_neutralises_formulas(
    app: Flask, trail: dict[str, int], dpo: QualityClient
) -> None:
    hostile = ["=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    for n, text in enumerate(hostile):
        _entry(app, dt.datetime(2026, 5, 1, 9, n), actor=text, detail=text, document="d" + text)
    # May only: the searches themselves are audited too (today), and are not in it.
    page = dpo.page(
        "/audit/?from-day=1&from-month=5&from-year=2026&to-day=31&to-month=5&to-year=2026"
    )
    link = [a for a in page.all("a") if "Download these 6 entries as CSV" in "".join(a.itertext())]
    response = dpo.get(link[0].get("href"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows[0][:3] == ["Entry", "Time (UTC)", "Who"]
    assert len(rows) == 7
    assert sorted(r[2] for r in rows[1:]) == sorted("'" + text for text in hostile)
    assert all(r[8].startswith("'") and r[7].startswith("d") for r in rows[1:])
    assert rows[-1][1] == "2026-05-01T09:00:00Z"
    with get_storage(app).sessions() as db:  # the download is itself audited, by who made it
        last = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None
    assert (last.action, last.actor, last.detail) == ("audit.export", "dpo@council.example", "csv")


def test_a_download_that_cannot_be_audited_is_not_given(
    app: Flask, trail: dict[str, int], dpo: QualityClient
) -> None:
    _break_audit_inserts(app)  # the entries can be read, not added to
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = dpo.get("/audit/entries.csv")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "ann@council.example" not in response.get_data(as_text=True)


def test_break_glass_grants_open_and_recent_are_listed(app: Flask, dpo: QualityClient) -> None:
    manager = _user(app, "manager@council.example", roles.TEAM_MANAGER)
    case_id = _case(app, "EH-2026-0200")
    moment = now()
    grants = [
        ("Police called about the children tonight", moment, moment + dt.timedelta(hours=1)),
        (
            "Covering for a colleague off sick",
            moment - dt.timedelta(days=3),
            moment - dt.timedelta(days=3) + dt.timedelta(hours=1),
        ),
        (
            "Too long ago to list",
            moment - dt.timedelta(days=40),
            moment - dt.timedelta(days=40) + dt.timedelta(hours=1),
        ),
    ]
    with get_storage(app).sessions() as db, db.begin():
        for reason, started, expires in grants:
            db.add(
                BreakGlass(
                    user_id=manager,
                    case_id=case_id,
                    reason=reason,
                    started_at=started,
                    expires_at=expires,
                )
            )
    page = dpo.page("/audit/")
    text = page.text
    assert "Police called about the children tonight" in text
    assert "Covering for a colleague off sick" in text
    assert "Too long ago to list" not in text
    assert text.count("Open now") == 1
    assert text.count("manager@council.example") == 2
    assert "EH-2026-0200" in text

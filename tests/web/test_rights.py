"""A person's rights (#17), on SQLite and PostgreSQL: rectification (a person's details corrected
once, shown by every document, with a reason in the chronology and the audit trail, refused from
a stale page) and restriction (a case the data protection officer restricts can be read but not
changed by any way in: pages, the hub, the command line; nothing changes in the database)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pypdf
import pytest
from flask import Flask
from sqlalchemy import select, text

from ehdocs.access import rights, roles
from ehdocs.cli import main
from ehdocs.errors import ConflictError, RestrictedError
from ehdocs.storage import StoredCase, get_storage
from ehdocs.storage.models import AuditEntry, Base
from tests.factories import make_case
from tests.web.accounts import hub_client, signed_in_client, team
from tests.web.conftest import QualityClient, page_of
from tests.web.test_hub import blank, hub_answers, ingestor, referral, upload  # noqa: F401

REASON = "The mother showed the birth certificate"
RESTRICTED = "The father contests the accuracy of the assessment"
REFUSAL = "This case is restricted by the data protection officer"


def _case(app: Flask, reference: str = "EH-2026-0401") -> StoredCase:
    return get_storage(app).cases.create(make_case(reference=reference))


def _entries(app: Flask, action: str) -> list[AuditEntry]:
    with get_storage(app).sessions() as db:
        return list(
            db.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def snapshot(app: Flask) -> dict[str, list[Any]]:
    """Every row of every table but the audit trail and sign-in sessions, as text."""
    kept: dict[str, list[Any]] = {}
    with get_storage(app).engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name in ("audit_entries", "user_sessions"):
                continue
            rows = connection.execute(text(f"SELECT * FROM {table.name}")).all()
            kept[table.name] = sorted(repr(tuple(r)) for r in rows)
    return kept


def _pdf_text(client: QualityClient, case_id: int) -> str:
    response = client.get(f"/cases/{case_id}/documents/n1/professional.pdf")
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return " ".join(page.extract_text() for page in reader.pages)


def _restrict(app: Flask, reference: str, dpo: QualityClient | None = None) -> QualityClient:
    dpo = dpo or signed_in_client(app, roles.DPO, f"dpo-{reference}@council.example")
    assert dpo is not None
    done = dpo.submit(
        f"/rights/restrictions?reference={reference}",
        {"reason": RESTRICTED},
        form_action="/rights/restrictions",
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    return dpo


def _date(prefix: str, day: str, month: str, year: str) -> dict[str, str]:
    return {f"{prefix}-day": day, f"{prefix}-month": month, f"{prefix}-year": year}


DOB = "person-date_of_birth"


# -- rectification ------------------------------------------------------------------------------


def test_the_dpo_corrects_a_date_of_birth_found_by_subject_access(app: Flask) -> None:
    stored = _case(app)
    hub = hub_client(app)
    assert "14 May 2017" in _pdf_text(hub, stored.id)
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    page = dpo.page("/subject-access/")
    found = page_of(dpo.submit("/subject-access/", {"name": "Sam Morgan"}, page=page))
    link = found.one("a", href=f"/cases/{stored.id}/people/c1/correct")
    assert "Correct this person's details" in "".join(link.itertext())

    url = f"/cases/{stored.id}/people/c1/correct"
    form = dpo.page(url)
    assert form.h1 == "Correct Sam Morgan's details"
    recorded = " ".join(form.one("dl", id="recorded").itertext())
    assert "14 May 2017" in recorded
    checked = dpo.submit(url, {**_date(DOB, "15", "6", "2017"), "reason": REASON}, page=form)
    assert checked.status_code == 200, checked.get_data(as_text=True)
    check = page_of(checked)
    changes = " ".join(" ".join(check.one("table", id="changes").itertext()).split())
    assert "Date of birth 14 May 2017 15 June 2017" in changes
    assert get_storage(app).cases.get(stored.id).version == stored.version  # not yet saved

    saved = dpo.submit(url, action="confirm", page=check)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    after = get_storage(app).cases.get(stored.id)
    sam = next(p for p in after.raw["people"] if p["id"] == "c1")
    assert sam["date_of_birth"] == "2017-06-15" and sam["given_name"] == "Sam"
    (entry,) = [e for e in after.raw["chronology"] if e["event"].startswith("Details corrected")]
    assert entry["event"] == f"Details corrected: Sam Morgan's date of birth. Reason: {REASON}"
    assert entry["source"] == "Data protection officer" and entry["family_visible"] == "no"

    pdf = _pdf_text(hub, stored.id)  # the completed notification renders from the case
    assert "15 June 2017" in pdf and "14 May 2017" not in pdf

    (audited,) = _entries(app, "rights.rectify")
    assert (audited.actor, audited.case_id, audited.outcome) == (
        "dpo@council.example",
        stored.id,
        "ok",
    )
    assert "corrected date_of_birth" in str(audited.detail) and REASON in str(audited.detail)
    assert "2017" not in str(audited.detail).replace(REASON, "")  # no values, old or new
    assert "Sam" not in str(audited.detail)
    with get_storage(app).sessions() as db:  # one entry for the change, not two
        changes_logged = db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.case_id == stored.id, AuditEntry.detail.contains("->")
            )
        ).all()
    assert changes_logged == ["rights.rectify"]


def test_a_correction_needs_a_reason_and_a_change(app: Flask) -> None:
    stored = _case(app)
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    url = f"/cases/{stored.id}/people/c1/correct"
    before = snapshot(app)
    no_reason = dpo.submit(url, _date(DOB, "15", "6", "2017"), action="confirm")
    assert no_reason.status_code == 400
    assert ("Enter why the details are being corrected", "#reason") in page_of(
        no_reason
    ).error_summary
    same = dpo.submit(url, {"reason": REASON}, action="confirm")
    assert same.status_code == 400
    assert "You have not changed any of this person's details" in page_of(same).text
    future = dpo.submit(url, {**_date(DOB, "1", "1", "2099"), "reason": REASON}, action="confirm")
    assert future.status_code == 400
    (message, href) = page_of(future).error_summary[0]
    assert message == "Date of birth must be today or in the past"
    assert href == "#person-date_of_birth-day"
    assert snapshot(app) == before


def test_a_correction_from_a_stale_page_is_refused(app: Flask) -> None:
    stored = _case(app)
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    url = f"/cases/{stored.id}/people/p1/correct"
    opened = dpo.page(url)
    other = json.loads(json.dumps(stored.raw))
    other["people"][1]["known_as"] = "Kez"
    get_storage(app).cases.save(stored.id, other, stored.version)  # someone saves meanwhile
    before = snapshot(app)
    refused = dpo.submit(
        url, {"person-given_name": "Kerrie", "reason": REASON}, action="confirm", page=opened
    )
    assert refused.status_code == 409
    assert "Someone else saved changes to this case" in page_of(refused).text
    assert page_of(refused).value("person-given_name") == "Kerrie"  # what was typed is kept
    assert snapshot(app) == before


def test_who_may_correct_details(app: Flask) -> None:
    stored = _case(app)
    hub = hub_client(app)  # edits the case while it is with the hub
    person = hub.page(f"/cases/{stored.id}/records/person/p1")
    link = person.one("a", href=f"/cases/{stored.id}/people/p1/correct")
    assert "Correct this person's details" in "".join(link.itertext())
    done = hub.submit(
        f"/cases/{stored.id}/people/p1/correct",
        {"person-given_name": "Kerrie", "reason": "Misspelt on the referral"},
        action="confirm",
    )
    assert done.status_code == 302
    assert get_storage(app).cases.get(stored.id).case.person_name("p1") == "Kerrie Morgan"
    (entry,) = _entries(app, "rights.rectify")
    assert "corrected given_name" in str(entry.detail) and "Kerrie" not in str(entry.detail)
    north = team(app, "North")
    reader = signed_in_client(app, roles.PRACTITIONER, "reader@council.example", [north])
    with get_storage(app).sessions() as db, db.begin():
        db.execute(text("UPDATE cases SET team_id = :t"), {"t": north})
    assert reader.get(f"/cases/{stored.id}/people/p1/correct").status_code == 403  # reads only
    admin = signed_in_client(app, roles.ADMIN, "admin@council.example")
    assert admin.get(f"/cases/{stored.id}/people/p1/correct").status_code == 404


# -- restriction --------------------------------------------------------------------------------


def test_a_restricted_case_refuses_every_page_and_changes_nothing(app: Flask) -> None:
    stored = _case(app)
    hub = hub_client(app)
    section = f"/cases/{stored.id}/documents/n1/sections/referrer"
    opened = hub.page(section)  # opened before the restriction: a Save button
    record = hub.page(f"/cases/{stored.id}/records/person/p1")
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    correction = dpo.page(f"/cases/{stored.id}/people/p1/correct")
    _restrict(app, stored.reference, dpo)
    before = snapshot(app)

    answer = hub.submit(section, {"referrer-name": "Someone Else"}, page=opened)
    assert answer.status_code == 409
    assert REFUSAL + ": " + RESTRICTED + "; it can be read but not changed" in page_of(answer).text
    person = hub.submit(
        f"/cases/{stored.id}/records/person/p1", {"person-known_as": "Kez"}, page=record
    )
    assert person.status_code == 409 and REFUSAL in page_of(person).text
    new_doc = hub.post(
        f"/cases/{stored.id}/documents/new/review",
        data={"csrf_token": opened.csrf_token, "version": str(stored.version + 1)},
    )
    assert new_doc.status_code == 302
    assert REFUSAL in hub.page(new_doc.headers["Location"]).text  # said on the overview
    correct = dpo.submit(
        f"/cases/{stored.id}/people/p1/correct",
        {"person-given_name": "Kerrie", "reason": REASON},
        action="confirm",
        page=correction,
    )
    assert correct.status_code == 409 and REFUSAL in page_of(correct).text
    store = get_storage(app).cases
    current = store.get(stored.id)
    with pytest.raises(RestrictedError, match=RESTRICTED):
        store.save(stored.id, current.raw, current.version)
    with pytest.raises(RestrictedError):
        store.put_draft(stored.id, "doc:n1:referrer", {"name": "typed"})
    assert snapshot(app) == before


def test_the_case_shows_the_restriction_and_offers_no_changes(app: Flask) -> None:
    stored = _case(app)
    hub = hub_client(app)
    overview = hub.page(f"/cases/{stored.id}")
    assert overview.all("button", cls="ehdocs-link-button")  # documents to start
    _restrict(app, stored.reference)
    overview = hub.page(f"/cases/{stored.id}")
    banner = " ".join(" ".join(overview.one("div", id="restriction").itertext()).split())
    assert f"{REFUSAL}: {RESTRICTED}. It can be read but not changed." in banner
    assert not overview.all("button", cls="ehdocs-link-button")
    assert "View and change" not in overview.text
    (history,) = [t for t in overview.all("table") if "In place" in " ".join(t.itertext())]
    assert RESTRICTED in " ".join(history.itertext())
    section = hub.page(f"/cases/{stored.id}/documents/n1/sections/referrer")
    assert section.by_id("restriction") is not None
    assert not [b for b in section.all("button") if "Save" in "".join(b.itertext())]
    people = hub.page(f"/cases/{stored.id}/records/person")
    assert "Remove" not in people.text and "Add person" not in people.text
    stranger = signed_in_client(app, roles.PRACTITIONER, "stranger@council.example")
    refused = stranger.get(f"/cases/{stored.id}")
    assert refused.status_code == 404
    assert RESTRICTED not in refused.get_data(as_text=True)  # says nothing of the case


def test_lifting_a_restriction_lets_the_case_change_again(app: Flask) -> None:
    stored = _case(app)
    dpo = _restrict(app, stored.reference)
    page = dpo.page("/rights/restrictions")
    assert stored.reference in page.text and RESTRICTED in page.text
    (restriction,) = rights.in_place(get_storage(app).sessions)
    lift = f"/rights/restrictions/{restriction.id}/lift"
    missing = dpo.submit("/rights/restrictions", {}, form_action=lift, page=page)
    assert missing.status_code == 302
    assert "Enter why the restriction is no longer needed" in dpo.page("/rights/restrictions").text
    lifted = dpo.submit(
        "/rights/restrictions", {"lift_reason": "Resolved with the father"}, form_action=lift
    )
    assert lifted.status_code == 302
    assert rights.in_place(get_storage(app).sessions) == []
    store = get_storage(app).cases
    current = store.get(stored.id)
    assert current.version == stored.version + 1  # placing it raised the version
    raw = json.loads(json.dumps(current.raw))
    raw["people"][1]["known_as"] = "Kez"
    store.save(stored.id, raw, current.version)
    (placed,) = _entries(app, "rights.restrict")
    (gone,) = _entries(app, "rights.lift_restriction")
    assert placed.case_id == gone.case_id == stored.id
    assert RESTRICTED in str(placed.detail) and "Resolved with the father" in str(gone.detail)
    overview = hub_client(app).page(f"/cases/{stored.id}")
    assert overview.by_id("restriction") is None
    history = " ".join(overview.one("h2", id="restrictions").itertext())
    assert history == "Restrictions" and "Resolved with the father" in overview.text


def test_a_save_that_read_the_case_before_the_restriction_is_refused(app: Flask) -> None:
    stored = _case(app)
    store = get_storage(app).cases
    raw = json.loads(json.dumps(stored.raw))
    raw["people"][1]["known_as"] = "Kez"
    rights.place_restriction(get_storage(app).sessions, stored.reference, RESTRICTED, None, "dpo")
    with pytest.raises(ConflictError):  # restricted first; a stale version as well
        store.save(stored.id, raw, stored.version)
    assert store.get(stored.id).raw["people"][1].get("known_as") is None


def test_the_dpo_restriction_page_says_what_is_wrong(app: Flask) -> None:
    _case(app)
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    empty = dpo.submit("/rights/restrictions", {}, form_action="/rights/restrictions")
    assert empty.status_code == 400
    assert page_of(empty).error_summary == [
        ("Enter the case reference, like EH-2026-0001", "#reference"),
        ("Enter why the case is restricted", "#reason"),
    ]
    unknown = dpo.submit(
        "/rights/restrictions",
        {"reference": "EH-1999-0001", "reason": RESTRICTED},
        form_action="/rights/restrictions",
    )
    assert ("There is no case with the reference EH-1999-0001", "#reference") in page_of(
        unknown
    ).error_summary
    _restrict(app, "EH-2026-0401")
    again = dpo.submit(
        "/rights/restrictions",
        {"reference": "EH-2026-0401", "reason": RESTRICTED},
        form_action="/rights/restrictions",
    )
    assert ("Case EH-2026-0401 is already restricted", "#reference") in page_of(again).error_summary
    assert hub_client(app).get("/rights/restrictions").status_code == 403


def test_the_hub_cannot_add_a_form_to_a_restricted_case(
    app: Flask,
    blank: bytes,  # noqa: F811 (test_hub's fixture)
) -> None:
    store = get_storage(app).cases
    family = store.create(
        {
            "format": "ehdocs-case",
            "format_version": 1,
            "profile": "default",
            "reference": "EH-2026-0500",
            "created": "2026-11-01",
            "people": [
                {
                    "id": "amy",
                    "given_name": "Amy",
                    "family_name": "Smith",
                    "category": "child",
                    "date_of_birth": "2015-03-02",
                }
            ],
        }
    )
    hub = hub_client(app)
    try:
        url = upload(hub, referral(blank, "Amy Smith", "02/03/2015")).headers["Location"]
        page = hub.page(url)
        _restrict(app, "EH-2026-0500")
        before = snapshot(app)
        refused = hub.submit(
            url,
            {"target": f"case-{family.id}", **hub_answers("advice")},
            form_action=f"{url}/accept",
            page=page,
        )
        assert refused.status_code in (200, 400), refused.status_code
        assert f"{REFUSAL}: {RESTRICTED}" in page_of(refused).text
        assert snapshot(app) == before  # the submission is still waiting, the case as it was
    finally:
        ingestor(app).close()


def _cli(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path))
    return main([*args, "--database", app.config["DATABASE_URL"]])


def test_the_command_line_corrects_and_restricts(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stored = _case(app)
    correct = ("rights", "correct", stored.reference, "c1", "--set", "date_of_birth=2017-06-15")
    by = ("--reason", REASON, "--by", "dpo@council.example")
    assert _cli(app, tmp_path, monkeypatch, *correct, *by) == 0
    assert "Corrected in case EH-2026-0401: date_of_birth" in capsys.readouterr().out
    store = get_storage(app).cases
    assert store.get(stored.id).raw["people"][0]["date_of_birth"] == "2017-06-15"
    (entry,) = _entries(app, "rights.rectify")
    assert entry.actor == "dpo@council.example" and "2017" not in str(entry.detail).replace(
        REASON, ""
    )

    restrict = ("rights", "restrict", stored.reference, "--reason", RESTRICTED, "--by", "dpo@c.e")
    assert _cli(app, tmp_path, monkeypatch, *restrict) == 0
    before = snapshot(app)
    again = ("rights", "correct", stored.reference, "c1", "--set", "date_of_birth=2017-06-16")
    assert _cli(app, tmp_path, monkeypatch, *again, *by) == RestrictedError.exit_code
    error = capsys.readouterr().err
    assert f"{REFUSAL}: {RESTRICTED}; it can be read but not changed" in error
    assert snapshot(app) == before
    lift = ("rights", "lift", stored.reference, "--reason", "Resolved", "--by", "dpo@c.e")
    assert _cli(app, tmp_path, monkeypatch, *lift) == 0
    assert _cli(app, tmp_path, monkeypatch, *again, *by) == 0

"""Letters from the case page (#14): choose a letter, whom it goes to and what it asks for, see what
it will say, produce PDF and Word; each letter produced is recorded on the case as correspondence
(a case note, so in the chronology too), audited, and refused to readers, partners, people without
the case and a restricted case, with nothing stored."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from docx import Document as open_docx
from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.case.io import read_case_file
from ehdocs.diagrams.chronology import chronology
from ehdocs.render.audience import for_audience
from ehdocs.render.letters import letter_context, letter_type
from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, CaseRow
from ehdocs.validation import validate_case
from tests.factories import make_case, make_professional
from tests.web.accounts import hub_client, sign_in, signed_in_client, team, user
from tests.web.conftest import QualityClient, page_of
from tests.web.test_rights import _restrict, snapshot

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TAF = "taf_invitation"
PLACE = "Riverside Family Hub, Room 2"
TITLE = "Invitation to a Team Around the Family meeting"


def _case(app: Flask, reference: str, **extra: Any) -> int:
    raw = make_case(
        reference=reference,
        professionals=[make_professional(email="lead.partner@agency.example")],
        households=[
            {
                "id": "h1",
                "name": "Mum's home",
                "members": ["p1", "c1"],
                "address": "1 High Street\nEastbury",
                "postcode": "EB1 2AB",
            }
        ],
        **extra,
    )
    return get_storage(app).cases.create(raw).id


def validated(raw: dict[str, Any]) -> Any:
    result = validate_case(raw, load_formset())
    assert result.case is not None, result.problems
    return result.case


def _hold(app: Flask, case_id: int, team_id: int, worker_id: int | None) -> None:
    with get_storage(app).sessions() as db, db.begin():
        row = db.get(CaseRow, case_id)
        assert row is not None
        row.team_id, row.allocated_to = team_id, worker_id


@pytest.fixture
def worker(app: Flask) -> dict[str, Any]:
    north = team(app, "North locality")
    ann = user(app, roles.PRACTITIONER, "ann.worker@council.example", [north])
    case_id = _case(app, "EH-2026-0701")
    _hold(app, case_id, north, ann)
    client = app.test_client()
    sign_in(client, ann)
    return {"client": client, "case_id": case_id, "team": north}


def _entries(app: Flask, action: str) -> list[AuditEntry]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _filled(day: str = "27", place: str = PLACE, fmt: str = "pdf") -> dict[str, Any]:
    return {
        "to": "p1",
        "ask-meeting_date-day": day,
        "ask-meeting_date-month": "1",
        "ask-meeting_date-year": "2027",
        "ask-meeting_time": "10am",
        "ask-place": place,
        "paragraph": "Sam can come for the first half hour.",
        "format": fmt,
    }


def test_a_letter_is_chosen_previewed_produced_and_recorded(
    app: Flask, worker: dict[str, Any]
) -> None:
    client: QualityClient = worker["client"]
    case_id = worker["case_id"]
    overview = client.page(f"/cases/{case_id}")
    assert "No letters have been produced for this case yet." in overview.text
    overview.one("a", href=f"/cases/{case_id}/letters")
    choose = client.page(f"/cases/{case_id}/letters")
    choose.one("a", href=f"/cases/{case_id}/letters/{TAF}")
    url = f"/cases/{case_id}/letters/{TAF}"
    before = get_storage(app).cases.get(case_id).version

    # Nothing filled in: every problem says what to do, nothing stored.
    empty = client.submit(url, {}, action="preview")
    assert empty.status_code == 400
    summary = page_of(empty).error_summary
    assert ("Select who the letter is to", "#to") in summary
    assert ("Enter the date of the meeting", "#ask-meeting_date-day") in summary
    assert ("Enter where the meeting is", "#ask-place") in summary
    assert ("Select PDF or Word", "#format") in summary
    bad = client.submit(url, _filled(day="31", fmt="pdf") | {"ask-meeting_date-month": "2"})
    assert bad.status_code == 400
    assert page_of(bad).error_summary == [
        ("Date of the meeting must be a real date, like 25 12 2026", "#ask-meeting_date-day")
    ]
    # the project's date boxes' rules: a two-digit year (year 27) and a missing part say so
    short = client.submit(url, _filled() | {"ask-meeting_date-year": "27"})
    assert short.status_code == 400
    assert page_of(short).error_summary == [
        ("Year must include 4 numbers", "#ask-meeting_date-day")
    ]
    part = client.submit(url, _filled() | {"ask-meeting_date-month": ""})
    assert page_of(part).error_summary == [
        ("Date of the meeting must include a month", "#ask-meeting_date-day")
    ]

    # The preview: whom to, what it asks, the free paragraph; still nothing stored.
    previewed = client.submit(url, _filled(), action="preview")
    assert previewed.status_code == 200, previewed.get_data(as_text=True)
    preview = page_of(previewed)
    text = preview.text
    assert "What the letter will say" in text
    assert "Kerry Morgan" in text and "1 High Street" in text and "EB1 2AB" in text
    assert "27 January 2027" in text and PLACE in text
    assert "Sam can come for the first half hour." in text
    assert get_storage(app).cases.get(case_id).version == before

    # Produce the PDF: downloaded with no name in the file name, recorded, audited.
    made = client.submit(url, {}, action="produce", page=preview)
    assert made.status_code == 200, made.get_data(as_text=True)
    assert made.mimetype == "application/pdf"
    disposition = made.headers["Content-Disposition"]
    assert f"letter-{TAF}_to-1_" in disposition and "Morgan" not in disposition
    pdf = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(made.data)).pages
    )
    assert PLACE in pdf and "Dear Kerry Morgan" in pdf

    stored = get_storage(app).cases.get(case_id)
    assert stored.version == before + 1
    (note,) = [n for n in stored.raw["case_notes"] if n["kind"] == "correspondence"]
    assert note["summary"] == (
        f"Letter sent: {TITLE}, to Kerry Morgan (family). PDF, produced by ann.worker."
    )
    assert note["date"] == dt.date.today().isoformat() and note["family_visible"] == "yes"
    # In the chronology, the professional's and the family's.
    events = [e.event for e in chronology(stored.case)]
    assert any(TITLE in e and "Correspondence" in e for e in events)
    family = [e.event for e in chronology(for_audience(stored.case, "family"), family=True)]
    assert any(TITLE in e for e in family)
    (entry,) = _entries(app, "letter.produce")
    assert entry.case_id == case_id and entry.outcome == "ok"
    assert entry.detail is not None and f"letter={TAF}; format=pdf; recipient 1" in entry.detail
    assert "Kerry" not in entry.detail and "Morgan" not in entry.detail

    # The Word letter, of another type: recorded too, and both in the case's list.
    allocation = client.submit(
        f"/cases/{case_id}/letters/allocation", {"to": "p1", "format": "docx"}, action="produce"
    )
    assert allocation.status_code == 200, allocation.get_data(as_text=True)
    words = "\n".join(p.text for p in open_docx(io.BytesIO(allocation.data)).paragraphs)
    assert "Dear Kerry Morgan," in words and "Jo Adeyemi" in words
    listed = client.page(f"/cases/{case_id}").one("h2", id="letters")
    assert listed is not None
    page = client.page(f"/cases/{case_id}").text
    assert f"Letter sent: {TITLE}, to Kerry Morgan (family). PDF" in page
    assert "Letter sent: Your family's early help worker, to Kerry Morgan (family). DOCX" in page
    assert len(_entries(app, "letter.produce")) == 2


def test_the_closure_preview_shows_the_final_plan_in_the_family_wording(app: Flask) -> None:
    """The preview lists the fields the letter uses, from the family's copy of the case."""
    raw = read_case_file(EXAMPLES / "step-up.json")
    case_id = get_storage(app).cases.create(raw).id  # with the hub: the hub adviser edits it
    hub = hub_client(app)
    url = f"/cases/{case_id}/letters/closure"
    page = page_of(hub.submit(url, {"to": "chantelle", "format": "docx"}, action="preview"))
    assert page.one("h2", id="preview") is not None
    letter = letter_context(validated(raw), letter_type("closure"), "chantelle", dt.date.today())
    shown = [s.title for s in letter.doc.sections]
    assert shown, "the closure letter shows the closure and the plan"
    headings = [" ".join(h.itertext()).strip() for h in page.all("h3")]
    assert headings == shown
    assert "Signed by" in page.text


def test_a_letter_to_the_referrer_is_for_professionals_only(
    app: Flask, worker: dict[str, Any]
) -> None:
    client: QualityClient = worker["client"]
    case_id = worker["case_id"]
    url = f"/cases/{case_id}/letters/request_received_referrer"
    form = client.page(url)
    to = form.value("to")  # the one recipient: the referrer the request names
    assert to is None  # nothing chosen for them
    made = client.submit(url, {"to": "requester", "format": "pdf"}, action="produce")
    assert made.status_code == 200, made.get_data(as_text=True)
    stored = get_storage(app).cases.get(case_id)
    (note,) = [n for n in stored.raw["case_notes"] if n["kind"] == "correspondence"]
    assert note["family_visible"] == "no"
    family = [e.event for e in chronology(for_audience(stored.case, "family"), family=True)]
    assert not any("Letter sent" in e for e in family)


def test_readers_partners_and_strangers_cannot_produce_letters(
    app: Flask, worker: dict[str, Any]
) -> None:
    case_id = worker["case_id"]
    url = f"/cases/{case_id}/letters/{TAF}"
    before = get_storage(app).cases.get(case_id)
    reader = signed_in_client(app, roles.PRACTITIONER, "reader@council.example", [worker["team"]])
    assert reader.get(f"/cases/{case_id}").status_code == 200  # reads the case…
    assert "Write a letter" not in page_of(reader.get(f"/cases/{case_id}")).text
    assert reader.get(url).status_code == 403  # …writes no letter
    assert reader.post(url, data=_filled() | {"action": "produce"}).status_code in (400, 403)
    lead = signed_in_client(app, roles.PARTNER, "lead.partner@agency.example")
    assert lead.get(f"/cases/{case_id}").status_code == 200  # the lead professional edits…
    assert lead.get(url).status_code == 403  # …but the council's letters are not theirs
    stranger = signed_in_client(app, roles.PRACTITIONER, "south@council.example")
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/cases/{case_id}/letters").status_code == 404
    after = get_storage(app).cases.get(case_id)
    assert (after.version, after.raw) == (before.version, before.raw)
    refused = [e for e in _entries(app, "letter.view") if e.outcome == "refused"]
    assert len(refused) >= 3


def test_a_restricted_case_refuses_a_letter_and_stores_nothing(
    app: Flask, worker: dict[str, Any]
) -> None:
    client: QualityClient = worker["client"]
    case_id = worker["case_id"]
    url = f"/cases/{case_id}/letters/{TAF}"
    preview = page_of(client.submit(url, _filled(), action="preview"))
    _restrict(app, "EH-2026-0701")
    before = snapshot(app)
    refused = client.submit(url, {}, action="produce", page=preview)
    assert refused.status_code == 409
    assert refused.mimetype == "text/html"
    (message, _), *_ = page_of(refused).error_summary
    assert message.startswith("This case is restricted, so no letter can be produced from it")
    assert snapshot(app) == before
    assert _entries(app, "letter.produce") == []


def test_a_letter_from_a_stale_page_is_refused_and_can_be_checked_again(
    app: Flask, worker: dict[str, Any]
) -> None:
    client: QualityClient = worker["client"]
    case_id = worker["case_id"]
    url = f"/cases/{case_id}/letters/allocation"
    preview = page_of(client.submit(url, {"to": "p1", "format": "pdf"}, action="preview"))
    store = get_storage(app).cases
    now = store.get(case_id)
    store.save(case_id, now.raw | {"family_name": "Morgan-Lee"}, now.version)
    stale = client.submit(url, {}, action="produce", page=preview)
    assert stale.status_code == 409 and stale.mimetype == "text/html"
    assert not store.get(case_id).raw.get("case_notes"), "nothing recorded"
    again = client.submit(url, {}, action="preview", page=page_of(stale))
    made = client.submit(url, {}, action="produce", page=page_of(again))
    assert made.status_code == 200 and made.mimetype == "application/pdf"
    assert len(store.get(case_id).raw["case_notes"]) == 1

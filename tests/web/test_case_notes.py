"""Case notes on the web (issue 13): when a note was written is stamped by ehdocs, never typed;
a note written more than 24 hours after the contact asks why."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from ehdocs.storage import get_storage
from tests.factories import make_case
from tests.web.accounts import hub_client

NEW = "/cases/{}/records/case_note/new"


def _note(days_ago: int) -> dict[str, str]:
    day = dt.date.today() - dt.timedelta(days=days_ago)
    return {
        "case_note-kind": "home_visit",
        "case_note-date-day": str(day.day),
        "case_note-date-month": str(day.month),
        "case_note-date-year": str(day.year),
        "case_note-time": "9.30am",
        "case_note-summary": "Saw Sam and Kerry at home.",
        "case_note-family_visible": "no",
    }


def test_a_note_written_the_same_day_is_stamped_and_needs_no_reason(app: Flask) -> None:
    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    page = client.page(NEW.format(case_id))
    assert "written_at" not in page.html  # ehdocs writes it; no one types it
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    sent = client.submit(NEW.format(case_id), _note(0))
    assert sent.status_code == 302, sent.get_data(as_text=True)
    note = get_storage(app).cases.get(case_id).raw["case_notes"][0]
    assert note["time"] == "09:30"
    assert dt.datetime.fromisoformat(note["written_at"]) >= before
    assert "late_reason" not in note


def test_a_late_note_asks_why_and_keeps_what_was_typed(app: Flask) -> None:
    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    sent = client.submit(NEW.format(case_id), _note(3))
    assert sent.status_code == 200
    text = sent.get_data(as_text=True)
    assert "Enter why this note was written more than 24 hours after the contact" in text
    assert "Saw Sam and Kerry at home." in text
    assert not get_storage(app).cases.get(case_id).raw.get("case_notes")
    late = {**_note(3), "case_note-late_reason": "Two days of court."}
    sent = client.submit(NEW.format(case_id), late)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    note = get_storage(app).cases.get(case_id).raw["case_notes"][0]
    assert note["late_reason"] == "Two days of court."
    assert note["written_at"]

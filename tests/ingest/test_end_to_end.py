"""The issue's 'done when', in one test: a blank form downloaded from the service, filled by a
second PDF engine (PDFium), e-mailed into a real IMAP mailbox (Dovecot on loopback), taken in
by `ehdocs ingest --imap`, shown in the hub queue with its problems, accepted into a case with
the hub's decision, and its sender gets the reply (a real SMTP server on loopback)."""

from __future__ import annotations

import json
import re
import sqlite3
from email.message import EmailMessage
from pathlib import Path

import pytest

from ehdocs.storage import get_storage
from tests.fillable.pdfium_fill import pdfium_fill
from tests.ingest.conftest import AUTHSERV_ID, HUB_ADDRESS, close_app, hub_app
from tests.mailservers import Dovecot, SmtpCatcher
from tests.web.accounts import hub_client

FOLDER = "Hub requests"
SENDER = "jo.teacher@oakfield-school.example"
CHILD = "Zoë Kowalczyk-Brontë"  # personal data that must never reach the reply


def _partner_email(pdf: bytes) -> bytes:
    message = EmailMessage()
    # The council's mail server confirmed the school's domain (the hub replies only then).
    message["Authentication-Results"] = (
        f"{AUTHSERV_ID}; spf=pass smtp.mailfrom={SENDER}; "
        "dmarc=pass header.from=oakfield-school.example"
    )
    message["From"] = f"Jo Teacher <{SENDER}>"
    message["To"] = HUB_ADDRESS
    message["Subject"] = f"Referral for {CHILD}"
    message["Message-ID"] = "<referral-1@oakfield-school.example>"
    message.set_content("Please find attached our early help request.")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"{CHILD}.pdf")
    return message.as_bytes()


def test_blank_form_to_case_by_imap(
    data_dir: Path,
    dovecot: Dovecot,
    smtp_catcher: SmtpCatcher,
    run_cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EHDOCS_SMTP_URL", smtp_catcher.url)
    monkeypatch.setenv("EHDOCS_MAIL_FROM", HUB_ADDRESS)
    app = hub_app(data_dir, SMTP_URL=smtp_catcher.url, MAIL_FROM=HUB_ADDRESS)
    client = hub_client(app)  # the partner's download needs no sign-in; the hub's pages do
    try:
        # 1. The partner downloads the blank form (no sign-in) and fills it in with PDFium.
        response = client.get("/forms/notification.pdf")
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        filled = pdfium_fill(
            response.data,
            {
                "safety__significant_harm": "no",
                "safety__level_of_need": "2",
                "consent__obtained": "yes",
                "consent__given_by": "Anna Kowalczyk",
                "referrer__name": "Jo Teacher",
                "referrer__role": "Designated safeguarding lead",
                "referrer__agency": "Oakfield Primary School",
                "referrer__date": "20/11/2026",
                "children__children__0__child": CHILD,
                "children__children__0__child__date_of_birth": "03/02/2016",
                "children__children__0__reason_included": "Attendance has fallen to 81%",
                "reason__concern": "Often late and tired; mum is struggling since the move.",
                "reason__presenting_needs__school_attendance": True,
            },
        )
        # 2. E-mailed to the hub's mailbox.
        dovecot.append(FOLDER, _partner_email(filled))

        # 3. Taken in from the mailbox.
        result = run_cli("ingest", "--imap", dovecot.url, "--folder", FOLDER)
        assert result.code == 0, result.err
        assert "Received 1 file: 1 ready for the hub (1 with answers to fix)" in result.out
        assert CHILD not in result.out + result.err
        assert all("$EhdocsHandled" in f and "\\Seen" in f for f in dovecot.flags(FOLDER).values())

        # Running it again takes nothing more: the message is marked handled.
        again = run_cli("ingest", "--imap", dovecot.url, "--folder", FOLDER)
        assert again.code == 0 and "Received 0 files" in again.out

        # 4. In the hub queue, with its problems listed.
        queue = client.get("/hub/").get_data(as_text=True)
        reference = re.search(r"HUB-[0-9A-F]{8}", queue)
        assert reference, queue
        reference_text = reference.group(0)
        assert "Early Help Notification" in queue and SENDER in queue
        page = client.get(f"/hub/submissions/{reference_text}").get_data(as_text=True)
        assert "Answers missing or to correct" in page
        assert "Enter your phone number" in page  # left blank on the form
        assert "Kowalczyk-Brontë" in page and "3 February 2016" in page  # the child, born
        assert "Often late and tired" in page

        # 5. Accepted into a new case, with the hub's decision.
        response = client.post(
            f"/hub/submissions/{reference_text}/accept",
            data={
                "target": "new",
                "hub-checks_made": "Case system and education checked: nothing known.",
                "hub-known_to_social_care": "no",
                "hub-decision": "locality_level_2",
                "hub-team_allocated": "North Locality Early Help Team",
                "hub-decision_date-day": "21",
                "hub-decision_date-month": "11",
                "hub-decision_date-year": "2026",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        case_url = response.headers["Location"]
        assert re.fullmatch(r"/cases/\d+", case_url)
        case_page = client.get(case_url).get_data(as_text=True)
        assert f"{reference_text} added to case EH-" in case_page
        store = get_storage(app).cases
        stored = store.get(int(case_url.rsplit("/", 1)[1]))
        (notification,) = [d for d in stored.raw["documents"] if d["form"] == "notification"]
        assert notification["data"]["hub"]["decision"] == "locality_level_2"
        assert notification["data"]["hub"]["decision_date"] == "2026-11-21"
        assert notification["data"]["reason"]["concern"].startswith("Often late and tired")
        child = next(p for p in stored.raw["people"] if p["category"] == "child")
        assert (child["given_name"], child["family_name"]) == ("Zoë", "Kowalczyk-Brontë")
        assert child["date_of_birth"] == "2016-02-03"
        assert notification["data"]["children"]["children"][0]["child"] == child["id"]

        with sqlite3.connect(data_dir / "ehdocs.sqlite3") as db:
            status, decision, case_id = db.execute(
                "SELECT status, decision, case_id FROM submissions WHERE reference = ?",
                (reference_text,),
            ).fetchone()
        assert (status, decision, case_id) == ("accepted", "locality_level_2", stored.id)
        assert reference_text not in client.get("/hub/").get_data(as_text=True)

        # 6. The sender's reply arrived: generic subject, the reference, what to fix, and no
        # personal data.
        (reply,) = smtp_catcher.wait_for(1)
        assert reply.rcpt_tos == [SENDER]
        assert reply.message["Subject"] == f"Your form to the Early Help Hub ({reference_text})"
        assert reply.message["In-Reply-To"] == "<referral-1@oakfield-school.example>"
        body = reply.message.get_content()
        assert reference_text in body
        assert "About you: Your phone number: Enter your phone number" in body
        for personal in ("Zoë", "Kowalczyk", "Anna", "03/02/2016", "Often late", "Oakfield"):
            assert personal not in body
            assert personal not in str(reply.message["Subject"])
        stored_problems = json.loads(
            sqlite3.connect(data_dir / "ehdocs.sqlite3")
            .execute("SELECT problems FROM submissions")
            .fetchone()[0]
        )
        assert len(stored_problems) >= 1
    finally:
        close_app(app)

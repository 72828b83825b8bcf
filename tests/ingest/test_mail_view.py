"""The hub's view of e-mail (#16): when a message was received is when the council's mail server
received it; auto-replies and bounces are logged, never queued or answered; the same form sent
again after handling is recorded and answered; a forwarded message names both the forwarder and
the original sender. Messages are built with python's email package as mail clients build them,
replies go through a real loopback SMTP server, and the rows are read from the real SQLite file."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import sqlite3
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.ingest.conftest import HUB_ADDRESS, close_app, hub_app
from tests.ingest.test_ingest import blank, filled  # noqa: F401
from tests.ingest.test_reply_trust import MX, hub, passed, quiet
from tests.mailservers import SmtpCatcher
from tests.web.accounts import hub_client

pytestmark = pytest.mark.mailserver


def message(
    sender: str,
    *,
    ident: str,
    form: bytes | None = None,
    received: list[str] = (),  # type: ignore[assignment]
    date: str = "Wed, 25 Nov 2026 09:00:00 +0000",
    subject: str = "Early help form",
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    for header in received:  # topmost first: each server prepends its own
        msg["Received"] = header
    domain = sender.rpartition("@")[2] or "example"
    msg["Authentication-Results"] = passed(domain)
    msg["From"] = sender
    msg["To"] = HUB_ADDRESS
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = f"<{ident}@{domain}>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content("Form attached.")
    if form is not None:
        msg.add_attachment(form, maintype="application", subtype="pdf", filename="form.pdf")
    return msg.as_bytes()


def rows(data_dir: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(data_dir / "ehdocs.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM submissions ORDER BY id")]


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def test_received_time_and_deadline_come_from_the_council_server(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher) as ingestor:
        # Received by the council's server on Friday 27 November at 16:30 (17:30 +0100); the
        # sender's own (lower) Received header and Date say otherwise and are not used.
        ingestor.receive_message(
            message(
                "nurse@health.example",
                ident="a",
                form=filled(blank, "Amy"),
                received=[
                    f"from mail.health.example by {MX} with ESMTPS id 1; "
                    "Fri, 27 Nov 2026 17:30:05 +0100",
                    "from laptop by mail.health.example; Mon, 23 Nov 2026 08:00:00 +0000",
                ],
                date="Mon, 23 Nov 2026 08:00:00 +0000",
            ),
            source="imap",
        )
        # No Received header (a file saved from a mail client): the Date header.
        ingestor.receive_message(
            message(
                "gp@surgery.example",
                ident="b",
                form=filled(blank, "Ben"),
                date="Thu, 26 Nov 2026 10:15:00 +0000",
            ),
            source="mbox",
        )
    got = rows(data_dir)
    assert when(got[0]["received_at"]) == dt.datetime(2026, 11, 27, 16, 30, 5)
    # 48 hours in working days from a Friday: by the end of Tuesday (UK time), the day the
    # case counts it due on (ehdocs.case.timescales.hub_decision_due).
    assert when(got[0]["deadline_at"]) == dt.datetime(2026, 12, 1, 23, 59, 59)
    assert when(got[1]["received_at"]) == dt.datetime(2026, 11, 26, 10, 15)
    assert when(got[1]["deadline_at"]) == dt.datetime(2026, 11, 30, 23, 59, 59)


def bounce(ident: str) -> bytes:
    """A delivery status notification, as Postfix sends one: multipart/report from
    MAILER-DAEMON with a null envelope sender, the original message (and its form) inside."""
    report = EmailMessage()
    report["Return-Path"] = "<>"
    report["From"] = "MAILER-DAEMON@mail.health.example (Mail Delivery System)"
    report["To"] = HUB_ADDRESS
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = f"<{ident}@mail.health.example>"
    report["Auto-Submitted"] = "auto-replied"
    report.set_content("This is the mail system at host mail.health.example.")
    report.add_attachment(
        "Reporting-MTA: dns; mail.health.example\n\nFinal-Recipient: rfc822; x@health.example\n"
        "Action: failed\nStatus: 5.1.1\n",
        subtype="delivery-status",
    )
    report.replace_header("Content-Type", report["Content-Type"].replace("mixed", "report"))
    return report.as_bytes()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},  # RFC 3834, Exchange's out-of-office
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
        {"X-Autoreply": "yes"},  # Vacation programs, cPanel
        {"Return-Path": "<>"},  # a null envelope sender
    ],
)
def test_automatic_e_mails_are_logged_never_queued_nor_answered(
    headers: dict[str, str],
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="ehdocs.ingest")
    with hub(data_dir, smtp_catcher) as ingestor:
        # An out-of-office quoting the hub's own reply, with the form still attached.
        assert (
            ingestor.receive_message(
                message(
                    "away@health.example",
                    ident="ooo",
                    form=filled(blank, "Amy"),
                    subject="Automatic reply: Your form HUB-1234ABCD",
                    headers=headers,
                ),
                source="imap",
            )
            == []
        )
        assert ingestor.receive_message(bounce("dsn"), source="imap") == []
        # A person's "Auto-Submitted: no" is an ordinary message.
        ingestor.receive_message(
            message(
                "nurse@health.example",
                ident="ok",
                form=filled(blank, "Ben"),
                headers={"Auto-Submitted": "no"},
            ),
            source="imap",
        )
        ingestor.run()
        assert sum(ingestor.automatic.values()) == 2
    assert [r["sender"] for r in rows(data_dir)] == ["nurse@health.example"]
    caught = quiet(smtp_catcher, 1)
    assert [c.rcpt_tos[0] for c in caught] == ["nurse@health.example"]
    logged = [r.getMessage() for r in caplog.records if "automatic" in r.getMessage()]
    assert len(logged) == 2
    assert "delivery or read report" in logged[1] or "auto-submitted" in logged[1]
    for line in logged:
        assert "@" not in line and "Amy" not in line and "HUB-" not in line


def test_the_same_form_sent_again_after_handling_is_recorded_and_answered(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    form = filled(blank, "Amy")
    with hub(data_dir, smtp_catcher) as ingestor:
        ingestor.receive_message(
            message("nurse@health.example", ident="1", form=form), source="imap"
        )
        ingestor.run()
        assert len(quiet(smtp_catcher, 1)) == 1
        # Before it is handled, the same file again changes nothing (the first reply stands).
        ingestor.receive_message(
            message("nurse@health.example", ident="2", form=form), source="imap"
        )
        with sqlite3.connect(data_dir / "ehdocs.sqlite3") as db:
            assert db.execute("SELECT sent_again FROM submissions").fetchone()[0] == 0
            # The hub accepted it two hours ago (and replied then).
            db.execute(
                "UPDATE submissions SET status='accepted', handled_at=datetime('now','-2 hours'),"
                " replied_at=datetime('now','-2 hours')"
            )
        ingestor.receive_message(
            message("nurse@health.example", ident="3", form=form), source="imap"
        )
        ingestor.run()
        reference = rows(data_dir)[0]["reference"]
    caught = quiet(smtp_catcher, 2)
    assert [c.rcpt_tos[0] for c in caught] == ["nurse@health.example"] * 2
    (row,) = rows(data_dir)
    assert row["sent_again"] == 1 and row["sent_again_at"] is not None
    assert row["reply_note"].startswith("Sent to nurse@health.example")
    app = hub_app(data_dir)
    try:
        page = hub_client(app).get(f"/hub/submissions/{reference}").get_data(as_text=True)
    finally:
        close_app(app)
    assert "The same file was sent again 1 time after this submission was handled" in page


def test_a_forwarded_form_names_the_forwarder_and_the_original_sender(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    original = message("teacher@school.example", ident="o", form=filled(blank, "Amy"))
    # Thunderbird's "Forward as attachment": the original message attached whole.
    outer = EmailMessage()
    outer["Authentication-Results"] = passed("health.example")
    outer["From"] = "Nurse <nurse@health.example>"
    outer["To"] = HUB_ADDRESS
    outer["Subject"] = "Fwd: Early help form"
    outer["Message-ID"] = "<fwd1@health.example>"
    outer.set_content("Please see below.")
    outer.add_attachment(email.message_from_bytes(original, policy=email.policy.default))
    # Outlook's inline forward: "FW:" and the original header block quoted in the text.
    inline = EmailMessage()
    inline["Authentication-Results"] = passed("surgery.example")
    inline["From"] = "gp@surgery.example"
    inline["To"] = HUB_ADDRESS
    inline["Subject"] = "FW: referral"
    inline["Message-ID"] = "<fwd2@surgery.example>"
    inline.set_content(
        "For the hub.\n\n________________________________\nFrom: Health Visitor "
        "<hv@health.example>\nSent: 25 November 2026 10:00\nSubject: referral\n"
    )
    inline.add_attachment(
        filled(blank, "Ben"), maintype="application", subtype="pdf", filename="f.pdf"
    )
    with hub(data_dir, smtp_catcher) as ingestor:
        ingestor.receive_message(outer.as_bytes(), source="imap")
        ingestor.receive_message(inline.as_bytes(), source="imap")
        ingestor.run()
    got = rows(data_dir)
    assert [(r["forwarded_by"], r["original_sender"]) for r in got] == [
        ("nurse@health.example", "teacher@school.example"),
        ("gp@surgery.example", "hv@health.example"),
    ]
    app = hub_app(data_dir)
    try:
        page = hub_client(app).get(f"/hub/submissions/{got[0]['reference']}").get_data(True)
    finally:
        close_app(app)
    assert "Forwarded by" in page and "teacher@school.example" in page

"""An e-mail with no form that answers the hub (#16): matched to the submission it answers by the
hub's own Message-ID (In-Reply-To, or References when a client drops In-Reply-To), by the thread
of the message the form came in, or by the HUB reference quoted in the subject; kept as a reply
shown on that submission (subject, text, sender, when received), never queued nor answered. An
e-mail with no form that answers nothing is refused and answered as before. Messages are built
as Thunderbird, Outlook and Apple Mail build them; replies go through the loopback SMTP server
and rows are read from the real SQLite file."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.ingest.conftest import HUB_ADDRESS, close_app, hub_app
from tests.ingest.test_ingest import blank, filled  # noqa: F401
from tests.ingest.test_mail_view import message, rows
from tests.ingest.test_reply_trust import hub, passed, quiet
from tests.mailservers import SmtpCatcher
from tests.web.accounts import hub_client
from tests.web.conftest import page_of

pytestmark = pytest.mark.mailserver


def answer(
    sender: str,
    *,
    ident: str,
    subject: str,
    plain: str | None,
    html: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
) -> bytes:
    msg = EmailMessage()
    domain = sender.rpartition("@")[2]
    msg["Authentication-Results"] = passed(domain)
    msg["From"] = sender
    msg["To"] = HUB_ADDRESS
    msg["Subject"] = subject
    msg["Date"] = "Thu, 26 Nov 2026 09:30:00 +0000"
    msg["Message-ID"] = f"<{ident}@{domain}>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    if plain is not None:
        msg.set_content(plain)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html or "", subtype="html")
    return msg.as_bytes()


def test_a_reply_with_no_form_is_shown_on_the_submission_it_answers_and_never_answered(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher) as ingestor:
        ingestor.receive_message(
            message("nurse@health.example", ident="form1", form=filled(blank, "Amy")),
            source="imap",
        )
        ingestor.run()
        (first,) = quiet(smtp_catcher, 1)
        reference = rows(data_dir)[0]["reference"]
        hub_id = first.message["Message-ID"]
        assert reference in hub_id and hub_id.endswith("@council.example>")
        assert first.message["Subject"] == f"Your form to the Early Help Hub ({reference})"
        # Thunderbird: a reply to the hub's reply, its text quoting it.
        thunderbird = answer(
            "nurse@health.example",
            ident="tb1",
            subject=f"Re: {first.message['Subject']}",
            plain="Mum's new number is 07700 900123.\n\nOn 25/11/2026 the hub wrote:\n> Hello,",
            in_reply_to=hub_id,
            references=f"<form1@health.example> {hub_id}",
        )
        # Outlook on the web: HTML only, no In-Reply-To, References kept.
        outlook = answer(
            "gp@surgery.example",
            ident="ol1",
            subject="RE: Your form to the Early Help Hub",
            plain=None,
            html=(
                "<html><head><style>p{color:red}</style><script>alert('x')</script></head>"
                "<body><p>Dad&#39;s surname is <b>Okoro</b>.</p><div>Thanks,<br>Dr Lee</div>"
                "<img src='https://tracker.example/p.gif'></body></html>"
            ),
            references=f"<form1@health.example> {hub_id}",
        )
        # Apple Mail, a new message quoting the reference in its subject only.
        apple = answer(
            "nurse@health.example",
            ident="am1",
            subject=f"About {reference.lower()} – school",
            plain="She has moved to Oak School.",
        )
        # A message in the thread the form came in (a follow-up to their own e-mail).
        follow_up = answer(
            "nurse@health.example",
            ident="fu1",
            subject="Re: Early help form",
            plain="I forgot: she has a sister.",
            in_reply_to="<form1@health.example>",
        )
        # No reference, no thread: refused and answered as before.
        stray = answer(
            "teacher@school.example", ident="x1", subject="Early help", plain="See attached?"
        )
        # A reference the hub never gave: the same.
        unknown = answer(
            "teacher@school.example",
            ident="x2",
            subject="Re: HUB-0000ABCD",
            plain="Any news?",
            in_reply_to="<1.2.HUB-0000ABCD@council.example>",
        )
        for raw in (thunderbird, outlook, apple, follow_up, stray, unknown):
            ingestor.receive_message(raw, source="imap")
        ingestor.receive_message(thunderbird, source="imap")  # fetched twice: one reply
        ingestor.run()
    got = rows(data_dir)
    statuses = [(r["sender"], r["status"], r["answers_reference"]) for r in got]
    assert statuses == [
        ("nurse@health.example", "ready", None),
        ("nurse@health.example", "reply", reference),
        ("gp@surgery.example", "reply", reference),
        ("nurse@health.example", "reply", reference),
        ("nurse@health.example", "reply", reference),
        ("teacher@school.example", "refused", None),
        ("teacher@school.example", "refused", None),
    ]
    for row in got[1:5]:
        assert row["reply_to"] is None and row["replied_at"] is None
        assert row["reply_note"].startswith(f"Not sent: this e-mail answers {reference}")
    # Only the two that answer nothing were told no form was found (at most one an hour each).
    caught = quiet(smtp_catcher, 2)
    assert [c.rcpt_tos[0] for c in caught] == ["nurse@health.example", "teacher@school.example"]
    assert "could not find a form" in caught[1].message.get_content()

    app = hub_app(data_dir)
    try:
        client = hub_client(app)
        page = page_of(client.get(f"/hub/submissions/{reference}"))
        queue = client.get("/hub/").get_data(as_text=True)
        handled = client.get("/hub/?show=handled").get_data(as_text=True)
    finally:
        close_app(app)
    assert "Replies (4)" in page.text
    cards = [c for c in page.all("div", "govuk-summary-card")]
    titles = [(c.find(".//h3").text or "").strip() for c in cards]  # type: ignore[union-attr]
    assert titles == [
        f"Re: Your form to the Early Help Hub ({reference})",
        "RE: Your form to the Early Help Hub",
        f"About {reference.lower()} – school",
        "Re: Early help form",
    ]
    text = page.text
    assert "Mum's new number is 07700 900123." in text and "> Hello," in text
    assert "Dad's surname is Okoro." in text and "Thanks,\nDr Lee" in page_of_text(cards[1])
    assert "alert" not in text and "color:red" not in text and "tracker.example" not in text
    assert "nurse@health.example" in page_of_text(cards[0]) and "26 November 2026" in text
    assert "Sender confirmed" in page_of_text(cards[0])
    # Replies are not queue items, nor handled ones.
    for listing in (queue, handled):
        for row in got[1:5]:
            assert row["reference"] not in listing


def page_of_text(element: object) -> str:
    from xml.etree import ElementTree as ET

    assert isinstance(element, ET.Element)
    return "".join(element.itertext())


def test_a_corrected_form_sent_in_reply_is_offered_as_a_corrected_version_and_answered(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher) as ingestor:
        ingestor.receive_message(
            message("nurse@health.example", ident="f1", form=filled(blank, "Amy")),
            source="imap",
        )
        ingestor.run()
        (first,) = quiet(smtp_catcher, 1)
        reference = rows(data_dir)[0]["reference"]
        # Thunderbird's reply to the hub's reply, the corrected form attached.
        corrected = EmailMessage()
        corrected["Authentication-Results"] = passed("health.example")
        corrected["From"] = "Nurse <nurse@health.example>"
        corrected["To"] = HUB_ADDRESS
        corrected["Subject"] = f"Re: {first.message['Subject']}"
        corrected["Message-ID"] = "<f2@health.example>"
        corrected["In-Reply-To"] = first.message["Message-ID"]
        corrected["References"] = f"<f1@health.example> {first.message['Message-ID']}"
        corrected.set_content("Corrected form attached.")
        corrected.add_attachment(
            filled(blank, "Amy", reason__concern="Concern about Amy, and her sleep"),
            maintype="application",
            subtype="pdf",
            filename="form.pdf",
        )
        ingestor.receive_message(corrected.as_bytes(), source="imap")
        ingestor.run()
    got = rows(data_dir)
    assert [(r["status"], r["answers_reference"]) for r in got] == [
        ("ready", None),
        ("ready", reference),
    ]
    # A form: answered like any other (not at once: at most one reply an hour per address).
    assert got[1]["reply_note"].startswith("Not sent: the hub replied to this address")
    app = hub_app(data_dir)
    try:
        page = page_of(hub_client(app).get(f"/hub/submissions/{got[1]['reference']}"))
    finally:
        close_app(app)
    assert f"A corrected version of submission {reference}" in page.text
    assert f"The e-mail answers {reference}." in page.text
    assert f"{reference}: Concern about Amy" in page.text
    assert "This version: Concern about Amy, and her sleep" in page.text

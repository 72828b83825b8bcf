"""The hub must not become a spam cannon (#11): it replies only to senders it can trust — an
e-mail whose From domain the council's mail server authenticated (the topmost
Authentication-Results with the council's authserv-id: DMARC pass, or SPF/DKIM aligned with
From), or a partner agency's domain; never to the hub's own address; at most one reply per
address an hour. Each submission records why a reply was or was not sent. Real SMTP catcher."""

from __future__ import annotations

import sqlite3
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from ehdocs.ingest.service import Ingestor
from ehdocs.ingest.setup import ingestor_from_config
from ehdocs.storage.config import from_environment
from tests.ingest.conftest import HUB_ADDRESS
from tests.ingest.test_ingest import blank, filled  # noqa: F401
from tests.mailservers import SmtpCatcher

pytestmark = pytest.mark.mailserver

MX = "mx.council.example"  # the council's mail server's authserv-id


def mail(
    form: bytes | None,
    sender: str,
    *,
    ident: str,
    results: list[str] = (),  # type: ignore[assignment]
    reply_to: str | None = None,
) -> bytes:
    message = EmailMessage()
    for header in results:  # topmost first, as each server prepends its own
        message["Authentication-Results"] = header
    message["From"] = sender
    if reply_to:
        message["Reply-To"] = reply_to
    message["To"] = HUB_ADDRESS
    message["Subject"] = "Early help form"
    message["Message-ID"] = f"<{ident}@sender.example>"
    message.set_content("Form attached.")
    if form is not None:
        message.add_attachment(form, maintype="application", subtype="pdf", filename="form.pdf")
    return message.as_bytes()


def passed(domain: str, server: str = MX) -> str:
    return (
        f"{server}; spf=pass smtp.mailfrom={domain}; dkim=pass header.d={domain}; "
        f"dmarc=pass (p=reject) header.from={domain}"
    )


def hub(data_dir: Path, catcher: SmtpCatcher, **more: Any) -> Ingestor:
    settings = {"SMTP_URL": catcher.url, "MAIL_FROM": HUB_ADDRESS, "MAIL_AUTHSERV_ID": MX}
    settings.update(more)
    return ingestor_from_config(from_environment(settings))


def notes(data_dir: Path) -> dict[str, dict[str, Any]]:
    with sqlite3.connect(data_dir / "ehdocs.sqlite3") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM submissions ORDER BY id").fetchall()
    return {r["sender"]: dict(r) for r in rows}


def take_in(ingestor: Ingestor, *messages: bytes) -> None:
    for raw in messages:
        ingestor.receive_message(raw, source="imap")
    ingestor.run()


def quiet(catcher: SmtpCatcher, expected: int) -> list[Any]:
    """The messages caught, after giving any stray one time to arrive."""
    if expected:
        catcher.wait_for(expected)
    time.sleep(0.3)
    return catcher.messages


def test_only_authenticated_or_partner_senders_get_a_reply(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher) as ingestor:
        take_in(
            ingestor,
            # DMARC passed at the council's server: replied to.
            mail(
                filled(blank, "Amy"),
                "nurse@health.example",
                ident="a",
                results=[passed("health.example")],
            ),
            # No Authentication-Results at all: the From may be forged.
            mail(filled(blank, "Ben"), "victim@forged.example", ident="b"),
            # The sender wrote its own "pass" with another server's id: ignored.
            mail(
                filled(blank, "Cal"),
                "other@spoof.example",
                ident="c",
                results=[passed("spoof.example", server="mx.spoof.example")],
            ),
            # Our id, but below the council's real (failing) header: only the topmost counts.
            mail(
                filled(blank, "Dee"),
                "under@spoof2.example",
                ident="d",
                results=[f"{MX}; dmarc=fail header.from=spoof2.example", passed("spoof2.example")],
            ),
            # SPF passed for an unrelated domain: not aligned with From.
            mail(
                filled(blank, "Eve"),
                "eve@bank.example",
                ident="e",
                results=[f"{MX}; spf=pass smtp.mailfrom=bulk@mailer.example; dmarc=none"],
            ),
            # DKIM signed by a subdomain of the From domain: aligned.
            mail(
                filled(blank, "Fay"),
                "fay@school.example",
                ident="f",
                results=[f"{MX}; dkim=pass header.d=mail.school.example; dmarc=none"],
            ),
            # A partner agency's domain (the profile's list) with no authentication results.
            mail(filled(blank, "Gus"), "head@oak.sch.uk", ident="g"),
            # The hub's own address, even "authenticated": never.
            mail(filled(blank, "Hal"), HUB_ADDRESS, ident="h", results=[passed("council.example")]),
        )
    caught = quiet(smtp_catcher, 3)
    assert sorted(c.rcpt_tos[0] for c in caught) == [
        "fay@school.example",
        "head@oak.sch.uk",
        "nurse@health.example",
    ]
    rows = notes(data_dir)
    assert rows["nurse@health.example"]["reply_note"].startswith("Sent to nurse@health.example")
    assert "DMARC" in rows["nurse@health.example"]["reply_note"]
    assert "DKIM" in rows["fay@school.example"]["reply_note"]
    assert "partner agency" in rows["head@oak.sch.uk"]["reply_note"]
    for forged in (
        "victim@forged.example",
        "other@spoof.example",
        "under@spoof2.example",
        "eve@bank.example",
    ):
        assert rows[forged]["replied_at"] is None
        assert rows[forged]["reply_note"].startswith("Not sent: the council's mail server did not")
    assert rows[HUB_ADDRESS]["reply_note"] == "Not sent: the e-mail came from the hub's own address"


def test_a_forged_reply_to_cannot_aim_the_reply_elsewhere(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher) as ingestor:
        take_in(
            ingestor,
            mail(
                filled(blank, "Amy"),
                "nurse@health.example",
                ident="a",
                results=[passed("health.example")],
                reply_to="target@victim.example",
            ),
            mail(
                filled(blank, "Ben"),
                "gp@surgery.example",
                ident="b",
                results=[passed("surgery.example")],
                reply_to="admin@surgery.example",
            ),
        )
    caught = quiet(smtp_catcher, 2)
    assert sorted(c.rcpt_tos[0] for c in caught) == [
        "admin@surgery.example",
        "nurse@health.example",
    ]
    assert all(c.message["To"] != "target@victim.example" for c in caught)


def test_at_most_one_reply_per_sender_an_hour(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher) as ingestor:
        for n in range(5):
            take_in(
                ingestor,
                mail(
                    filled(blank, f"Child{n}"),
                    "Nurse@Health.example",
                    ident=f"n{n}",
                    results=[passed("health.example")],
                ),
            )
    caught = quiet(smtp_catcher, 1)
    assert len(caught) == 1
    with sqlite3.connect(data_dir / "ehdocs.sqlite3") as db:
        got = [r[0] for r in db.execute("SELECT reply_note FROM submissions ORDER BY id")]
    assert got[0].startswith("Sent to Nurse@Health.example")
    assert all("less than an hour ago" in note for note in got[1:]), got


def test_no_authserv_id_configured_means_no_e_mail_is_trusted_by_its_headers(
    data_dir: Path,
    blank: bytes,  # noqa: F811
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    with hub(data_dir, smtp_catcher, MAIL_AUTHSERV_ID=None) as ingestor:
        take_in(
            ingestor,
            mail(
                filled(blank, "Amy"),
                "nurse@health.example",
                ident="a",
                results=[passed("health.example")],
            ),
        )
    assert quiet(smtp_catcher, 0) == []
    assert notes(data_dir)["nurse@health.example"]["reply_note"].startswith("Not sent")

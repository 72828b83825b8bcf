"""The test mail servers are real: what goes in over IMAP or SMTP comes back out byte for byte."""

from __future__ import annotations

import email.policy
import imaplib
import re
import smtplib
import socket
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.mailservers import Dovecot, SmtpCatcher, dovecot, quote_mailbox, smtp_catcher

__all__ = ["dovecot", "smtp_catcher"]  # the fixtures, used here by name

FOLDER = "Hub submissions"
# Not a valid document, but every byte value, so any re-encoding on the way would show.
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def _submission(message_id: str) -> bytes:
    message = EmailMessage(policy=email.policy.SMTP)  # CRLF line ends, as IMAP stores them
    message["From"] = "practitioner@school.example"
    message["To"] = "hub@council.example"
    message["Subject"] = "Early Help assessment"
    message["Message-ID"] = message_id
    message.set_content("The filled form is attached.\n")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="form.pdf")
    return message.as_bytes()


def _attachment(raw: bytes) -> bytes:
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    (part,) = list(message.iter_attachments())
    payload = part.get_content()
    assert isinstance(payload, bytes)
    return payload


def test_dovecot_keeps_a_pdf_attachment_byte_for_byte_and_stores_a_keyword(
    dovecot: Dovecot,
) -> None:
    message_id = f"<{uuid.uuid4().hex}@test.example>"  # the session's server is shared
    raw = _submission(message_id)
    dovecot.append(FOLDER, raw)

    # A separate client, as the ingestion code will be.
    with imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10) as imap:
        imap.login(dovecot.user, dovecot.password)
        assert imap.select(quote_mailbox(FOLDER))[0] == "OK"
        status, found = imap.uid("SEARCH", "HEADER", "Message-ID", f'"{message_id}"')
        assert status == "OK"
        (uid,) = found[0].split()
        status, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
        assert status == "OK"
        stored = fetched[0][1]
        assert stored == raw
        assert _attachment(stored) == PDF
        status, _ = imap.uid("STORE", uid, "+FLAGS", "($EhdocsHandled)")
        assert status == "OK"

    assert dovecot.flags(FOLDER)[int(uid)] == {"$EhdocsHandled"}  # PEEK left it unseen
    assert dovecot.count(FOLDER) >= 1


def test_dovecot_refuses_a_wrong_password(dovecot: Dovecot) -> None:
    with imaplib.IMAP4(dovecot.host, dovecot.port, timeout=10) as imap:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(dovecot.user, dovecot.password + "x")


def test_dovecot_url_names_the_server_and_the_account(dovecot: Dovecot) -> None:
    url = urlsplit(dovecot.url)
    assert (url.scheme, url.hostname, url.port) == ("imap", "127.0.0.1", dovecot.port)
    assert (url.username, unquote(url.password or "")) == ("hub", dovecot.password)


def test_two_dovecots_run_side_by_side_each_in_its_own_folder(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    with Dovecot(tmp_path / "second", password="another-secret") as second:
        assert second.port != dovecot.port
        second.append("INBOX", _submission("<only-in-the-second@test.example>"))
        assert second.count("INBOX") == 1
        assert second.flags("INBOX") == {1: set()}
        stored = list((tmp_path / "second" / "mail" / "hub" / "Maildir").glob("*/*"))
        assert [p for p in stored if p.parent.name in {"new", "cur"}], stored
        with imaplib.IMAP4(second.host, second.port, timeout=10) as imap:
            with pytest.raises(imaplib.IMAP4.error):  # its own passwd-file, not the first's
                imap.login("hub", dovecot.password)
        port = second.port
    with pytest.raises(ConnectionRefusedError):  # stopped means gone
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_smtp_catcher_receives_what_smtplib_sends(smtp_catcher: SmtpCatcher) -> None:
    message = EmailMessage()
    message["From"] = "hub@council.example"
    message["To"] = "practitioner@school.example"
    message["Subject"] = "Your Early Help submission was received"
    message.set_content("Reference EH-0001. Nothing else is said by e-mail.\n")
    url = urlsplit(smtp_catcher.url)
    assert (url.scheme, url.hostname, url.port) == ("smtp", "127.0.0.1", smtp_catcher.port)

    with smtplib.SMTP(smtp_catcher.host, smtp_catcher.port, timeout=10) as smtp:
        smtp.send_message(message)

    (caught,) = smtp_catcher.wait_for(1)
    assert caught.mail_from == "hub@council.example"
    assert caught.rcpt_tos == ["practitioner@school.example"]
    assert caught.message["Subject"] == "Your Early Help submission was received"
    body = caught.message.get_body(("plain",))
    assert body is not None
    assert body.get_content() == "Reference EH-0001. Nothing else is said by e-mail.\n"
    assert re.search(rb"^Subject: Your Early Help", caught.data, re.MULTILINE)

    with pytest.raises(AssertionError, match="1 arrived"):
        smtp_catcher.wait_for(2, timeout=0.2)
    smtp_catcher.clear()
    assert smtp_catcher.messages == []

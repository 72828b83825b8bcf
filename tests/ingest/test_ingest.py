"""Taking in files, e-mails and mailboxes: nothing lost, nothing doubled, every file read in a
parser process, what ehdocs rendered read back losslessly, and replies that say what to fix
without personal data."""

from __future__ import annotations

import hashlib
import io
import json
import mailbox
import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from ehdocs.case.io import read_case_file
from ehdocs.fillable import blank_form
from ehdocs.fillable.fill import fill
from ehdocs.ingest.setup import ingestor_from_config
from ehdocs.ingest.sources import SmtpListener
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document
from ehdocs.schema import FormSet
from ehdocs.storage.blobs import BlobStore
from ehdocs.storage.config import from_environment
from ehdocs.storage.sealing import seal_keys
from ehdocs.validation import validate_case
from tests.fillable.test_docx import docx_fill
from tests.ingest.conftest import AUTHSERV_ID, HUB_ADDRESS
from tests.mailservers import SmtpCatcher

ROOT = Path(__file__).resolve().parents[2]
SENDER = "partner@health.example"


@pytest.fixture(scope="module")
def blank(formset: FormSet) -> bytes:
    return blank_form(formset, "notification", "pdf")[1]


def filled(blank: bytes, child: str, **more: str) -> bytes:
    values = {
        "referrer__name": "Sam Visitor",
        "referrer__date": "19/11/2026",
        "children__children__0__child": child,
        "children__children__0__child__date_of_birth": "18/04/2017",
        "reason__concern": f"Concern about {child}",
    }
    values.update(more)
    return fill(blank, values)  # ehdocs's filler; partners' engines: test_what_partners_send


def email_with(*attachments: tuple[str, bytes], sender: str = SENDER, ident: str = "1") -> bytes:
    message = EmailMessage()
    # As the council's mail server marks a message whose From domain passed DMARC (the hub
    # replies only to those: tests/ingest/test_reply_trust.py).
    domain = sender.rpartition("@")[2]
    message["Authentication-Results"] = f"{AUTHSERV_ID}; dmarc=pass header.from={domain}"
    message["From"] = sender
    message["To"] = HUB_ADDRESS
    message["Subject"] = "Early help form"
    message["Message-ID"] = f"<m{ident}@health.example>"
    message.set_content("Form attached.")
    for name, data in attachments:
        main, sub = (
            ("application", "pdf") if data.startswith(b"%PDF") else ("application", "octet-stream")
        )
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


def rows(data_dir: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(data_dir / "ehdocs.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM submissions ORDER BY id")]


def test_the_same_file_or_message_twice_is_one_submission(
    data_dir: Path,
    blank: bytes,
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    form = filled(blank, "Amy Smith")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "amy.pdf").write_bytes(form)
    (inbox / "copy of amy.pdf").write_bytes(form)
    (inbox / "mail.eml").write_bytes(email_with(("form.pdf", form)))
    (inbox / "mail again.eml").write_bytes(email_with(("form.pdf", form)))

    first = run_cli("ingest", inbox)
    assert first.code == 0, first.err
    assert "Received 4 files: 1 ready for the hub" in first.out
    assert "3 already received" in first.out
    second = run_cli("ingest", inbox)
    assert "Received 4 files: 0 ready for the hub, 0 refused, 4 already received" in second.out

    (row,) = rows(data_dir)
    assert row["status"] == "ready" and row["form"] == "notification"
    assert row["sha256"] == hashlib.sha256(form).hexdigest()
    stored = data_dir / "received" / row["sha256"][:2] / row["sha256"]
    assert stored.read_bytes() == form
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert row["original_name"] == "amy.pdf"  # kept for the hub, never used as a path


def test_an_mbox_with_forms_a_word_file_and_an_email_without_a_form(
    data_dir: Path,
    blank: bytes,
    formset: FormSet,
    tmp_path: Path,
    smtp_catcher: SmtpCatcher,
    monkeypatch: pytest.MonkeyPatch,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("EHDOCS_SMTP_URL", smtp_catcher.url)
    monkeypatch.setenv("EHDOCS_MAIL_FROM", HUB_ADDRESS)
    docx = docx_fill(
        blank_form(formset, "notification", "docx")[1],
        {"referrer__name": "Kim Nurse", "reason__concern": "Word form concern"},
    )
    path = tmp_path / "hub.mbox"
    box = mailbox.mbox(path)
    box.add(email_with(("a.pdf", filled(blank, "Amy Smith")), sender="a@x.example", ident="a"))
    box.add(email_with(("b.docx", docx), sender="b@x.example", ident="b"))
    box.add(email_with(sender="c@x.example", ident="c"))  # forgot the attachment
    box.add(email_with(("scan.pdf", b"not really a pdf"), sender="d@x.example", ident="d"))
    box.flush()
    box.close()

    result = run_cli("ingest", path)
    assert result.code == 0, result.err
    assert "Received 4 files: 2 ready for the hub" in result.out
    assert "2 refused" in result.out
    found = {r["sender"]: r for r in rows(data_dir)}
    assert found["a@x.example"]["form"] == found["b@x.example"]["form"] == "notification"
    assert json.loads(found["b@x.example"]["extracted"])["values"]["reason__concern"] == (
        "Word form concern"
    )
    assert found["c@x.example"]["media"] == "message"
    assert "could not find a form attached" in found["c@x.example"]["reason"]
    # "scan.pdf" is not a PDF by its content: the message has no form in it.
    assert "could not find a form attached" in found["d@x.example"]["reason"]

    replies = {r.rcpt_tos[0]: r for r in smtp_catcher.wait_for(4)}
    assert set(replies) == {"a@x.example", "b@x.example", "c@x.example", "d@x.example"}
    for address, reply in replies.items():
        reference = found[address]["reference"]  # the only thing that differs: the reference
        assert reply.message["Subject"] == f"Your form to the Early Help Hub ({reference})"
        assert reply.message["Auto-Submitted"] == "auto-replied"
    assert "could not find a form attached" in replies["c@x.example"].message.get_content()
    assert "Amy" not in replies["a@x.example"].message.get_content()
    # Replies are sent once: a second run sends nothing more.
    run_cli("ingest", path)
    time.sleep(0.3)
    assert len(smtp_catcher.messages) == 4


@pytest.mark.parametrize("audience", ["professional", "hub"])
def test_a_pdf_ehdocs_rendered_comes_back_losslessly(
    data_dir: Path, formset: FormSet, audience: str
) -> None:
    raw = read_case_file(ROOT / "examples" / "single-parent.json")
    case = validate_case(raw, formset).case
    assert case is not None
    doc = case.documents_of("notification")[0]
    today = __import__("datetime").date(2026, 11, 23)
    seal = seal_keys(from_environment())  # the service's own copy, sealed
    pdf = render_document(case, doc, RenderOptions(audience, "pdf", today, seal=seal))
    with ingestor_from_config(from_environment()) as ingestor:
        receipt = ingestor.receive_file(pdf, source="file")
        (outcome,) = ingestor.process_pending()
    assert outcome.status == "ready" and outcome.form == "notification"
    (row,) = rows(data_dir)
    extracted = json.loads(row["extracted"])
    assert extracted["kind"] == "case" and extracted["document"] == doc.id
    embedded = PdfReader(io.BytesIO(pdf)).attachments["ehdocs-case.json"][0]
    assert extracted["case"] == json.loads(embedded)["case"]
    if audience == "hub":  # the hub copy is the whole case, exactly
        from ehdocs.validation import dump_case

        assert extracted["case"] == json.loads(json.dumps(dump_case(case)))
        assert json.loads(row["problems"]) == []
    assert receipt.reference == row["reference"]


def test_a_family_copy_is_refused(data_dir: Path, formset: FormSet) -> None:
    raw = read_case_file(ROOT / "examples" / "single-parent.json")
    case = validate_case(raw, formset).case
    assert case is not None
    doc = case.documents_of("notification")[0]
    today = __import__("datetime").date(2026, 11, 23)
    seal = seal_keys(from_environment())
    pdf = render_document(case, doc, RenderOptions("family", "pdf", today, seal=seal))
    with ingestor_from_config(from_environment()) as ingestor:
        ingestor.receive_file(pdf, source="file")
        (outcome,) = ingestor.process_pending()
    assert outcome.status == "refused"
    assert "family copy" in (outcome.reason or "")


def _count(data_dir: Path, where: str = "1=1") -> int:
    try:
        with sqlite3.connect(data_dir / "ehdocs.sqlite3", timeout=5) as db:
            return int(db.execute(f"SELECT count(*) FROM submissions WHERE {where}").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not made yet
        return 0


def _run_until(folder: Path, data_dir: Path, where: str) -> bool:
    """Start `ehdocs ingest FOLDER`, kill -9 it once `where` holds; True if it was mid-run."""
    env = {**os.environ, "EHDOCS_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ehdocs.cli", "ingest", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if _count(data_dir, where):
                break
            time.sleep(0.005)
        killed = process.poll() is None
        os.killpg(process.pid, signal.SIGKILL)  # the parser processes too
        return killed
    finally:
        process.wait(30)


def test_killing_ingest_mid_run_loses_nothing_and_doubles_nothing(
    data_dir: Path,
    blank: bytes,
    tmp_path: Path,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    forms = {}
    for i in range(24):
        data = filled(blank, f"Child Number{i}")
        forms[hashlib.sha256(data).hexdigest()] = data
        (folder / f"form-{i:02d}.pdf").write_bytes(data)

    # Killed while receiving, then while reading.
    assert _run_until(folder, data_dir, "1=1")
    received_first = _count(data_dir)
    assert received_first < len(forms)
    assert _run_until(folder, data_dir, "status = 'ready'")
    assert _count(data_dir, "status = 'received'") > 0  # some were left unread

    result = run_cli("ingest", folder)
    assert result.code == 0, result.err
    assert "files a run stopped part-way had not finished" in result.out

    found = rows(data_dir)
    assert len(found) == len(forms)
    assert {r["sha256"] for r in found} == set(forms)
    assert {r["status"] for r in found} == {"ready"}
    blobs = BlobStore(data_dir / "received")
    for digest, data in forms.items():
        assert blobs.get(digest) == data
    leftovers = [
        p for p in (data_dir / "received").rglob(".*") if p.name.startswith((".tmp-", ".incoming-"))
    ]
    assert len(leftovers) <= 1  # at most the one file being written when killed
    again = run_cli("ingest", folder)
    assert f"0 ready for the hub, 0 refused, {len(forms)} already received" in again.out


def test_the_smtp_listener_takes_in_forwarded_mail(
    data_dir: Path, blank: bytes, smtp_catcher: SmtpCatcher
) -> None:
    config = from_environment({"SMTP_URL": smtp_catcher.url, "MAIL_FROM": HUB_ADDRESS})
    with ingestor_from_config(config) as ingestor:
        listener = SmtpListener(ingestor, "127.0.0.1", _free_port())
        listener.start()
        try:
            message = email_with(("form.pdf", filled(blank, "Amy Smith")), ident="smtp")
            message = message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # as MTAs send
            with smtplib.SMTP("127.0.0.1", listener.controller.port, timeout=10) as smtp:
                smtp.sendmail(SENDER, [HUB_ADDRESS], message)
                smtp.sendmail(SENDER, [HUB_ADDRESS], message)  # forwarded twice
            assert listener.wait_idle(30)
            (reply,) = smtp_catcher.wait_for(1)
        finally:
            listener.stop()
    (row,) = rows(data_dir)
    assert (row["source"], row["status"], row["sender"]) == ("smtp", "ready", SENDER)
    assert reply.rcpt_tos == [SENDER] and row["reference"] in reply.message.get_content()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ingest_says_what_is_wrong_with_its_arguments(
    data_dir: Path,
    run_cli,  # type: ignore[no-untyped-def]
) -> None:
    nothing = run_cli("ingest")
    assert nothing.code == 2 and "Give files or folders" in nothing.err
    missing = run_cli("ingest", "/no/such/folder")
    assert missing.code == 6 and "There is no file or folder called" in missing.err
    bad = run_cli("ingest", "--imap", "http://x")
    assert bad.code == 6 and "imaps://user@host" in bad.err
    refused = run_cli("ingest", "--imap", "imap://hub:pw@127.0.0.1:1", "--folder", "INBOX")
    assert refused.code == 6 and "Could not connect to the mailbox" in refused.err
    assert "Traceback" not in nothing.err + missing.err + bad.err + refused.err


def test_the_demo_referral_names_only_fields_of_the_blank_form(formset: FormSet) -> None:
    """`serve --load-examples` fills these into a blank form: a renamed field would quietly
    drop an answer from the demo."""
    from ehdocs.fillable import field_map

    example = json.loads((ROOT / "examples" / "hub" / "referral.json").read_text())
    names = {e.name for e in field_map(formset, example["form"], "pdf")}
    assert set(example["values"]) <= names, set(example["values"]) - names

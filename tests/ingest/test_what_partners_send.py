"""Files as partners really send them (issue 16): made by the real tools (mutool, qpdf,
openssl, Python's zipfile), read through the parser as the service reads them, each with the
exact outcome expected. Nothing is read as an empty form, nothing from an older revision."""

from __future__ import annotations

import io
import subprocess
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pikepdf import Array, Dictionary, Name, Pdf, String

from bench.bench_broken_manual import broken_manual
from ehdocs.ingest.mail import read_message
from ehdocs.ingest.parse import parse
from ehdocs.ingest.sandbox import ParserPool
from tests.ingest.hostile import (
    GOOD_ANSWERS,
    blank_pdf,
    edited,
    encrypted_rc4_empty_password,
    good_form,
)

MUTOOL_FILL = Path(__file__).with_name("mutool_fill.js")


def mutool_filled(tmp_path: Path, answers: dict[str, str] = GOOD_ANSWERS) -> bytes:
    """The blank notification filled in by MuPDF (`mutool run`), saved incrementally as MuPDF
    does: the blank revision stays in the file, the answers are in a revision after it."""
    blank, out = tmp_path / "blank.pdf", tmp_path / "filled.pdf"
    blank.write_bytes(blank_pdf())
    pairs = [f"{name}={value}" for name, value in answers.items()]
    subprocess.run(
        ["mutool", "run", str(MUTOOL_FILL), str(blank), str(out), *pairs],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = out.read_bytes()
    assert data.startswith(blank_pdf()[:100]) and len(data) > len(blank_pdf())  # incremental
    return data


def answers(result: dict[str, Any]) -> dict[str, Any]:
    assert result["kind"] == "form", result.get("reason")
    return {name: result["values"][name] for name in GOOD_ANSWERS}


# -- silent loss: bytes before the header -----------------------------------------------------


@pytest.mark.parametrize("prefix", [b"", b"\r\n\r\n\r\n", b"\n", b"X-Gateway: scanned\r\n\r\n"])
def test_a_mupdf_form_with_bytes_before_its_header_is_read_at_its_latest_revision(
    tmp_path: Path, prefix: bytes
) -> None:
    assert answers(parse(prefix + mutool_filled(tmp_path))) == GOOD_ANSWERS


# -- archives ---------------------------------------------------------------------------------


def zipped(members: dict[str, bytes], method: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_form_in_a_zip_archive_is_read(method: int) -> None:
    archive = zipped({"note.txt": b"Referral attached", "referral/form.pdf": good_form()}, method)
    assert answers(parse(archive)) == GOOD_ANSWERS


def test_a_zip_archive_without_a_form_says_what_it_is() -> None:
    reason = parse(zipped({"photo.txt": b"no form here"}, zipfile.ZIP_STORED))["reason"]
    assert reason.startswith("This file is a ZIP archive"), reason
    assert "no filled-in form" in reason


def test_an_opendocument_text_file_is_named() -> None:
    odt = zipped(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
        zipfile.ZIP_STORED,
    )
    reason = parse(odt)["reason"]
    assert "an OpenDocument text file (.odt)" in reason, reason
    assert "not a Word document" not in reason


# -- encryption, damage, broken headers -------------------------------------------------------


def test_a_pdf_restricted_from_copying_and_printing_opens_without_a_password(
    tmp_path: Path,
) -> None:
    filled, restricted = tmp_path / "filled.pdf", tmp_path / "restricted.pdf"
    filled.write_bytes(good_form())
    subprocess.run(
        [
            "qpdf",
            "--encrypt",
            "",
            "owner-only",
            "256",
            "--print=none",
            "--extract=n",
            "--",
            str(filled),
            str(restricted),
        ],
        check=True,
        timeout=60,
    )
    assert answers(parse(restricted.read_bytes())) == GOOD_ANSWERS


def test_a_damaged_pdf_that_is_not_ours_is_said_plainly_without_asking_for_it_again() -> None:
    data = b"%PDF-1.4\n1 0 obj\n<< /Producer (Scanner) >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
    reason = parse(data)["reason"]
    assert "catalogue" not in reason
    assert "damaged" in reason and "send it again" not in reason.lower()
    assert "Download the blank form" in reason


@pytest.mark.parametrize("header", [b"%PDF1.4", b"%1.4"])
def test_a_broken_header_gets_one_reading_by_file_and_by_email(header: bytes) -> None:
    data = good_form().replace(b"%PDF-1.", b"%PDF1.", 1)
    data = header + data[data.index(b"\n") :]
    reason = parse(data)["reason"]
    assert "first line" in reason, reason
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@x.example", "hub@x.example", "Form"
    message.set_content("Form attached")
    message.add_attachment(data, maintype="application", subtype="pdf", filename="form.pdf")
    received = read_message(message.as_bytes())
    assert received.problem is None
    assert [parse(a.data)["reason"] for a in received.attachments] == [reason]


def test_an_rc4_pdf_with_an_empty_user_password_is_read() -> None:
    assert answers(parse(encrypted_rc4_empty_password())) == GOOD_ANSWERS


def test_a_large_manual_with_a_broken_xref_is_refused_as_not_ours_within_the_time_limit() -> None:
    """No JavaScript name in its bytes: the page-and-annotation walk (each object found by
    searching the file) no longer runs, so the reason is the real one, not "time allowed"."""
    with ParserPool(workers=1) as pool:
        result = pool.parse(broken_manual(429))
    assert result["kind"] == "refused"
    assert "not a form made by this service" in result["reason"], result["reason"]


# -- duplicate names, and what was written outside the boxes ----------------------------------


def _with_hidden_twin_and_notes(doc: Pdf) -> None:
    page = doc.pages[0].obj
    twin = doc.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("referrer__name"),
            V=String("Someone Else"),
            F=2,  # hidden
            Rect=Array([0, 0, 0, 0]),
        )
    )
    doc.Root.AcroForm.Fields.insert(0, twin)  # first in /Fields, as the forged one was
    added = doc.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("partner_extra"),
            V=String("Dad works nights"),
            Rect=Array([72, 20, 300, 40]),
            P=page,
        )
    )
    doc.Root.AcroForm.Fields.append(added)
    note = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Text,
        Rect=Array([500, 700, 520, 720]),
        Contents=String("Mum asked us to call after 3pm"),
    )
    typed = Dictionary(
        Type=Name.Annot,
        Subtype=Name.FreeText,
        Rect=Array([300, 60, 550, 80]),
        Contents=String("Signed on behalf of the school"),
        DA=String("/Helv 10 Tf 0 g"),
    )
    page.Annots.extend([added, doc.make_indirect(note), doc.make_indirect(typed)])


def test_the_answer_comes_from_the_box_the_page_shows_and_the_rest_is_also_on_the_form() -> None:
    result = parse(edited(good_form(), _with_hidden_twin_and_notes))
    assert answers(result) == GOOD_ANSWERS
    also = " | ".join(result["also"])
    assert "2 answer boxes named 'referrer__name'" in also
    assert "‘Jo Bloggs’" in also and "‘Someone Else’" in also
    assert "A note added to page 1: Mum asked us to call after 3pm" in also
    assert "Text typed on page 1: Signed on behalf of the school" in also

"""A filled form signed by the partner (pyHanko) and changed afterwards (issue 16): the adviser
is told who signed and when, and whether the signature covers the answers the file holds now.
The certificates are made here; the changes are real incremental saves (pypdf)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pypdf import PdfReader, PdfWriter

from ehdocs.ingest.parse import parse
from ehdocs.ingest.sandbox import DEFAULT_TIMEOUT, ParserPool
from tests.ingest.test_ingest import blank, filled  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> signers.SimpleSigner:
    folder = tmp_path_factory.mktemp("certs")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Sam Visitor"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Health Trust"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    loaded = signers.SimpleSigner.load(str(folder / "key.pem"), str(folder / "cert.pem"))
    assert loaded is not None
    return loaded


def signed(pdf: bytes, signer: signers.SimpleSigner) -> bytes:
    """Sign as a partner's viewer would. pyHanko signs through asyncio.run(), which refuses to
    run where an event loop is already running (Playwright's, in a session that ran the
    browser tests first): a thread of its own has none."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_signed, pdf, signer).result()


def _signed(pdf: bytes, signer: signers.SimpleSigner) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="PartnerSignature")
    spec = fields.SigFieldSpec("PartnerSignature", box=(50, 50, 250, 100))
    fields.append_signature_field(writer, spec)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(writer, output=out)
    return out.getvalue()


def changed_after(pdf: bytes, values: dict[str, str]) -> bytes:
    """An incremental save that changes answers (as a viewer's "save" after signing does)."""
    writer = PdfWriter(PdfReader(io.BytesIO(pdf)), incremental=True)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_signed_form_says_who_signed_and_that_it_covers_the_answers(
    blank: bytes,  # noqa: F811
    signer: signers.SimpleSigner,
) -> None:
    result = parse(signed(filled(blank, "Amy Smith"), signer))
    assert result["kind"] == "form"
    assert "PartnerSignature" not in result["values"]  # the signature is not an answer
    (sig,) = result["signatures"]
    assert sig["signer"] == "Sam Visitor" and sig["organisation"] == "Example Health Trust"
    assert sig["state"] == "covers" and sig["intact"] and not sig["trusted"]
    assert sig["signed_at"][:4] == str(dt.date.today().year)


def test_answers_changed_after_signing_are_named(
    blank: bytes,  # noqa: F811
    signer: signers.SimpleSigner,
) -> None:
    pdf = signed(filled(blank, "Amy Smith"), signer)
    tampered = changed_after(pdf, {"reason__concern": "Nothing to worry about"})
    assert tampered.startswith(pdf)  # an incremental save: the signed bytes are untouched
    result = parse(tampered)
    assert result["values"]["reason__concern"] == "Nothing to worry about"
    (sig,) = result["signatures"]
    assert sig["intact"]  # the signed revision itself is as signed…
    assert sig["state"] == "changed"  # …but it does not cover the answers as they are now
    assert sig["changed"] == ["reason__concern"]


def test_a_signature_over_altered_bytes_is_broken(
    blank: bytes,  # noqa: F811
    signer: signers.SimpleSigner,
) -> None:
    pdf = signed(filled(blank, "Amy Smith"), signer)
    at = pdf.index(b"Concern about Amy Smith")
    forged = pdf[:at] + b"Concern about Amy Smyth" + pdf[at + len(b"Concern about Amy Smith") :]
    (sig,) = parse(forged)["signatures"]
    assert sig["state"] == "broken" and not sig["intact"]


def test_an_unsigned_form_has_no_signatures(blank: bytes, tmp_path: Path) -> None:  # noqa: F811
    assert parse(filled(blank, "Amy Smith"))["signatures"] == []


def test_a_later_save_that_changes_no_answer_still_covers_them(
    blank: bytes,  # noqa: F811
    signer: signers.SimpleSigner,
) -> None:
    pdf = signed(filled(blank, "Amy Smith"), signer)
    resaved = changed_after(pdf, {"reason__concern": "Concern about Amy Smith"})
    assert resaved.startswith(pdf) and len(resaved) > len(pdf)
    (sig,) = parse(resaved)["signatures"]
    assert sig["state"] == "covers" and sig["changed"] == []


def test_a_signed_form_with_object_streams_is_read_in_the_time_allowed(
    blank: bytes,  # noqa: F811
    signer: signers.SimpleSigner,
) -> None:
    """Acrobat saves in object streams. pyHanko's difference analysis of such a form, signed and
    changed after, took 6.6 s here, past the parser's 4 s limit: it came back "could not be
    read in the time allowed". The answers alone are compared now (~1.3 s)."""
    with pikepdf.open(io.BytesIO(filled(blank, "Amy Smith"))) as doc:
        out = io.BytesIO()
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    tampered = changed_after(signed(out.getvalue(), signer), {"reason__concern": "All fine"})
    with ParserPool(workers=1, timeout=DEFAULT_TIMEOUT) as pool:
        result = pool.parse(tampered)
    assert result["kind"] == "form", result.get("message")
    (sig,) = result["signatures"]
    assert sig["state"] == "changed" and sig["changed"] == ["reason__concern"]

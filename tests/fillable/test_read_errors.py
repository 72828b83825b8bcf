"""Files that cannot be read as our forms are refused with a reason a person understands."""

from __future__ import annotations

import io
import time
import zlib

import pikepdf
import pytest

from ehdocs.errors import EhdocsError
from ehdocs.fillable import (
    FormMismatchError,
    MissingFieldsError,
    UnknownFormError,
    UnreadableFormError,
    field_map,
)
from ehdocs.fillable.filled import FilledForm
from ehdocs.fillable.formats import EMBEDDED_NAME, INFO_KEYS
from ehdocs.fillable.raw import to_raw_document
from ehdocs.fillable.read_pdf import read_pdf_fields
from ehdocs.schema import FormSet


def _edit(pdf: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        change(doc)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _filled(formset: FormSet, **changes: object) -> FilledForm:
    fmap = field_map(formset, "notification")
    base: dict[str, object] = {
        "format": "pdf",
        "form": "notification",
        "version": fmap.version,
        "digest": fmap.digest,
        "values": {**{e.name: None for e in fmap}, "referrer__name": "Ann"},
    }
    return FilledForm(**{**base, **changes})  # type: ignore[arg-type]


def test_matching_form_reads(formset: FormSet) -> None:
    assert to_raw_document(_filled(formset), formset) == {"referrer": {"name": "Ann"}}


def test_missing_fields_are_not_read_as_empty(formset: FormSet) -> None:
    """A form whose answer boxes were stripped by the program that saved it is refused, not
    read as a form left empty."""
    filled = _filled(formset, values={"referrer__name": "Ann"})
    with pytest.raises(MissingFieldsError, match="has lost 116 of its 117 answer boxes"):
        to_raw_document(filled, formset)


def test_unknown_form(formset: FormSet) -> None:
    with pytest.raises(UnknownFormError, match="'fostering'.*The documents are: Early Help"):
        to_raw_document(_filled(formset, form="fostering"), formset)


def test_digest_mismatch(formset: FormSet) -> None:
    with pytest.raises(FormMismatchError, match="different definition.*Download a new blank"):
        to_raw_document(_filled(formset, digest="0" * 64), formset)


def test_version_mismatch(formset: FormSet) -> None:
    with pytest.raises(FormMismatchError, match="version 7, a newer version.*version 1"):
        to_raw_document(_filled(formset, version=7), formset)


def test_a_docx_digest_does_not_read_a_pdf(formset: FormSet) -> None:
    docx_digest = field_map(formset, "notification", "docx").digest
    with pytest.raises(FormMismatchError):
        to_raw_document(_filled(formset, digest=docx_digest), formset)


def test_errors_are_ehdocs_errors() -> None:
    for error in (FormMismatchError, UnknownFormError, UnreadableFormError):
        assert issubclass(error, EhdocsError)


def test_a_pdf_without_identity_is_not_ours(blank_pdfs: dict[str, bytes]) -> None:
    def strip(doc: pikepdf.Pdf) -> None:
        del doc.Root.Names
        for name in INFO_KEYS.values():
            del doc.docinfo[name]

    with pytest.raises(UnknownFormError, match="not a form made by this service"):
        read_pdf_fields(_edit(blank_pdfs["plan"], strip))


def test_the_information_dictionary_is_a_fallback(
    formset: FormSet, blank_pdfs: dict[str, bytes]
) -> None:
    """A filler that drops embedded files (some do when they rewrite a file) keeps the form
    readable through the document information dictionary."""

    def strip(doc: pikepdf.Pdf) -> None:
        del doc.Root.Names
        if "/AF" in doc.Root:
            del doc.Root.AF

    filled = read_pdf_fields(_edit(blank_pdfs["plan"], strip))
    assert filled.digest == field_map(formset, "plan").digest


def test_contradictory_identity_is_refused(blank_pdfs: dict[str, bytes]) -> None:
    def change(doc: pikepdf.Pdf) -> None:
        doc.docinfo[INFO_KEYS["digest"]] = "f" * 64

    with pytest.raises(UnknownFormError, match="contradictory"):
        read_pdf_fields(_edit(blank_pdfs["plan"], change))


def test_encrypted_pdf_is_refused(blank_pdfs: dict[str, bytes]) -> None:
    """With a user password (one with only an owner password opens without asking: read)."""
    with pikepdf.open(io.BytesIO(blank_pdfs["plan"])) as doc:
        out = io.BytesIO()
        doc.save(out, encryption=pikepdf.Encryption(owner="o", user="family", R=6))
    with pytest.raises(UnreadableFormError, match="password or encryption"):
        read_pdf_fields(out.getvalue())


def test_javascript_is_refused(blank_pdfs: dict[str, bytes]) -> None:
    def add_js(doc: pikepdf.Pdf) -> None:
        doc.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
        )

    def add_field_js(doc: pikepdf.Pdf) -> None:
        widget = doc.Root.AcroForm.Fields[0]
        target = widget.Kids[0] if "/Kids" in widget else widget
        target.AA = pikepdf.Dictionary(
            K=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("x()"))
        )

    for change in (add_js, add_field_js):
        with pytest.raises(UnreadableFormError, match="JavaScript"):
            read_pdf_fields(_edit(blank_pdfs["plan"], change))


def test_xfa_is_refused(blank_pdfs: dict[str, bytes]) -> None:
    def add_xfa(doc: pikepdf.Pdf) -> None:
        doc.Root.AcroForm.XFA = doc.make_stream(b"<xdp:xdp/>")

    with pytest.raises(UnreadableFormError, match="XFA"):
        read_pdf_fields(_edit(blank_pdfs["plan"], add_xfa))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not a pdf", "not a PDF"),
        (b"%PDF-1.7\n" + b"garbage " * 100, "could not be read"),
        (b"%PDF-1.7\n" + b"x" * (21 * 1024 * 1024), "too big"),
    ],
)
def test_not_a_pdf(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFormError, match=message):
        read_pdf_fields(data)


def test_truncated_pdf_is_refused(blank_pdfs: dict[str, bytes]) -> None:
    data = blank_pdfs["plan"]
    with pytest.raises((UnreadableFormError, UnknownFormError)):
        read_pdf_fields(data[: len(data) // 3])


def test_a_flate_bomb_stops_quickly(blank_pdfs: dict[str, bytes]) -> None:
    """The only identification is an embedded ehdocs-form.json that inflates to 300 MB:
    pypdf's limit stops it, and the file is refused, in well under a second or two."""
    bomb = zlib.compress(b"\0" * (300 * 1024 * 1024), 9)

    def plant(doc: pikepdf.Pdf) -> None:
        spec = doc.Root.Names.EmbeddedFiles.Names[1]
        stream = pikepdf.Stream(doc, bomb)
        stream.Filter = pikepdf.Name.FlateDecode
        stream.Type = pikepdf.Name.EmbeddedFile
        spec.EF.F = doc.make_indirect(stream)
        for name in INFO_KEYS.values():
            del doc.docinfo[name]

    bombed = _edit(blank_pdfs["plan"], plant)
    started = time.perf_counter()
    with pytest.raises(UnknownFormError):
        read_pdf_fields(bombed)
    assert time.perf_counter() - started < 3


def test_embedded_name(blank_pdfs: dict[str, bytes]) -> None:
    assert EMBEDDED_NAME == "ehdocs-form.json"

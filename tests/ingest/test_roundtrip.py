"""Every document and every field type, non-ASCII text included, through the whole way in:
blank form -> filled by pypdf, by PDFium (a second, independent PDF engine) or as Word does ->
received and read by ingestion (its parser processes) -> equal to what was meant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ehdocs.fillable import field_map
from ehdocs.fillable.raw import name_references, to_raw_document
from ehdocs.ingest.cases import filled_form
from ehdocs.ingest.sandbox import ParserPool
from ehdocs.ingest.service import Ingestor
from ehdocs.schema import FormSet
from ehdocs.storage.blobs import BlobStore
from ehdocs.storage.db import make_engine, migrate, session_factory
from ehdocs.storage.models import Submission
from tests.fillable.conftest import (  # noqa: F401  (fixtures)
    FORMS,
    blank_docxs,
    blank_pdfs,
    make_answers,
    types_docx,
    types_formset,
    types_pdf,
)
from tests.fillable.pdfium_fill import pdfium_fill
from tests.fillable.test_docx import docx_fill
from tests.fillable.test_pdf_roundtrip import pypdf_fill

ENGINES = ("pypdf", "pdfium", "word")


@pytest.fixture(scope="module")
def pool() -> Iterator[ParserPool]:
    with ParserPool(workers=2) as parsers:
        yield parsers


def _ingestor(folder: Path, formset: FormSet, pool: ParserPool) -> Ingestor:
    engine = make_engine(f"sqlite:///{folder / 'ehdocs.sqlite3'}")
    migrate(engine)
    return Ingestor(session_factory(engine), formset, BlobStore(folder / "received"), pool)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", [*FORMS, "fieldtypes"])
def test_filled_and_ingested_equals_what_was_meant(
    form: str,
    engine: str,
    formset: FormSet,
    types_formset: FormSet,  # noqa: F811
    blank_pdfs: dict[str, bytes],  # noqa: F811
    blank_docxs: dict[str, bytes],  # noqa: F811
    types_pdf: bytes,  # noqa: F811
    types_docx: bytes,  # noqa: F811
    pool: ParserPool,
    tmp_path: Path,
) -> None:
    forms = types_formset if form == "fieldtypes" else formset
    widgets = "docx" if engine == "word" else "pdf"
    if form == "fieldtypes":
        blank = types_docx if widgets == "docx" else types_pdf
    else:
        blank = (blank_docxs if widgets == "docx" else blank_pdfs)[form]
    # PDFium loses the high bits of a typed character beyond the BMP (see tests/fillable).
    answers = make_answers(field_map(forms, form, widgets), forms, bmp_only=engine == "pdfium")
    filled: bytes
    if engine == "pypdf":
        filled = pypdf_fill(blank, answers.pypdf)
    elif engine == "pdfium":
        filled = pdfium_fill(blank, answers.pdfium)
    else:
        filled = docx_fill(blank, answers.docx)

    ingestor = _ingestor(tmp_path, forms, pool)
    receipt = ingestor.receive_file(filled, source="upload", name=f"{form}.{widgets}")
    (outcome,) = ingestor.process_pending()
    assert (outcome.status, outcome.form) == ("ready", form), outcome.reason
    with ingestor.sessions() as session:
        row = session.scalar(select(Submission).where(Submission.reference == receipt.reference))
        assert row is not None and row.extracted is not None
        import json

        extracted: dict[str, Any] = json.loads(row.extracted)
    read = filled_form(extracted)
    assert to_raw_document(read, forms) == answers.expected
    found = [(r.path, r.kind, r.text, r.date_of_birth) for r in name_references(read, forms)]
    assert sorted(found) == sorted(answers.references)
    # What the hub page and the matcher use was kept alongside.
    assert sorted(
        (r["path"], r["kind"], r["text"], r["date_of_birth"]) for r in extracted["references"]
    ) == sorted(answers.references)

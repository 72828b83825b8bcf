"""A blank notification downloaded while the form was at version 1, filled in and sent after it
moved to version 3: read with version 1's field map (its digest names the version), its
answers migrated to version 3, and taken in as any received form is."""

from __future__ import annotations

import datetime as dt
import io
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from ehdocs.fillable import blank_pdf, field_map
from ehdocs.fillable.docx import blank_docx
from ehdocs.fillable.errors import FormMismatchError
from ehdocs.fillable.raw import name_references, to_raw_document
from ehdocs.fillable.read_docx import read_docx_fields
from ehdocs.fillable.read_pdf import read_pdf_fields
from ehdocs.ingest.also import added_boxes
from ehdocs.ingest.cases import new_case
from ehdocs.ingest.parse import parse
from ehdocs.schema import FormSet, load_formset
from ehdocs.validation import validate_case
from tests.fillable.test_docx import docx_fill

ANSWERS = {
    "safety__significant_harm": "/no",
    "safety__level_of_need": "/2",
    "consent__obtained": "/yes",
    "referrer__name": "Ada Okafor",
    "referrer__role": "School nurse",
    "referrer__agency": "Riverside Primary School",
    "referrer__phone": "01632 960 001",
    "referrer__email": "ada.okafor@school.example",
    "referrer__date": "03/03/2025",
    "children__children__0__child": "Sam Morgan",
    "children__children__0__child__date_of_birth": "14/05/2017",
    "agencies__existing_taf": "/no",
    "reason__presenting_needs__school_attendance": "/Yes",
    "reason__presenting_needs__housing": "/Yes",
    "reason__presenting_needs__money": "/Yes",
    "reason__concern": "Sam has missed 20 days of school this term.",
    "reason__going_well": "Sam and his mum are close.",
    "reason__family_wants_to_change": "Mum wants Sam at school every day.",
    "reason__support_tried": "A parenting course",
    "reason__service_requested": "A family support worker",
}


@pytest.fixture(scope="module")
def old_filled_form(v1: FormSet) -> bytes:
    """Version 1's blank form (made by today's forms), filled in with pypdf."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank_pdf(v1, "notification"))))
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    writer.update_page_form_field_values(None, ANSWERS, auto_regenerate=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_its_digest_names_version_1(v1: FormSet, v3: FormSet, old_filled_form: bytes) -> None:
    filled = read_pdf_fields(old_filled_form)
    assert filled.version == 1
    assert filled.digest == field_map(v3, "notification", "pdf", version=1).digest
    assert filled.digest != field_map(v3, "notification").digest


def test_its_answers_are_read_with_the_old_map_and_migrated(
    v3: FormSet, old_filled_form: bytes
) -> None:
    filled = read_pdf_fields(old_filled_form)
    data = to_raw_document(filled, v3)
    assert data["referrer"]["job_title"] == "School nurse"
    assert "role" not in data["referrer"]
    assert data["reason"]["presenting_needs"] == ["attendance", "housing_money"]
    assert data["agencies"] == {"existing_taf": "no", "support_tried": "A parenting course"}
    assert "service_requested" not in data["reason"]
    refs = [(r.path, r.text, r.date_of_birth) for r in name_references(filled, v3)]
    assert refs == [("children.children[0].child", "Sam Morgan", "14/05/2017")]
    assert added_boxes(filled, v3) == []  # version 1's boxes are its own, not added ones


def test_it_is_taken_in_as_a_version_3_draft(v3: FormSet, old_filled_form: bytes) -> None:
    extracted: dict[str, Any] = parse(old_filled_form)
    assert (extracted["kind"], extracted["version"]) == ("form", 1)
    raw, doc_id = new_case(v3, "EH-2026-0100", dt.date(2025, 3, 4), extracted)
    doc = next(d for d in raw["documents"] if d["id"] == doc_id)
    assert (doc["form_version"], doc["status"]) == (3, "draft")
    assert doc["data"]["referrer"]["job_title"] == "School nurse"
    result = validate_case(raw, v3, complete=[doc_id])
    # what the old form asked is there; of the referrer's and reason's questions, the new
    # one is left to ask (the people not written on this form are asked too)
    asked = [p.path for p in result.problems if p.path.startswith(("referrer.", "reason."))]
    assert asked == ["referrer.team_or_service"]


def test_without_the_kept_version_it_is_refused_with_a_reason(
    schemas: Path, tmp_path: Path, old_filled_form: bytes
) -> None:
    target = tmp_path / "form_schemas"
    shutil.copytree(schemas, target)
    (target / "versions/notification/1.yaml").unlink()
    formset = load_formset(schema_dir=target)
    with pytest.raises(FormMismatchError, match="version 1, an older version than the one"):
        to_raw_document(read_pdf_fields(old_filled_form), formset)


def test_an_old_word_form_is_read_the_same_way(v1: FormSet, v3: FormSet) -> None:
    filled_docx = docx_fill(
        blank_docx(v1, "notification"),
        {
            "referrer__role": "School nurse",
            "reason__presenting_needs__school_attendance": True,
            "reason__presenting_needs__money": True,
            "reason__support_tried": "A parenting course",
            "reason__service_requested": "A family support worker",
        },
    )
    filled = read_docx_fields(filled_docx)
    assert (filled.format, filled.version) == ("docx", 1)
    data = to_raw_document(filled, v3)
    assert data["referrer"] == {"job_title": "School nurse"}
    assert data["reason"] == {"presenting_needs": ["attendance", "housing_money"]}
    assert data["agencies"] == {"support_tried": "A parenting course"}

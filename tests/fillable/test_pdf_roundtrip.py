"""Blank -> filled (by pypdf, and by PDFium as a person would) -> read -> raw document data.

Every document and every field type, with non-ASCII text (accents, Polish, Arabic, Chinese,
emoji where the engine allows) and new lines in multi-line answers. The string must come back
exactly even when the form's font has no glyph for it.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from ehdocs.case.model import FORMAT, FORMAT_VERSION
from ehdocs.fillable import field_map
from ehdocs.fillable.raw import name_references, to_raw_document
from ehdocs.fillable.read_pdf import read_pdf_fields
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.fillable.conftest import FORMS, Answers, make_answers
from tests.fillable.pdfium_fill import _as_wide, _utf16, _wide, pdfium_fill


def pypdf_fill(pdf: bytes, values: dict[str, Any]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)  # "not supported by font encoding": expected for CJK, emoji
    try:
        writer.update_page_form_field_values(None, values, auto_regenerate=True)
    finally:
        logger.setLevel(level)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module", params=[*FORMS, "fieldtypes"])
def blank(request, formset, types_formset, blank_pdfs, types_pdf):  # type: ignore[no-untyped-def]
    """(form set, form name, blank PDF)."""
    if request.param == "fieldtypes":
        return types_formset, "fieldtypes", types_pdf
    return formset, request.param, blank_pdfs[request.param]


def _check(filled_pdf: bytes, formset: FormSet, form: str, answers: Answers) -> None:
    filled = read_pdf_fields(filled_pdf)
    assert (filled.form, filled.format) == (form, "pdf")
    assert filled.digest == field_map(formset, form).digest  # the identity survived the fill
    assert to_raw_document(filled, formset) == answers.expected
    found = [(r.path, r.kind, r.text, r.date_of_birth) for r in name_references(filled, formset)]
    assert sorted(found) == sorted(answers.references)


def test_filled_by_pypdf(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, pdf = blank
    answers = make_answers(field_map(formset, form), formset)
    _check(pypdf_fill(pdf, answers.pypdf), formset, form, answers)


def test_filled_by_pdfium(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, pdf = blank
    # Typing a character beyond the BMP (an emoji) into PDFium loses its high bits: see below.
    answers = make_answers(field_map(formset, form), formset, bmp_only=True)
    _check(pdfium_fill(pdf, answers.pdfium), formset, form, answers)


def test_blank_reads_as_empty(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, pdf = blank
    filled = read_pdf_fields(pdf)
    assert set(filled.values) == set(field_map(formset, form).by_name)
    assert filled.answered() == {}
    assert to_raw_document(filled, formset) == {}


def test_emoji_set_through_pdfium_round_trips(
    formset: FormSet, blank_pdfs: dict[str, bytes]
) -> None:
    """PDFium's FPDFAnnot_SetStringValue keeps characters beyond the BMP."""
    text = "Loves football ⚽ and cats 🐈\nSecond line 😀"
    pdf = pdfium.PdfDocument(blank_pdfs["notification"])
    pdf.init_forms()
    done = False
    for index in range(len(pdf)):
        page = pdf.get_page(index)
        for j in range(raw.FPDFPage_GetAnnotCount(page)):
            annot = raw.FPDFPage_GetAnnot(page, j)
            if _utf16(raw.FPDFAnnot_GetFormFieldName, pdf.formenv, annot) == "consent__notes":
                buffer = _wide(text)
                assert raw.FPDFAnnot_SetStringValue(annot, b"V", _as_wide(buffer))
                done = True
            raw.FPDFPage_CloseAnnot(annot)
        page.close()
    assert done
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    data = to_raw_document(read_pdf_fields(out.getvalue()), formset)
    assert data == {"consent": {"notes": text}}


@pytest.mark.xfail(
    strict=True,
    reason="PDFium's text editing drops the high bits of non-BMP "
    "characters typed into a field (U+1F600 becomes U+F600)",
)
def test_emoji_typed_into_pdfium(formset: FormSet, blank_pdfs: dict[str, bytes]) -> None:
    filled = pdfium_fill(blank_pdfs["notification"], {"referrer__name": "Ann 😀"})
    assert read_pdf_fields(filled).values["referrer__name"] == "Ann 😀"


def _ink(pdf: bytes, name: str, tmp_path: Path) -> int:
    """Dark pixels poppler (pdftoppm, which draws appearance streams) paints in a field's box."""
    found: tuple[int, list[float], float] | None = None
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for annot in page.obj.get("/Annots", []):
                owner = annot.Parent if "/Parent" in annot else annot
                on = "/Parent" not in annot or annot.get("/AS") != pikepdf.Name.Off
                if found is None and str(owner.get("/T", "")) == name and on:
                    rect = [float(v) for v in annot.Rect]
                    found = (number, rect, float(page.mediabox[3]))
    assert found is not None, f"no widget for {name}"
    number, (left, bottom, right, top), height = found
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "72",
            "-f",
            str(number),
            "-l",
            str(number),
            "-png",
            "-singlefile",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    inset = 2  # inside the box's border, which the page itself draws
    box = (
        int(left) + inset,
        int(height - top) + inset,
        int(right) - inset,
        int(height - bottom) - inset,
    )
    return sum(1 for value in image.crop(box).tobytes() if value < 128)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
@pytest.mark.parametrize("engine", ["pypdf", "pdfium"])
def test_viewers_show_what_was_typed(
    blank_pdfs: dict[str, bytes], engine: str, tmp_path: Path
) -> None:
    """The appearance streams show the values: no viewer has to regenerate them (pypdf is
    told not to ask for regeneration, so poppler draws exactly what is in the file)."""
    blank = blank_pdfs["notification"]
    if engine == "pypdf":
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
        writer.update_page_form_field_values(
            None,
            {
                "referrer__name": "Ann Smith",
                "consent__notes": "First line\nSecond line",
                "safety__significant_harm": "/no",
                "reason__presenting_needs__housing": "/Yes",
            },
            auto_regenerate=False,
        )
        out = io.BytesIO()
        writer.write(out)
        filled = out.getvalue()
    else:
        filled = pdfium_fill(
            blank,
            {
                "referrer__name": "Ann Smith",
                "consent__notes": "First line\nSecond line",
                "safety__significant_harm": "no",
                "reason__presenting_needs__housing": True,
            },
        )
    with pikepdf.open(io.BytesIO(filled)) as doc:
        assert doc.Root.AcroForm.get("/NeedAppearances", False) is False or engine == "pdfium"
    for name, least in (
        ("referrer__name", 20),
        ("consent__notes", 20),
        ("reason__presenting_needs__housing", 8),  # the tick
        ("safety__significant_harm", 4),  # the chosen button's dot
    ):
        if name != "safety__significant_harm":
            assert _ink(blank, name, tmp_path) == 0, name
        assert _ink(filled, name, tmp_path) >= least, name


def test_raw_data_goes_through_the_one_validation(formset: FormSet, blank_pdfs) -> None:  # type: ignore[no-untyped-def]
    """What a filled form gives is what validate_case takes: dates, options and lists parse."""
    for form in FORMS:
        answers = make_answers(field_map(formset, form), formset, bmp_only=True)
        filled = read_pdf_fields(pypdf_fill(blank_pdfs[form], answers.pypdf))
        data = to_raw_document(filled, formset)
        case = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "reference": "EH-2026-0001",
            "documents": [{"id": "d1", "form": form, "status": "draft", "data": data}],
        }
        result = validate_case(case, formset)
        assert result.ok, (form, [str(p) for p in result.problems][:5])
        assert result.case is not None

"""Long answers at their limit, in every blank form: filled as a PDF engine fills them (pypdf,
appearances regenerated), printed (Poppler draws the pages), read back exactly.

Every long-text box is checked in the view: its box holds the most characters the form lets a
partner type at the readable floor (BOX_FONT_PT). A few boxes of each form are then filled for
real: one of each size of limit, in and out of a group's rows (pypdf takes ~0.85 s a field).
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from pypdf import PdfReader, PdfWriter

from ehdocs.fillable import blank_pdf
from ehdocs.fillable.raw import to_raw_document
from ehdocs.fillable.read_pdf import read_pdf_fields
from ehdocs.fillable.view import (
    BOX_FONT_PT,
    BOX_MOST_MM,
    Group,
    Question,
    blank_view,
    box_height_mm,
    longest_printable,
)
from ehdocs.schema import FormSet
from tests.fillable.conftest import FORMS

PARAGRAPH = (
    "Since the move the family has found things hard. Maya is tired at school and her "
    "teacher has noticed that she is not eating lunch. Her dad works nights, and her mum "
    "looks after the baby and Maya's grandmother, who is unwell. The family would like help "
    "with the mornings, with money and with Maya's sleep. "
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils not installed",
)


def answer_of(length: int, tag: str) -> str:
    """Prose of exactly `length` characters in paragraphs of about 600, ending with words
    found nowhere else in the form (`tag` makes them the box's own)."""
    tail = f" Last words of {tag}."
    body = ((PARAGRAPH * 2).rstrip() + "\n") * (length // 500 + 1)
    return body[: length - len(tail)].rstrip("\n ").ljust(length - len(tail), ".") + tail


def long_questions(formset: FormSet, form: str) -> Iterator[tuple[Question, bool]]:
    """Every long-text box of a blank form, and whether it sits in a group's row."""
    for section in blank_view(formset, form).sections:
        for item in section.items:
            if isinstance(item, Group):
                for row in item.rows:
                    yield from ((q, True) for q in row.questions if _long(q))
            elif _long(item):
                yield item, False


def _long(q: Question) -> bool:
    return q.entries[0].type == "long_text"  # (lists of names, one a line, have no limit)


def _fill(pdf: bytes, values: dict[str, str]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    writer.update_page_form_field_values(None, values, auto_regenerate=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _at(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


@pytest.mark.parametrize("form", FORMS)
def test_every_long_answer_box_holds_its_limit_at_a_readable_size(
    formset: FormSet, form: str
) -> None:
    """The form limits each long answer (/MaxLen) to what its box shows at BOX_FONT_PT or
    more, and that is the most the question allows, up to what a box fitting on a page
    holds; the hint says how much that is (a PDF viewer stops typing there without a word)."""
    questions = list(long_questions(formset, form))
    assert questions, form
    for q, _ in questions:
        assert q.max_length is not None and q.height_mm is not None, q.name
        fdef_limit = q.entries[0].field_type.fill_max_length(
            formset.form(form).field_at(re.sub(r"\[\d+\]", "", q.entries[0].path))  # type: ignore[arg-type]
        )
        assert q.max_length == min(fdef_limit, longest_printable()), q.name
        assert q.height_mm <= BOX_MOST_MM, q.name
        assert box_height_mm(q.max_length) == q.height_mm
        assert (q.hint or "").endswith(f"Up to {q.max_length:,} characters"), q.name


def _chosen(formset: FormSet, form: str) -> list[tuple[Question, bool]]:
    """One box of each limit, in rows and out of them: the first of each (the rest of that
    kind have the same width and height)."""
    seen: dict[tuple[int | None, bool], tuple[Question, bool]] = {}
    for q, in_row in long_questions(formset, form):
        seen.setdefault((q.max_length, in_row), (q, in_row))
    return sorted(seen.values(), key=lambda p: -(p[0].max_length or 0))[:4]


@needs_poppler
@pytest.mark.parametrize("form", FORMS)
def test_long_answers_at_their_limit_are_printed_whole_and_read_back_exactly(
    formset: FormSet, blank_pdfs: dict[str, bytes], form: str, tmp_path: Path
) -> None:
    _fill_print_read(formset, form, blank_pdfs[form], tmp_path)


@needs_poppler
def test_a_councils_own_assessment_prints_its_long_answers_whole(
    council_formset: FormSet, tmp_path: Path
) -> None:
    """The Signs of Safety assessment: three questions of 4,000 characters."""
    for q, _ in long_questions(council_formset, "assessment"):
        assert q.max_length is not None and q.max_length <= longest_printable(), q.name
        assert box_height_mm(q.max_length) == q.height_mm, q.name
    pdf = blank_pdf(council_formset, "assessment")
    _fill_print_read(council_formset, "assessment", pdf, tmp_path)


def _fill_print_read(formset: FormSet, form: str, blank: bytes, tmp_path: Path) -> None:
    chosen = _chosen(formset, form)
    answers = {
        q.name: answer_of(q.max_length or 0, f"box {i} of {form}")
        for i, (q, _) in enumerate(chosen)
    }
    filled = _fill(blank, answers)

    # Written at the readable floor or larger, in every box.
    with pikepdf.open(io.BytesIO(filled)) as doc:
        for field in doc.Root.AcroForm.Fields:
            if str(field.get("/T", "")) in answers:
                stream = field.AP.N.read_bytes().decode("latin-1")
                size = float(re.search(r"([\d.]+) Tf", stream).group(1))  # type: ignore[union-attr]
                assert size >= BOX_FONT_PT, (str(field.T), size)

    # Printed whole: Poppler draws the form's appearances on the page (as printing does), and
    # every word of each answer is on it.
    printed = tmp_path / "printed.pdf"
    subprocess.run(["pdftocairo", "-pdf", "-", str(printed)], input=filled, check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(printed), "-"], capture_output=True, check=True
    ).stdout.decode()
    words = " ".join(text.split())
    for name, answer in answers.items():
        assert " ".join(answer.split()[-6:]) in words, name  # its last words
        assert " ".join(answer.split()) in words, name  # and all of it, in order
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(printed), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page-*.png"))

    # Read back, through ingestion, exactly as typed.
    read = read_pdf_fields(filled)
    data = to_raw_document(read, formset)
    for q, _ in chosen:
        assert _at(data, q.entries[0].path) == answers[q.name], q.name

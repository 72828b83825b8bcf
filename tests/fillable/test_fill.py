"""ehdocs's own form filler (ehdocs.fillable.fill): answers drawn in every script as a reader
expects them, shaped and in visual order, and read back exactly.

The order of characters is checked against python-bidi (the Rust unicode-bidi crate's full
algorithm); the shaping by what the rendered page shows (Arabic letters joined into one stroke)
and by facts of the scripts (Devanagari's i-sign drawn before its consonant).
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pikepdf
import pytest
from bidi import get_display
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from ehdocs.fillable import field_map
from ehdocs.fillable.fieldfont import FONT_FILE
from ehdocs.fillable.fill import AUTO_SMALLEST, fill, layout, shaped_line, visual_text
from ehdocs.fillable.read_pdf import read_pdf_fields
from ehdocs.schema import FormSet
from tests.fillable.conftest import FORMS, make_answers
from tests.fillable.test_blank_layout import _fill as pypdf_fill
from tests.fillable.test_pdf_roundtrip import _check

NAME = "consent__given_by"  # one line
NOTES = "consent__notes"  # several lines, sized to fit its box
MIXED = "abcZé מרים שרה مريم علي 0129 ٣٤ -,.:/'%£()"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=MIXED, min_size=1, max_size=24))
def test_characters_are_in_the_reference_algorithms_visual_order(text: str) -> None:
    assert visual_text(text) == get_display(text)


def test_a_right_to_left_name_is_in_visual_order() -> None:
    assert visual_text("مريم الحسن") == "نسحلا ميرم"
    assert visual_text("Maryam مريم الحسن, 12") == "Maryam 12 ,نسحلا ميرم"
    assert visual_text("Ali 2015-03-01 علي") == "Ali 2015-03-01 يلع"


@lru_cache(maxsize=1)
def _cmap() -> Callable[[str], int]:
    font = TTFont(FONT_FILE)
    best = font.getBestCmap()
    return lambda char: font.getGlyphID(best[ord(char)])


def test_devanagari_i_sign_is_drawn_before_its_consonant() -> None:
    glyphs, _ = shaped_line("कि")
    gid = _cmap()
    assert [g.gid for g in glyphs] == [gid("ि"), gid("क")]
    assert glyphs[0].x < glyphs[1].x


def test_arabic_letters_take_their_joined_forms() -> None:
    glyphs, _ = shaped_line("سسس")
    isolated = _cmap()("س")
    assert isolated not in [g.gid for g in glyphs]
    assert len({g.gid for g in glyphs}) == 3  # initial, medial and final forms


def test_latin_before_arabic_is_drawn_on_the_left() -> None:
    glyphs, _ = shaped_line("Ali علي")
    gid = _cmap()
    assert [g.gid for g in glyphs[:3]] == [gid("A"), gid("l"), gid("i")]


def _where(pdf: bytes, name: str) -> tuple[int, list[float], float]:
    """The page number, rectangle and page height of a field's box."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for annot in page.obj.get("/Annots", []):
                if str(annot.get("/T", "")) == name:
                    return number, [float(v) for v in annot.Rect], float(page.mediabox[3])
    raise AssertionError(f"no box for {name}")


def _strokes(pdf: bytes, name: str, tmp_path: Path) -> int:
    """Separate pieces of ink, left to right, that poppler draws in a field's box (runs of
    columns with ink in them)."""
    number, rect, height = _where(pdf, name)
    path = tmp_path / "filled.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "288", "-f", str(number), "-l", str(number), "-png", "-singlefile"]
        + [str(path), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    k, inset = 4, 3
    left, bottom, right, top = (v * k for v in rect)
    box = (int(left) + inset * k, int(height * k - top) + inset * k)
    box += (int(right) - inset * k, int(height * k - bottom) - inset * k)
    crop = image.crop(box)
    inked = [
        any(crop.getpixel((x, y)) < 128 for y in range(crop.height)) for x in range(crop.width)
    ]
    return sum(1 for x in range(len(inked)) if inked[x] and (x == 0 or not inked[x - 1]))


def test_an_arabic_name_is_printed_joined(blank_pdfs: dict[str, bytes], tmp_path: Path) -> None:
    """ "سسس سسس": two words, each one joined stroke. pypdf's appearance draws each letter on
    its own (six letters, at least six pieces): the check can tell them apart."""
    values = {NAME: "سسس سسس"}
    assert _strokes(fill(blank_pdfs["notification"], values), NAME, tmp_path) == 2
    assert _strokes(pypdf_fill(blank_pdfs["notification"], values), NAME, tmp_path) >= 6


def test_a_right_to_left_line_is_set_against_the_right_edge(blank_pdfs: dict[str, bytes]) -> None:
    filled = fill(blank_pdfs["notification"], {NAME: "مريم", NOTES: "Ann"})
    with pikepdf.open(io.BytesIO(filled)) as doc:
        fields = {str(f.T): f for f in doc.Root.AcroForm.Fields if "/T" in f}
        xs = {}
        for name in (NAME, NOTES):
            x1, _, x2, _ = (float(v) for v in fields[name].Rect)
            moves = [
                float(operands[4])
                for operands, op in pikepdf.parse_content_stream(fields[name].AP.N)
                if str(op) == "Tm"
            ]
            xs[name] = (min(moves), x2 - x1)
    start, box = xs[NAME]
    assert start > box / 2  # four letters against the right edge of a wide box
    start, _ = xs[NOTES]
    assert start < 5  # Latin from the left


@pytest.fixture(scope="module", params=[*FORMS, "fieldtypes"])
def blank(request, formset, types_formset, blank_pdfs, types_pdf):  # type: ignore[no-untyped-def]
    if request.param == "fieldtypes":
        return types_formset, "fieldtypes", types_pdf
    return formset, request.param, blank_pdfs[request.param]


def test_every_answer_reads_back_exactly(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, pdf = blank
    answers = make_answers(field_map(formset, form), formset)
    _check(fill(pdf, answers.pypdf), formset, form, answers)


def test_a_long_answer_is_all_printed(blank_pdfs: dict[str, bytes], tmp_path: Path) -> None:
    words = " ".join(f"word{n}" for n in range(120)) + " فاطمة The last words."
    filled = fill(blank_pdfs["notification"], {NOTES: words})
    path = tmp_path / "filled.pdf"
    path.write_bytes(filled)
    text = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "word0 word1" in text and "The last words." in text
    assert read_pdf_fields(filled).values[NOTES] == words


def test_text_shrinks_to_its_box_but_not_below_the_floor() -> None:
    fit = layout("word " * 40, 200, 40, 0, multiline=True)
    assert AUTO_SMALLEST <= fit.size < 12
    assert len(fit.lines) * fit.size * 1.15 <= 40 - 4
    huge = layout("word " * 4000, 200, 40, 0, multiline=True)
    assert huge.size == AUTO_SMALLEST


def test_a_field_the_form_does_not_have_is_an_error(blank_pdfs: dict[str, bytes]) -> None:
    with pytest.raises(KeyError, match="no field named 'nonsense'"):
        fill(blank_pdfs["notification"], {"nonsense": "x"})

"""The blank PDF as partners fill and print it: names in every script, long answers that fit
their boxes, limits in the form, no JavaScript, and pages laid out as a form should be."""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pikepdf
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter

from ehdocs.fillable import field_map
from ehdocs.fillable.fieldfont import RESOURCE
from ehdocs.fillable.view import Group, blank_view
from ehdocs.schema import FormSet
from tests.fillable.conftest import FORMS

# Names as families write them: Arabic, Urdu, Hebrew, Chinese, Japanese, Korean, Devanagari,
# Bengali, Gurmukhi, Tamil, Thai, Vietnamese, Polish.
NAMES = (
    "مريم الحسن",
    "عائشہ",
    "יעל כהן",
    "张伟 李娜",
    "さくら 山田",
    "김민준",
    "प्रिया शर्मा",
    "রহিম",
    "ਗੁਰਪ੍ਰੀਤ",
    "தமிழ்",
    "สมชาย",
    "Nguyễn Thị Ễ",
    "Łukasz Żółć",
)
PROSE = (
    "Since the move the family has found things hard. Maya is tired at school and her "
    "teacher has noticed that she is not eating lunch. Her dad works nights. "
)
MARKING = "OFFICIAL-SENSITIVE"


def _fill(pdf: bytes, values: dict[str, str]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _field(doc: pikepdf.Pdf, name: str) -> pikepdf.Object:
    return next(f for f in doc.Root.AcroForm.Fields if str(f.get("/T", "")) == name)


def _font_file(doc: pikepdf.Pdf) -> TTFont:
    font = doc.Root.AcroForm.DR.Font[f"/{RESOURCE}"]
    data = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
    return TTFont(io.BytesIO(data))


def test_the_field_font_has_every_script_names_are_written_in(types_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(types_pdf)) as doc:
        cmap = _font_file(doc).getBestCmap()
        for name in NAMES:
            assert [c for c in name if ord(c) not in cmap and c != " "] == [], name
        for field in doc.Root.AcroForm.Fields:
            if field.get("/FT") in (pikepdf.Name.Tx, pikepdf.Name.Ch):
                assert str(field.DA).startswith(f"/{RESOURCE} "), str(field.T)


def _glyphs(appearance: bytes) -> list[int]:
    """The glyph ids an appearance stream draws (Identity-H: two bytes each)."""
    ids = []
    for hexed in re.findall(rb"<([0-9A-Fa-f]+)>\s*Tj", appearance):
        ids += [int(hexed[i : i + 4], 16) for i in range(0, len(hexed), 4)]
    return ids


RENDER = {
    "poppler": ["pdftoppm", "-r", "72", "-gray", "-f", "1", "-l", "1"],
    "mupdf": ["mutool", "draw", "-q", "-r", "72", "-c", "gray", "-F", "pgm", "-o", "-"],
}


def _dark_pixels(engine: str, pdf: Path, box: tuple[float, ...], page_height: float) -> int:
    """Dark pixels inside `box` (PDF points) of page 1, as the engine draws it at 72 dpi."""
    command = [*RENDER[engine], str(pdf)] + (["1"] if engine == "mupdf" else [])
    out = subprocess.run(command, capture_output=True, check=True).stdout
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", out)
    assert header, engine
    width = int(header.group(1))
    pixels = out[header.end() :]
    x1, y1, x2, y2 = (round(v) for v in box)
    top, bottom = round(page_height) - y2, round(page_height) - y1
    return sum(
        1
        for y in range(top + 2, bottom - 2)
        for x in range(x1 + 2, x2 - 2)
        if pixels[y * width + x] < 128
    )


def test_names_in_every_script_are_drawn_by_poppler_and_mupdf(
    types_pdf: bytes, tmp_path: Path
) -> None:
    """A field filled with names in many scripts, appearances generated (no viewer asked to
    regenerate them): every glyph drawn is a real one (no .notdef), and Poppler and MuPDF
    draw them in the box."""
    text = " ".join(NAMES[:7])
    filled = _fill(types_pdf, {"basics__name": text})
    path = tmp_path / "filled.pdf"
    path.write_bytes(filled)
    with pikepdf.open(io.BytesIO(filled)) as doc:
        assert doc.Root.AcroForm.get("/NeedAppearances") in (None, False)
        field = _field(doc, "basics__name")
        glyphs = _glyphs(field.AP.N.read_bytes())
        assert len(glyphs) == len(text) and 0 not in glyphs  # every character, no .notdef
        box = tuple(float(v) for v in field.Rect)
        assert any(a.objgen == field.objgen for a in doc.pages[0].obj.Annots)
        height = float(doc.pages[0].mediabox[3])
    engines = ["poppler"] + (["mupdf"] if shutil.which("mutool") else [])
    for engine in engines:
        assert _dark_pixels(engine, path, box, height) > 150, engine


def test_limits_are_in_the_form_and_there_is_no_javascript(
    formset: FormSet, blank_pdfs: dict[str, bytes]
) -> None:
    for name in FORMS:
        view = blank_view(formset, name)
        limits = {}
        for section in view.sections:
            for item in section.items:
                rows = item.rows if isinstance(item, Group) else ()
                questions = [q for row in rows for q in row.questions] if rows else [item]
                for q in questions:
                    if q.kind in ("text", "multiline") and q.max_length:  # type: ignore[union-attr]
                        limits[q.name] = q.max_length  # type: ignore[union-attr]
        assert limits, name
        with pikepdf.open(io.BytesIO(blank_pdfs[name])) as doc:
            found = {str(f.T): int(f.MaxLen) for f in doc.Root.AcroForm.Fields if "/MaxLen" in f}
            assert found == limits, name
            for obj in doc.objects:
                if isinstance(obj, pikepdf.Dictionary):
                    assert not {"/JS", "/AA", "/JavaScript"} & set(obj.keys()), name
        assert b"AFDate" not in blank_pdfs[name]


def test_the_longest_answer_fits_its_box(types_formset: FormSet, types_pdf: bytes) -> None:
    """Filled to its limit (2,000 characters), a long answer's text shrinks to fit its box:
    every character is drawn and every line lies inside the box, at a readable size."""
    limit = 2000
    text = (PROSE * 40)[:limit]
    filled = _fill(types_pdf, {"basics__story": text})
    with pikepdf.open(io.BytesIO(filled)) as doc:
        field = _field(doc, "basics__story")
        assert int(field.MaxLen) == limit and str(field.DA).split()[1] == "0"
        stream = field.AP.N.read_bytes().decode("latin-1")
        height = float(field.AP.N.BBox[3]) - float(field.AP.N.BBox[1])
        font = _font_file(doc)
        chars = {
            font.getGlyphID(g): chr(cp)
            for cp, g in sorted(font.getBestCmap().items(), reverse=True)
        }
    size = float(re.search(r"([\d.]+) Tf", stream).group(1))  # type: ignore[union-attr]
    assert size >= 6.5, size
    y = 0.0
    lowest = height
    for _dx, dy in re.findall(r"([-\d.]+) ([-\d.]+) Td", stream):
        y += float(dy)
        lowest = min(lowest, y)
    assert 0 < lowest - size * 0.25 and y <= height  # the last line's descenders in the box
    drawn = "".join(chars[g] for g in _glyphs(stream.encode("latin-1")))
    assert "".join(drawn.split()) == "".join(text.split())  # every character is drawn


def _pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("form", FORMS)
def test_one_protective_marking_on_each_page(blank_pdfs: dict[str, bytes], form: str) -> None:
    pages = _pages_of(blank_pdfs[form])
    assert [text.count(MARKING) for text in pages] == [1] * len(pages)


def _used(pdf: bytes) -> list[float]:
    """How far down each page its content reaches (words and boxes), as a fraction."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    )
    pages = done.stdout.decode().split("<page ")[1:]
    used = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for words, page in zip(pages, doc.pages, strict=True):
            height = float(re.search(r'height="([\d.]+)"', words).group(1))  # type: ignore[union-attr]
            ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', words)]
            ys += [height - float(a.Rect[1]) for a in page.obj.get("/Annots", [])]
            body = [y for y in ys if 0.08 * height < y < 0.92 * height]  # not header or footer
            used.append(max(body, default=0) / height)
    return used


@pytest.mark.parametrize("form", FORMS)
def test_no_page_is_left_mostly_empty(blank_pdfs: dict[str, bytes], form: str) -> None:
    used = _used(blank_pdfs[form])
    # A section's heading goes with its first row, kept whole: the page before may be left
    # two-thirds empty, never more.
    assert [round(u, 2) for u in used[:-1] if u < 0.3] == [], used


@pytest.mark.parametrize("form", FORMS)
def test_a_row_that_fits_on_a_page_is_never_split(
    formset: FormSet, blank_pdfs: dict[str, bytes], form: str
) -> None:
    """Each child's (each person's) box is on one page: all of a row's fields on one page."""
    view = blank_view(formset, form)
    fmap = field_map(formset, form)
    with pikepdf.open(io.BytesIO(blank_pdfs[form])) as doc:
        page_of = {}
        for page in doc.pages:
            for annot in page.obj.get("/Annots", []):
                field = annot.get("/Parent", annot)
                page_of.setdefault(str(field.get("/T", "")), page.index)
    checked = 0
    for section in view.sections:
        for item in section.items:
            if not isinstance(item, Group):
                continue
            for row in item.rows:
                if not row.keep_whole:
                    continue
                names = {e.name for q in row.questions for e in q.entries}
                assert names <= set(fmap.by_name)
                assert len({page_of[n] for n in names}) == 1, (form, row.title)
                checked += 1
    if form == "notification":
        assert checked  # the children's rows at least


@pytest.mark.parametrize("form", FORMS)
def test_a_section_title_is_not_repeated_by_its_first_table(
    formset: FormSet, blank_pdfs: dict[str, bytes], blank_docxs: dict[str, bytes], form: str
) -> None:
    """'Family goals' over 'Family goals': a first group labelled as its section is headed once,
    in the PDF and in the Word form; in the PDF a first question too ('Decision'). (A Word
    form keeps its questions' labels: one that lost its tags is read back by them.)"""
    titles = {s.title for s in formset.form(form).sections}
    lines = [
        " ".join(line.split())
        for text in _pages_of(blank_pdfs[form])
        for line in text.splitlines()
        if line.strip()
    ]
    paragraphs = [p.text.strip() for p in docx.Document(io.BytesIO(blank_docxs[form])).paragraphs]
    view = blank_view(formset, form)
    questions = {q.label for s in view.sections for q in s.items if not isinstance(q, Group)}
    for found, allowed in ((lines, set()), ([p for p in paragraphs if p], questions)):
        repeated = [
            a
            for a, b in zip(found, found[1:], strict=False)
            if a in titles and a == b and a not in allowed
        ]
        assert repeated == [], form

"""Names in every script (#12): the fonts cover them, PDFs keep them in logical order, diagrams
draw them as written (no empty boxes, right-to-left word order kept) in PDF and PNG."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pikepdf
import pytest
from fontTools.ttLib import TTCollection, TTFont
from PIL import Image

from ehdocs.case.io import read_case_file
from ehdocs.diagrams.fonts import CSS_FALLBACK, SCRIPT_FAMILIES, svg_to_png
from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.svg import render_svg
from ehdocs.diagrams.svgutil import FONT
from ehdocs.render.audience import for_audience
from ehdocs.render.docx import _figure_png
from ehdocs.render.docx_pack import render_pack_docx
from ehdocs.render.figures import figures
from ehdocs.render.pack import render_pack_pdf
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.diagrams.scripts_family import NAMES, RTL, scripts_genogram
from tests.render.test_pdf import page_texts

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "blended-family.json"
CSS = REPO / "templates" / "html" / "document.css"
HOUSE_FONT = REPO / "ehdocs" / "render" / "assets" / "fonts" / "LiberationSans-Regular.ttf"
TODAY = dt.date(2026, 11, 23)


def _font_file(family: str) -> Path:
    out = subprocess.run(
        ["fc-match", "-f", "%{family[0]}|%{file}", family], capture_output=True, text=True
    )
    found, _, path = out.stdout.partition("|")
    assert found == family, (
        f"{family} is not installed (fc-match gives {found}): run script/bootstrap"
    )
    return Path(path)


def _cmap(path: Path) -> set[int]:
    fonts = TTCollection(path).fonts if path.suffix == ".ttc" else [TTFont(path, lazy=True)]
    return set(fonts[0].getBestCmap())


def _chars() -> set[str]:
    return {ch for name, _ in NAMES.values() for ch in name if not ch.isspace()}


def test_the_family_is_written_in_at_least_twelve_scripts() -> None:
    assert len({script for _, script in NAMES.values()}) >= 12


def test_document_css_names_the_script_fonts_after_the_house_font() -> None:
    css = CSS.read_text()
    rule = re.search(r"html \{ font-family: (.*?);", css, re.S)
    assert rule is not None
    assert " ".join(rule.group(1).split()) == f'"Doc Sans", {CSS_FALLBACK}'


def test_every_character_of_every_name_has_a_glyph_in_the_font_chain() -> None:
    """The chain WeasyPrint and librsvg walk: the house font, then SCRIPT_FAMILIES."""
    chain = [("Doc Sans", _cmap(HOUSE_FONT))]
    chain += [(family, _cmap(_font_file(family))) for family in SCRIPT_FAMILIES]
    missing = {ch for ch in _chars() if not any(ord(ch) in cmap for _, cmap in chain)}
    assert not missing, f"no font for {sorted(missing)}"
    # Latin stays in the house font: every Latin letter of the names is in Liberation Sans.
    latin = {ch for ch in _chars() if "LATIN" in unicodedata.name(ch)}
    assert all(ord(ch) in chain[0][1] for ch in latin)


# --- pixels: no empty boxes -----------------------------------------------------------------


def _png(label: str, size: int = 48, width: int = 2) -> Image.Image:
    """`label` drawn by the diagrams' PNG path, in the diagrams' font list."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size * width}" height="{size * 2}" '
        f'font-family="{FONT}"><rect width="100%" height="100%" fill="#fff"/>'
        f'<text x="{size // 2}" y="{size * 1.4}" font-size="{size}">{escape(label)}</text></svg>'
    )
    return Image.open(io.BytesIO(svg_to_png(svg, size * width))).convert("L")


def _is_box(img: Image.Image) -> bool:
    """Whether the ink is an empty box (a missing glyph): every edge of its bounding box inked."""
    ink = img.point(lambda v: 255 if v < 128 else 0)
    bbox = ink.getbbox()
    if bbox is None:
        return True  # nothing drawn at all
    x0, y0, x1, y1 = bbox
    px = ink.load()

    def frac(points: list[tuple[int, int]]) -> float:
        return sum(1 for p in points if px[p]) / len(points)

    edges = [
        [(x, y0) for x in range(x0, x1)],
        [(x, y1 - 1) for x in range(x0, x1)],
        [(x0, y) for y in range(y0, y1)],
        [(x1 - 1, y) for y in range(y0, y1)],
    ]
    return all(frac(edge) > 0.85 for edge in edges) and (x1 - x0) > 6 and (y1 - y0) > 6


def test_the_box_detector_sees_a_missing_glyph_and_not_a_letter() -> None:
    assert _is_box(_png("\u0378"))  # unassigned: no font has it
    assert not _is_box(_png("A")) and not _is_box(_png("ß"))


@pytest.mark.parametrize("ch", sorted(_chars() - set("-")))
def test_each_character_of_the_names_is_drawn_in_png(ch: str) -> None:
    assert not _is_box(_png(ch)), f"U+{ord(ch):04X} {unicodedata.name(ch, '?')} is an empty box"


def _profile(img: Image.Image) -> list[int]:
    """Ink per column, from the first inked column to the last."""
    px, (w, h) = img.load(), img.size
    cols = [sum(1 for y in range(h) if px[x, y] < 128) for x in range(w)]
    inked = [x for x, c in enumerate(cols) if c]
    return cols[inked[0] : inked[-1] + 1]


def _where(part: list[int], whole: list[int]) -> int:
    """The offset in `whole` where `part` fits best."""
    scores = [
        sum(abs(a - b) for a, b in zip(part, whole[off : off + len(part)], strict=False))
        for off in range(len(whole) - len(part) + 1)
    ]
    return scores.index(min(scores))


@pytest.mark.parametrize("key", RTL)
def test_a_right_to_left_name_keeps_its_word_order_in_png(key: str) -> None:
    """The first word of a right-to-left name is drawn on the right, the last on the left."""
    first, last = NAMES[key][0].split(" ")
    size = 40
    whole = _profile(_png(f"{first} {last}", size, width=12))
    at_first = _where(_profile(_png(first, size, width=12)), whole)
    at_last = _where(_profile(_png(last, size, width=12)), whole)
    assert at_first > at_last


# --- the pack of a family named in many scripts ---------------------------------------------


def _rename(data: dict[str, Any]) -> dict[str, str]:
    """The example family renamed with the many-scripts names; person id -> full name."""
    names = iter(NAMES.values())
    full: dict[str, str] = {}
    for person in data["people"]:
        name, _ = next(names)
        given, _, family = name.partition(" ")
        person["given_name"], person["family_name"] = given, family or given
        full[person["id"]] = f"{person['given_name']} {person['family_name']}"
    return full


@pytest.fixture(scope="module")
def scripts_case(formset: FormSet) -> tuple[Any, dict[str, str]]:
    data = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    full = _rename(data)
    path = Path(__file__).parent / "_scripts_case.json"
    try:
        path.write_text(json.dumps(data, ensure_ascii=False))
        result = validate_case(read_case_file(path), formset)
    finally:
        path.unlink(missing_ok=True)
    assert result.case is not None, result
    return result.case, full


@pytest.fixture(scope="module")
def scripts_pdf(scripts_case: tuple[Any, dict[str, str]]) -> bytes:
    return render_pack_pdf(scripts_case[0], "professional", today=TODAY)


def test_pack_pdf_keeps_every_name_in_logical_order(
    scripts_pdf: bytes, scripts_case: tuple[Any, dict[str, str]]
) -> None:
    """pdftotext reads every name as typed (right-to-left ones too), except where the PDF's
    ToUnicode map merges a cluster (WeasyPrint 70): a Bengali reph and a Thai vowel below come
    back reordered or merged, so those are checked letter by letter."""
    text = " ".join(page_texts(scripts_pdf)).replace("\u202b", "").replace("\u202c", "")
    for name in scripts_case[1].values():
        if any("BENGALI" in unicodedata.name(ch) or "THAI" in unicodedata.name(ch) for ch in name):
            letters = {ch for ch in name if unicodedata.category(ch).startswith("L")}
            assert letters <= set(text), name
        else:
            assert name in text, name


def test_pack_pdf_embeds_a_face_for_each_script(scripts_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(scripts_pdf)) as pdf:
        fonts = {
            str(font.get("/BaseFont")).split("+")[-1]
            for page in pdf.pages
            for font in page.Resources.get("/Font", {}).values()
        }
    for face in ("Noto-Sans-Devanagari", "Noto-Sans-Bengali", "Noto-Sans-Gurmukhi",
                 "Noto-Sans-Gujarati", "Noto-Sans-Tamil", "Noto-Sans-Thai"):  # fmt: skip
        assert f"/{face}" in fonts or face in fonts, (face, fonts)


def test_pack_docx_pictures_are_drawn_by_the_shaping_rasteriser(
    scripts_case: tuple[Any, dict[str, str]],
) -> None:
    """The DOCX's genogram picture is the one librsvg draws (shaping, bidi, font fallback)."""
    docx = render_pack_docx(scripts_case[0], "professional", TODAY)
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        pngs = [
            z.read(n) for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")
        ]
    view = for_audience(scripts_case[0], "professional")
    genogram = figures(view, "genogram", TODAY)[0].svg
    assert svg_to_png(genogram, 1300)[:8] == b"\x89PNG\r\n\x1a\n"
    assert _figure_png(genogram) in pngs


def test_genogram_svg_drawn_for_pdf_as_outlines_only_when_it_needs_shaping() -> None:
    from ehdocs.diagrams.fonts import svg_for_pdf

    scripts = render_svg(layout(scripts_genogram()), "Genogram", "A family")
    assert "<text" in scripts
    drawn = svg_for_pdf(scripts)
    assert "<text" not in drawn and "<path" in drawn
    latin = render_svg(layout(scripts_genogram(latin=True)), "Genogram", "A family")
    assert svg_for_pdf(latin) == latin  # plain Latin keeps real, searchable text


def test_docx_opened_by_libreoffice_draws_vietnamese_in_a_font_that_has_it(
    scripts_case: tuple[Any, dict[str, str]], tmp_path: Path
) -> None:
    """The DOCX names Arial; LibreOffice on Debian must find Liberation Sans (fonts-liberation2)
    for it, not a metric look-alike without ễ and ị."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is needed for this check")
    match = subprocess.run(["fc-match", "-f", "%{family[0]}", "Arial"], capture_output=True)
    assert match.stdout.decode() == "Liberation Sans", (
        "install fonts-liberation2 (script/bootstrap)"
    )
    (tmp_path / "pack.docx").write_bytes(render_pack_docx(scripts_case[0], "professional", TODAY))
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "pack.docx")],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    pdf = tmp_path / "pack.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "LiberationSans" in fonts and "Nimbus" not in fonts, fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Trịnh Thị Ngọc" in text and "Nguyễn" in text

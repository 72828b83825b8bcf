"""Forms that come back without their answer boxes (issue 16), made by the real tools: a PDF
filled in PDFium, then flattened by pdftk, Ghostscript and qpdf, or "printed" by Poppler's cairo
back end (which keeps only the pages); a Word form filled in, then saved again by LibreOffice
(which drops the controls' names); and a scan of the paper form (Poppler draws the filled
pages, as a scanner would, and Tesseract reads them). Each recovers the answers the test
planted, marked for checking; a picture that is not our form is kept for a person."""

from __future__ import annotations

import io
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFilter

from ehdocs.fillable import blank_form
from ehdocs.fillable.fieldmap import field_map
from ehdocs.fillable.raw import to_raw_document
from ehdocs.ingest.cases import filled_form
from ehdocs.ingest.mail import read_message
from ehdocs.ingest.parse import parse
from ehdocs.ingest.recover import resolve
from ehdocs.schema import load_formset
from ehdocs.schema.model import FormSet
from tests.fillable.conftest import make_answers
from tests.fillable.pdfium_fill import pdfium_fill
from tests.fillable.test_docx import docx_fill

# What a partner writes: text, a date, option buttons, a drop-down and tick boxes
PLANTED: dict[str, str | bool] = {
    "safety__significant_harm": "no",
    "safety__level_of_need": "2",
    "consent__obtained": "yes",
    "consent__given_by": "Grace Okafor",
    "referrer__name": "Jo Bloggs",
    "referrer__role": "Designated safeguarding lead",
    "referrer__agency": "Hill Primary School",
    "referrer__agency_type": "School or college",
    "referrer__phone": "01632 960 001",
    "referrer__email": "jo.bloggs@hill.sch.example",
    "referrer__date": "27/03/2026",
    "children__children__0__child": "Amara Okafor",
    "children__children__0__child__date_of_birth": "14/02/2015",
    "children__children__0__attendance_concern": "yes",
    "household__notes": "Lives with her mother and grandmother in a two bedroom flat",
    "reason__presenting_needs__school_attendance": True,
}
EXPECTED = {
    "safety": {"significant_harm": "no", "level_of_need": "2"},
    "consent": {"obtained": "yes"},  # who gave it is a name, matched to the case's people
    "referrer": {
        "name": "Jo Bloggs",
        "role": "Designated safeguarding lead",
        "agency": "Hill Primary School",
        "agency_type": "school",
        "phone": "01632 960 001",
        "email": "jo.bloggs@hill.sch.example",
        "date": {"day": "27", "month": "03", "year": "2026"},
    },
    "household": {"notes": "Lives with her mother and grandmother in a two bedroom flat"},
    "reason": {"presenting_needs": ["school_attendance"]},
}


@pytest.fixture(scope="module")
def formset() -> FormSet:
    return load_formset()


@pytest.fixture(scope="module")
def filled(formset: FormSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The blank notification filled in PDFium (Chrome's engine), which draws the answers."""
    path = tmp_path_factory.mktemp("recover") / "filled.pdf"
    path.write_bytes(pdfium_fill(blank_form(formset, "notification", "pdf")[1], PLANTED))
    return path


def _run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=120)


def _flattened(tool: str, source: Path) -> bytes:
    out = source.with_name(f"{tool}.pdf")
    if tool == "pdftk":
        _run("pdftk", source, "output", out, "flatten")
    elif tool == "ghostscript":
        _run("gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={out}", source)
    elif tool == "qpdf":
        _run("qpdf", "--flatten-annotations=all", source, out)
    else:  # printed to PDF: Poppler's cairo back end keeps the pages and nothing else
        _run("pdftocairo", "-pdf", source, out)
    return out.read_bytes()


def _answers(result: dict[str, Any], formset: FormSet) -> dict[str, Any]:
    assert result["kind"] == "form", result.get("reason")
    data = to_raw_document(filled_form(result), formset)
    children = data.pop("children", None)
    return {**data, "_children": children}


@pytest.mark.parametrize("tool", ["pdftk", "ghostscript", "qpdf", "print-to-pdf"])
def test_a_flattened_form_is_read_from_its_pages_and_marked_for_checking(
    tool: str, filled: Path, formset: FormSet
) -> None:
    data = _flattened(tool, filled)
    raw = parse(data)
    assert raw["kind"] == "flattened"  # before: "This PDF has no form fields"
    result = resolve(raw, formset)
    got = _answers(result, formset)
    children = got.pop("_children")
    assert got == EXPECTED
    assert children == {"children": [{"attendance_concern": "yes"}]}
    names = {(r["text"], r["date_of_birth"]) for r in _refs(result, formset)}
    assert names == {("Grace Okafor", None), ("Amara Okafor", "14/02/2015")}
    assert result["recovered"]["how"] == "flattened"
    assert result["recovered"]["unread"] == []
    if tool == "print-to-pdf":  # no embedded identity: the footer named the form
        assert raw["digest"] is None


def _refs(result: dict[str, Any], formset: FormSet) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from ehdocs.fillable.raw import name_references

    return [asdict(r) for r in name_references(filled_form(result), formset)]


def test_a_flattened_form_of_another_version_is_refused_with_what_to_do(
    filled: Path, formset: FormSet
) -> None:
    raw = parse(_flattened("pdftk", filled))
    raw["digest"] = "0" * 64  # made from a definition the hub no longer has
    result = resolve(raw, formset)
    assert result["kind"] == "refused"
    assert "earlier version of the form" in result["reason"]
    assert "Download the blank form again" in result["reason"]


def test_a_word_form_saved_again_by_libreoffice_is_read_by_order(
    formset: FormSet, tmp_path: Path
) -> None:
    fmap = field_map(formset, "notification", "docx")
    answers = make_answers(fmap, formset)
    source = tmp_path / "filled.docx"
    source.write_bytes(docx_fill(blank_form(formset, "notification", "docx")[1], answers.docx))
    out = tmp_path / "lo"
    _run(
        "soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
        "--convert-to", "docx", "--outdir", out, source,
    )  # fmt: skip
    raw = parse((out / "filled.docx").read_bytes())
    assert raw["kind"] == "form" and raw["values"] == {}  # the names are gone: read as empty
    result = resolve(raw, formset)
    # Every answer is back in its question. LibreOffice 7 writes a control of several lines
    # or runs as several controls and drops the line breaks: those answers are listed to check.
    got = to_raw_document(filled_form(result), formset)
    assert _without_breaks(got) == _without_breaks(answers.expected)
    assert result["recovered"]["how"] == "untagged" and result["recovered"]["unread"] == []
    assert "Notes about consent" in result["recovered"]["check"]
    assert "Your name" not in result["recovered"]["check"]  # one line, one control: as typed


def _without_breaks(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_breaks(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_without_breaks(v) for v in data]
    return data.replace("\n", "").replace("  ", " ") if isinstance(data, str) else data


def test_a_word_form_with_a_control_removed_is_matched_by_the_titles_left(
    formset: FormSet,
) -> None:
    fmap = list(field_map(formset, "notification", "docx"))
    raw = {
        "kind": "form",
        "format": "docx",
        "form": "notification",
        "version": 1,
        "digest": field_map(formset, "notification", "docx").digest,
        "values": {},
        "untagged": [(e.label, "Jo Bloggs" if e.name == "referrer__name" else "") for e in fmap][
            1:
        ],  # the first control was deleted
    }
    result = resolve(raw, formset)
    assert result["values"]["referrer__name"] == "Jo Bloggs"
    assert fmap[0].label in result["recovered"]["unread"]


def _scan(pdf: Path, page: int, tmp_path: Path) -> bytes:
    """One page of the filled form as a scanner makes it: drawn at 200 dpi in grey, a little
    blurred, turned a fraction of a degree, on a larger sheet, saved as JPEG."""
    stem = tmp_path / "page"
    _run("pdftoppm", "-r", "200", "-gray", "-png", "-f", str(page), "-l", str(page), pdf, stem)
    png = next(tmp_path.glob("page*.png"))
    image = Image.open(png).convert("L").filter(ImageFilter.GaussianBlur(0.6))
    image = image.rotate(0.3, expand=True, fillcolor=255)
    sheet = Image.new("L", (image.width + 80, image.height + 60), 250)
    sheet.paste(image, (50, 20))
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.mark.slow
def test_scanned_pages_are_read_by_ocr_and_marked_for_checking(
    filled: Path, formset: FormSet, tmp_path: Path
) -> None:
    """The first two pages scanned into one TIFF, as office scanners save them."""
    pages = []
    for number in (1, 2):
        where = tmp_path / str(number)
        where.mkdir()
        pages.append(Image.open(io.BytesIO(_scan(filled, number, where))))
    tiff = io.BytesIO()
    pages[0].save(tiff, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    raw = parse(tiff.getvalue())
    assert raw["kind"] == "scan" and len(raw["pages"]) == 2
    result = resolve(raw, formset)
    assert result["kind"] == "form", result.get("reason")
    values = result["values"]
    assert values["safety__significant_harm"] == "no"  # option buttons, by their ink
    assert values["safety__level_of_need"] == "2"
    assert values["consent__obtained"] == "yes"
    assert values["referrer__name"] == "Jo Bloggs"
    assert values["referrer__agency"] == "Hill Primary School"
    assert values["referrer__agency_type"] == "School or college"
    assert values["referrer__phone"] == "01632 960 001"
    assert values["referrer__date"] == ""  # on page 3, which was not sent
    assert _answers(result, formset)["referrer"]["phone"] == "01632 960 001"
    assert result["recovered"]["how"] == "scan"
    assert result["recovered"]["unread"][0].startswith("Pages 3, 4")  # two pages were sent


def test_a_photo_that_is_not_our_form_is_kept_for_a_person(tmp_path: Path) -> None:
    image = Image.new("L", (1200, 1600), 255)
    out = io.BytesIO()
    image.save(out, "PNG")
    result = resolve(parse(out.getvalue()), load_formset())
    assert result["kind"] == "refused" and result["needs_person"] is True
    assert "for a person at the hub to look at" in result["reason"]


def _message(*parts: tuple[str, bytes, str, str]) -> bytes:
    message = EmailMessage()
    message["From"] = "teacher@school.example"
    message["To"] = "earlyhelp@council.example"
    message["Subject"] = "Early help form"
    message.set_content("Photos of the form attached. Thanks, Jo")
    for name, data, subtype, disposition in parts:
        message.add_attachment(
            data, maintype="image", subtype=subtype, filename=name, disposition=disposition
        )
    return message.as_bytes()


def test_an_email_with_photos_of_the_form_is_read_but_a_signature_logo_is_not(
    filled: Path, tmp_path: Path
) -> None:
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (0, 94, 165)).save(logo, "PNG")
    scan = _scan(filled, 2, tmp_path)
    received = read_message(
        _message(
            ("logo.png", logo.getvalue(), "png", "inline"),
            ("IMG_1.jpg", scan, "jpeg", "attachment"),
        )
    )
    assert [a.data for a in received.attachments] == [scan]
    assert received.problem is None
    only_logo = read_message(_message(("logo.png", logo.getvalue(), "png", "inline")))
    assert only_logo.attachments == [] and "clear photo or scan" in str(only_logo.problem)


def test_photos_beside_a_filled_form_file_are_not_read_as_forms(
    filled: Path, tmp_path: Path
) -> None:
    message = EmailMessage()
    message["From"] = "teacher@school.example"
    message.set_content("Form and a photo of the family's letter")
    message.add_attachment(
        filled.read_bytes(), maintype="application", subtype="pdf", filename="f.pdf"
    )
    message.add_attachment(
        _scan(filled, 1, tmp_path), maintype="image", subtype="jpeg", filename="p.jpg"
    )
    received = read_message(message.as_bytes())
    assert [a.name for a in received.attachments] == ["f.pdf"]
    assert received.others == 1


PDFJS = Path(__file__).resolve().parents[2] / "web/node_modules/pdfjs-dist/legacy/build/pdf.mjs"


def pdfjs_filled(blank: bytes, tmp_path: Path) -> bytes:
    """The blank form filled in by pdf.js (Firefox's viewer) through Node, saved by pdf.js."""
    source, out = tmp_path / "blank.pdf", tmp_path / "pdfjs.pdf"
    source.write_bytes(blank)
    pairs = [f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in PLANTED.items()]
    _run("node", Path(__file__).with_name("pdfjs_fill.mjs"), PDFJS, source, out, *pairs)
    return out.read_bytes()


def test_a_form_filled_in_pdfjs_is_read_exactly_and_flattened_is_recovered(
    formset: FormSet, tmp_path: Path
) -> None:
    data = pdfjs_filled(blank_form(formset, "notification", "pdf")[1], tmp_path)
    as_filled = _answers(parse(data), formset)
    assert as_filled.pop("_children") == {"children": [{"attendance_concern": "yes"}]}
    assert as_filled == EXPECTED
    source = tmp_path / "pdfjs-filled.pdf"
    source.write_bytes(data)
    flattened = resolve(parse(_flattened("qpdf", source)), formset)
    got = _answers(flattened, formset)
    assert got.pop("_children") == {"children": [{"attendance_concern": "yes"}]}
    assert got == EXPECTED and flattened["recovered"]["how"] == "flattened"

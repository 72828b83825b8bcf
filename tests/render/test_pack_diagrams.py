"""Genogram, ecomap, chronology and outcome scales in packs (PDF and DOCX, both audiences), in
the assessment document, and alone through `ehdocs diagram`."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from docx import Document as open_docx

from ehdocs.case.io import read_case_file
from ehdocs.render.audience import for_audience
from ehdocs.render.context import build_context
from ehdocs.render.docx_pack import render_pack_docx
from ehdocs.render.pack import render_pack_pdf
from ehdocs.render.pdf import render_pdf
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.render.test_pdf import page_texts

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blended-family.json"
TODAY = dt.date(2026, 11, 23)
HIDDEN_EVENT = "Police attended the family home"  # family_visible: no in the example
SHOWN_EVENT = "Jake was diagnosed as autistic"
SECTIONS = {
    "professional": [
        "Genogram",
        "Ecomap: the family's support network",
        "Chronology",
        "Outcome scores: distance travelled",
    ],
    "family": [
        "Your family tree",
        "The people and services around you",
        "Chronology",
        "How things have changed",
    ],
}


@pytest.fixture(scope="module")
def case(formset: FormSet) -> Any:
    result = validate_case(read_case_file(EXAMPLE), formset)
    assert result.case is not None
    return result.case


@pytest.fixture(scope="module")
def pdf_packs(case: Any) -> dict[str, bytes]:
    return {aud: render_pack_pdf(case, aud, today=TODAY) for aud in ("professional", "family")}


@pytest.fixture(scope="module")
def docx_packs(case: Any) -> dict[str, bytes]:
    return {aud: render_pack_docx(case, aud, TODAY) for aud in ("professional", "family")}


@pytest.mark.parametrize("audience", ["professional", "family"])
def test_pdf_pack_has_each_diagram_section_with_its_text_alternative(
    pdf_packs: dict[str, bytes], audience: str
) -> None:
    pdf = pdf_packs[audience]
    with pikepdf.open(io.BytesIO(pdf)) as doc, doc.open_outline() as outline:
        titles = [item.title for item in outline.root]
    for title in SECTIONS[audience]:
        assert title in titles, title
    text = " ".join(page_texts(pdf))
    # The genogram's table of people names each person in words, with their relationships.
    assert "The people in the genogram and how they are related" in text
    assert "Keith Marsh" in text and "Died in 2022" in text
    assert "The links on the ecomap" in text
    assert "The scores in the chart" in text


def test_family_pack_chronology_shows_only_family_visible_entries(
    pdf_packs: dict[str, bytes], docx_packs: dict[str, bytes]
) -> None:
    family, professional = (" ".join(page_texts(pdf_packs[a])) for a in ("family", "professional"))
    assert SHOWN_EVENT in family and SHOWN_EVENT in professional
    assert HIDDEN_EVENT not in family and HIDDEN_EVENT in professional
    family_docx = "\n".join(
        cell.text
        for t in open_docx(io.BytesIO(docx_packs["family"])).tables
        for row in t.rows
        for cell in row.cells
    )
    assert SHOWN_EVENT in family_docx and HIDDEN_EVENT not in family_docx


@pytest.mark.parametrize("audience", ["professional", "family"])
def test_docx_pack_has_each_diagram_as_a_described_picture_and_a_table(
    docx_packs: dict[str, bytes], audience: str
) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_packs[audience])) as archive:
        xml = archive.read("word/document.xml").decode()
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
    descriptions = [
        d for d in re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml) if "logo" not in d
    ]
    titles = SECTIONS[audience]
    for title in (titles[0], titles[1], titles[3]):
        assert any(d.startswith(title) for d in descriptions), title
    assert len(pictures) >= 4  # the logo and three diagrams
    doc = open_docx(io.BytesIO(docx_packs[audience]))
    captions = {
        t._tbl.tblPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblCaption"
        )
        is not None
        for t in doc.tables
    }
    assert captions == {True}  # every table is titled for screen readers


def test_assessment_shows_genogram_and_ecomap(case: Any) -> None:
    (assessment,) = case.documents_of("assessment")
    ctx = build_context(case, assessment.id, "professional", TODAY)
    (section,) = [s for s in ctx.sections if s.id == "diagrams"]
    labels = [item.label for item in section.items]
    # the example's ecomap, 17 links round 5 people, prints readably in 5 parts (issue 12; 4
    # while a figure could be 200 mm tall, 185 mm since: render/figures.FIGURE_HEIGHT_MM)
    assert labels[0] == "Genogram" and len(labels) == 6
    assert all(
        label.startswith(f"Ecomap: the family's support network, part {n} of 5: links with ")
        for n, label in enumerate(labels[1:], start=1)
    )
    text = " ".join(page_texts(render_pdf(ctx, for_audience(case, "professional"))))
    assert "Family network" in text and "The links on the ecomap" in text


def test_diagram_command_writes_svg_png_and_pdf(run_cli: Any, tmp_path: Path) -> None:
    for kind in ("genogram", "ecomap", "scales"):
        first = tmp_path / f"{kind}.svg"
        again = tmp_path / f"{kind}-again.svg"
        assert run_cli("diagram", EXAMPLE, "--kind", kind, "-o", first).code == 0
        assert run_cli("diagram", EXAMPLE, "--kind", kind, "-o", again).code == 0
        svg = first.read_text()
        assert svg.startswith("<svg") and 'role="img"' in svg and "<title>" in svg
        assert first.read_bytes() == again.read_bytes()  # deterministic
    png = tmp_path / "g.png"
    assert run_cli("diagram", EXAMPLE, "--kind", "genogram", "-o", png).code == 0
    assert png.read_bytes().startswith(b"\x89PNG")
    pdf = tmp_path / "c.pdf"
    result = run_cli("diagram", EXAMPLE, "--kind", "chronology", "--audience", "family", "-o", pdf)
    assert result.code == 0
    text = " ".join(page_texts(pdf.read_bytes()))
    assert SHOWN_EVENT in text and HIDDEN_EVENT not in text
    refused = run_cli("diagram", EXAMPLE, "--kind", "chronology", "-o", tmp_path / "c.svg")
    assert refused.code == 1 and "write it to a .pdf file" in refused.err

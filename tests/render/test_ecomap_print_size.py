"""Issue 12: the ecomap of a family with many links printed its text at about 5 pt. Every word of
the ecomap prints at MIN_TEXT_PT or more in the PDF and in the DOCX, however many links the
family has: an ecomap too big for that is split into parts (the whole family's links, then each
family member's), each a figure with its own caption, text alternative and table."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import subprocess
import xml.etree.ElementTree as ET
from typing import Any

import pikepdf
import pytest
from docx import Document as open_docx
from pypdf import PdfReader

from ehdocs.case.model import Case
from ehdocs.render.audience import for_audience
from ehdocs.render.docx_pack import render_pack_docx
from ehdocs.render.figures import MIN_TEXT_PT, figures, smallest_text_pt
from ehdocs.render.pack import render_pack_pdf
from ehdocs.schema import load_formset
from ehdocs.validation import validate_case
from tests.factories import make_case, make_professional

TODAY = dt.date(2026, 11, 23)
EMU_PER_PT = 12700
PX_TO_PT = 0.75  # an SVG user unit is a CSS pixel: 1/96 inch

# The Quarrington family (fictional): two parents, four children and a grandmother, 44 links of
# their own and 6 professionals, two of them with the whole family.
PEOPLE = [
    ("p1", "Tamsin", "parent_carer"),
    ("p2", "Rhodri", "parent_carer"),
    ("c1", "Ottilie", "child"),
    ("c2", "Fenwick", "child"),
    ("c3", "Marisol", "child"),
    ("c4", "Ignatius", "child"),
    ("a1", "Beatrix", "significant_adult"),
]
PLACES = [
    "Harbourside Rowing Club",
    "Cousin Lowenna",
    "St Piran's Primary School breakfast club",
    "Kernow Food Larder",
    "Neighbour Idris",
    "Chapel Street Library",
    "Young Carers' Saturday Group",
]
STRENGTHS = ("strong", "weak", "stressful")
DIRECTIONS = ("to_family", "from_family", "both", "none")


def quarrington() -> dict[str, Any]:
    people = [
        {"id": pid, "given_name": name, "family_name": "Quarrington", "category": category}
        for pid, name, category in PEOPLE
    ]
    links = []
    for i in range(44):
        person = None if i % 8 == 7 else PEOPLE[i % 8 % 7][0]
        links.append(
            {
                "id": f"m{i}",
                "name": f"{PLACES[i % 7]} {i}",
                "kind": ("person", "community", "service")[i % 3],
                "strength": STRENGTHS[i % 3],
                "support_direction": DIRECTIONS[i % 4],
                **({"person": person} if person else {}),
            }
        )
    pros = [
        make_professional(
            id=f"w{i}",
            name=f"Worker Number{i} Penhaligon",
            role="Family support worker" if i % 2 else "Specialist community nurse",
            agency=f"Agency {i} of the county council's children's services",
            lead_practitioner="yes" if i == 0 else "no",
            **({"works_with": [PEOPLE[i][0]]} if i < 4 else {}),
        )
        for i in range(6)
    ]
    return make_case(
        family_name="Quarrington",
        people=people,
        households=[{"id": "h1", "name": "Home", "members": ["p1", "p2", "c1", "c2"]}],
        ecomap=links,
        professionals=pros,
    )


@pytest.fixture(scope="module")
def case() -> Case:
    result = validate_case(quarrington(), load_formset())
    assert result.case is not None, result.problems
    return result.case


@pytest.fixture(scope="module")
def pdfs(case: Case) -> dict[str, bytes]:
    return {aud: render_pack_pdf(case, aud, today=TODAY) for aud in ("professional", "family")}


@pytest.fixture(scope="module")
def docxs(case: Case) -> dict[str, bytes]:
    return {aud: render_pack_docx(case, aud, TODAY) for aud in ("professional", "family")}


def node_names(case: Case) -> set[str]:
    names = {str(row["name"]) for row in case.records("ecomap")}
    return names | {str(pro["agency"]) for pro in case.records("professionals")}


def printed_sizes(pdf: bytes, words: set[str]) -> list[tuple[float, str, int]]:
    """(size in pt as printed, text, page) of each text run on the pages that draw the ecomap
    (those holding one of `words`): the font size times the scale of the text and page matrices."""
    out: list[tuple[float, str, int]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        runs: list[tuple[float, str]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
            if not text.strip():
                return
            a, b, c, d = (
                tm[0] * cm[0] + tm[1] * cm[2],
                tm[0] * cm[1] + tm[1] * cm[3],
                tm[2] * cm[0] + tm[3] * cm[2],
                tm[2] * cm[1] + tm[3] * cm[3],
            )
            runs.append((size * math.sqrt(abs(a * d - b * c)), text))  # noqa: B023

        page.extract_text(visitor_text=visit)
        if any(any(w.split()[0] in t for w in words) for _, t in runs):
            out += [(s, t, number) for s, t in runs]
    return out


@pytest.mark.parametrize("audience", ["professional", "family"])
def test_every_word_of_the_ecomap_prints_at_a_readable_size_in_the_pdf(
    pdfs: dict[str, bytes], case: Case, audience: str
) -> None:
    sizes = printed_sizes(pdfs[audience], node_names(case))
    assert sizes
    small = sorted({(round(s, 2), t, p) for s, t, p in sizes if s < MIN_TEXT_PT - 0.01})
    assert not small, f"text below {MIN_TEXT_PT} pt: {small[:10]}"


def svg_size(svg: str) -> tuple[float, float, float]:
    """Width, height and smallest font size of a diagram, in its own pixels."""
    root = ET.fromstring(svg)
    sizes = [float(e.get("font-size", "inf")) for e in root.iter() if e.get("font-size")]
    return float(root.get("width", 0)), float(root.get("height", 0)), min(sizes)


@pytest.mark.parametrize("audience", ["professional", "family"])
def test_every_word_of_the_ecomap_prints_at_a_readable_size_in_the_docx(
    docxs: dict[str, bytes], case: Case, audience: str
) -> None:
    parts = figures(for_audience(case, audience), "ecomap", TODAY)
    document = open_docx(io.BytesIO(docxs[audience]))
    shapes = {
        shape._inline.docPr.get("descr"): shape for shape in document.inline_shapes
    }  # the picture's text alternative names it
    for part in parts:
        shape = shapes[part.alt]
        width, height, smallest = svg_size(part.svg)
        pt_per_px = shape.width / EMU_PER_PT / width
        assert smallest * pt_per_px >= MIN_TEXT_PT - 0.01, (part.label, smallest * pt_per_px)
        assert shape.height / EMU_PER_PT <= 200 / 25.4 * 72 + 1  # stays on one page
        assert abs(shape.height / shape.width - height / width) < 0.01


def test_a_big_ecomap_is_split_into_parts_each_with_its_caption_alt_text_and_table(
    case: Case,
) -> None:
    parts = figures(for_audience(case, "professional"), "ecomap", TODAY)
    assert len(parts) > 2
    count = len(parts)
    assert parts[0].label.startswith(
        f"Ecomap: the family's support network, part 1 of {count}: links with the whole family"
    )
    assert parts[1].label.startswith(f"Ecomap: the family's support network, part 2 of {count}: ")
    assert sum("Ottilie Quarrington" in p.label for p in parts) == 1
    links = 0
    for part in parts:
        assert part.alt.startswith(part.label + ", showing ")
        assert part.table is not None and part.table.rows
        assert part.table.label == f"The links on the ecomap, {part.label.split(', ', 1)[1]}"
        assert f"showing {len(part.table.rows)} links" in part.alt
        links += len(part.table.rows)
        root = ET.fromstring(part.svg)
        assert root.findtext("{http://www.w3.org/2000/svg}title")
    assert links == 44 + 6  # every link once, in exactly one part


def test_the_family_copy_of_a_split_ecomap_keeps_the_family_wording(
    pdfs: dict[str, bytes], case: Case
) -> None:
    parts = figures(for_audience(case, "family"), "ecomap", TODAY)
    assert len(parts) > 2
    assert all(p.label.startswith("The people and services around you, part ") for p in parts)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdfs["family"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Ecomap: the family's support network" not in flat
    for part in parts:
        assert re.sub(r"\s+", " ", part.label) in flat


def figure_alts(pdf: bytes) -> list[str]:
    """The text alternatives of the Figure elements of the PDF's structure tree (PDF/UA)."""
    found: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        stack = [doc.Root.StructTreeRoot]
        while stack:
            element = stack.pop()
            if isinstance(element, pikepdf.Array):
                stack.extend(element)
                continue
            if not isinstance(element, pikepdf.Dictionary):
                continue
            if element.get("/S") == pikepdf.Name.Figure and "/Alt" in element:
                found.append(str(element.Alt))
            if "/K" in element:
                stack.append(element.K)
    return found


@pytest.mark.parametrize("audience", ["professional", "family"])
def test_the_pdf_keeps_each_part_a_tagged_figure_with_its_alt_text(
    pdfs: dict[str, bytes], case: Case, audience: str
) -> None:
    parts = figures(for_audience(case, audience), "ecomap", TODAY)
    alts = figure_alts(pdfs[audience])
    for part in parts:
        assert part.alt in alts


def test_one_person_with_many_links_is_drawn_in_runs_marked_continued() -> None:
    data = quarrington()
    data["ecomap"] = [
        {"id": f"o{i}", "name": f"{PLACES[i % 7]} {i}", "strength": "weak", "person": "c1"}
        for i in range(25)
    ]
    data["professionals"] = []
    result = validate_case(data, load_formset())
    assert result.case is not None, result.problems
    parts = figures(for_audience(result.case, "professional"), "ecomap", TODAY)
    assert len(parts) > 1
    assert all(p.label.split(": ")[-1].startswith("links with Ottilie Quarrington") for p in parts)
    assert [p.label.endswith("(continued)") for p in parts] == [False] + [True] * (len(parts) - 1)
    assert sum(len(p.table.rows) for p in parts if p.table) == 25
    for part in parts:
        assert smallest_text_pt(part.svg) >= MIN_TEXT_PT

"""Outcome scales: the scores gathered from documents and records, the table and the chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cairosvg
import pytest

from ehdocs.case.io import read_case_file
from ehdocs.case.model import Case
from ehdocs.diagrams.scales import outcome_scales, scales_svg, scales_table
from ehdocs.schema import load_formset
from ehdocs.validation import validate_case
from tests.factories import make_case, make_closure_data, make_document, make_professional

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PEOPLE = [
    {"id": "c1", "given_name": "Sam", "family_name": "Morgan", "category": "child"},
    {"id": "c2", "given_name": "Ava", "family_name": "Morgan", "category": "child"},
    {"id": "p1", "given_name": "Kerry", "family_name": "Morgan", "category": "parent_carer"},
]


def build(documents: Sequence[dict[str, Any]] = (), **overrides: Any) -> Case:
    raw = make_case(professionals=[make_professional()], **overrides)
    raw["documents"] += list(documents)
    result = validate_case(raw, load_formset())
    assert result.ok, result.problems
    assert result.case is not None
    return result.case


def score(
    area: str, stage: str, date: str, value: int, person: str | None = None, n: int = 0
) -> dict[str, Any]:
    key = f"s{n}_{area[:8]}_{stage[:1]}{date.replace('-', '')}_{person or 'all'}"
    row: dict[str, Any] = {"id": key, "area": area, "stage": stage, "date": date, "score": value}
    if person:
        row["person"] = person
    return row


def rows(*scores: tuple[str, int] | tuple[str, int, str]) -> list[dict[str, Any]]:
    out = []
    for s in scores:
        row: dict[str, Any] = {"area": s[0], "score": s[1]}
        if len(s) > 2:
            row["person"] = s[2]
        out.append(row)
    return out


def assessment(date: str, *scores: Any) -> dict[str, Any]:
    data = {"header": {"date_started": date}, "baseline_scores": {"scores": rows(*scores)}}
    return make_document("assessment", data, doc_id="a1", status="draft")


def review(doc_id: str, date: str, *scores: Any) -> dict[str, Any]:
    data = {"meeting": {"date": date}, "scores": {"scores": rows(*scores)}}
    return make_document("review", data, doc_id=doc_id, status="draft")


def closure(date: str, *scores: Any) -> dict[str, Any]:
    data = make_closure_data(
        closure={"date_of_closure": date, "reason": "needs_met"},
        final_scores={"scores": rows(*scores)},
    )
    return make_document("closure", data, doc_id="cl1")


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


# --- gathering the scores --------------------------------------------------------------------


def test_records_give_the_table_their_numbers_and_the_change() -> None:
    case = build(
        people=PEOPLE,
        outcome_scores=[
            score("education", "assessment", "2025-04-01", 3, "c1"),
            score("education", "review", "2025-05-15", 5, "c1"),
            score("education", "closure", "2025-09-01", 8, "c1"),
            score("home", "assessment", "2025-04-01", 6),
            score("home", "review", "2025-05-15", 4),
        ],
    )
    columns, table = scales_table(case)
    assert columns == [
        "Area",
        "Whose score",
        "Assessment (baseline), 1 April 2025",
        "Review, 15 May 2025",
        "Closure, 1 September 2025",
        "Change since baseline",
    ]
    assert table == [
        ["Education and learning", "Sam Morgan", "3", "5", "8", "+5"],
        ["Home and housing", "Whole family", "6", "4", "", "-2"],
    ]


def test_documents_give_their_scores_dated_by_the_document() -> None:
    case = build(
        people=PEOPLE,
        documents=[
            assessment("2025-03-20", ("education", 3, "c1"), ("money", 4)),
            review("r1", "2025-05-15", ("education", 5, "c1"), ("money", 4)),
            review("r2", "2025-07-01", ("education", 6, "c1"), ("money", 4)),
            closure("2025-09-01", ("education", 8, "c1"), ("money", 7)),
        ],
    )
    scales = outcome_scales(case)
    assert [(o.stage, o.code, o.label) for o in scales.occasions] == [
        ("assessment", "A", "Assessment (baseline)"),
        ("review", "R1", "Review 1"),
        ("review", "R2", "Review 2"),
        ("closure", "C", "Closure"),
    ]
    assert [o.date.isoformat() for o in scales.occasions if o.date] == [
        "2025-03-20",
        "2025-05-15",
        "2025-07-01",
        "2025-09-01",
    ]
    _, table = scales_table(case)
    assert table == [
        ["Education and learning", "Sam Morgan", "3", "5", "6", "8", "+5"],
        ["Money and work", "Whole family", "4", "4", "4", "7", "+3"],
    ]


def test_a_record_of_a_documents_occasion_joins_it_and_the_document_wins() -> None:
    case = build(
        people=PEOPLE,
        documents=[
            assessment("2025-03-20", ("education", 3, "c1")),
            review("r1", "2025-05-15", ("education", 5, "c1")),
        ],
        outcome_scores=[
            # the assessment happens once: a record of it joins it, whatever its date
            score("education", "assessment", "2025-03-27", 9, "c1"),
            score("home", "assessment", "2025-03-27", 6),
            # same review date: the same occasion; another date: an occasion of its own
            score("home", "review", "2025-05-15", 7),
            score("home", "review", "2025-06-20", 8),
        ],
    )
    columns, table = scales_table(case)
    assert columns[2:-1] == [
        "Assessment (baseline), 20 March 2025",
        "Review 1, 15 May 2025",
        "Review 2, 20 June 2025",
    ]
    assert table == [
        ["Education and learning", "Sam Morgan", "3", "5", "", "+2"],
        ["Home and housing", "Whole family", "6", "7", "8", "+2"],
    ]


def test_series_follow_the_area_list_then_whole_family_then_people_in_case_order() -> None:
    case = build(
        people=PEOPLE,
        outcome_scores=[
            score("education", "assessment", "2025-04-01", 4, "c2", 1),
            score("education", "assessment", "2025-04-01", 5, "p1", 2),
            score("education", "assessment", "2025-04-01", 6, None, 3),
            score("education", "assessment", "2025-04-01", 7, "c1", 4),
            score("physical_health", "assessment", "2025-04-01", 2, "p1", 5),
        ],
    )
    series = outcome_scales(case).series
    assert [(s.area, s.person) for s in series] == [
        ("physical_health", "p1"),
        ("education", None),
        ("education", "c1"),
        ("education", "c2"),
        ("education", "p1"),
    ]


# --- no, one and many scores -----------------------------------------------------------------


def test_no_scores_no_chart() -> None:
    case = build()
    assert scales_svg(case) is None
    assert scales_table(case) == ([], [])
    assert outcome_scales(case).series == ()


def test_one_score_only() -> None:
    case = build(people=PEOPLE, outcome_scores=[score("safety", "assessment", "2025-04-01", 4)])
    columns, table = scales_table(case)
    assert table == [["Keeping safe", "Whole family", "4", ""]]
    svg = scales_svg(case)
    assert svg is not None
    assert "scored once" in texts(svg)
    assert "Latest score" not in texts(svg)  # the key lists only the marks drawn
    root = ET.fromstring(svg)
    dots = [c for c in root.iter(f"{SVG}circle") if "score" in (c.get("class") or "")]
    assert len(dots) == 1
    assert not any(True for _ in root.iter(f"{SVG}polyline"))


def test_many_reviews() -> None:
    dates = [f"2025-{m:02d}-{d:02d}" for m in range(4, 10) for d in (3, 17)]
    records = [score("education", "assessment", "2025-03-20", 2, "c1")]
    records += [score("education", "review", d, 2 + i % 8, "c1", i) for i, d in enumerate(dates)]
    records.append(score("education", "closure", "2025-10-01", 9, "c1"))
    case = build(people=PEOPLE, outcome_scores=records)
    columns, table = scales_table(case)
    assert len(columns) == 2 + 14 + 1
    assert columns[3] == "Review 1, 3 April 2025" and columns[14] == "Review 12, 17 September 2025"
    assert table[0][-1] == "+7"
    svg = scales_svg(case)
    assert svg is not None
    labels = texts(svg)
    for code in ["A", *(f"R{i}" for i in range(1, 13)), "C"]:
        assert code in labels
    root = ET.fromstring(svg)
    ticks = [
        t
        for t in root.iter(f"{SVG}text")
        if t.text in {"A", "C"} or (t.text or "").startswith("R") and (t.text or "")[1:].isdigit()
    ]
    xs = [float(t.get("x", 0)) for t in ticks[:14]]
    assert xs == sorted(xs) and min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 24


# --- the chart -------------------------------------------------------------------------------


def test_the_chart_shows_every_area_person_and_score() -> None:
    case = build(
        people=PEOPLE,
        outcome_scores=[
            score("education", "assessment", "2025-04-01", 3, "c1"),
            score("education", "review", "2025-05-15", 7, "c1"),
            score("money", "assessment", "2025-04-01", 8),
            score("money", "review", "2025-05-15", 6),
            score("community", "assessment", "2025-04-01", 1, "p1"),
            score("community", "review", "2025-05-15", 10, "p1"),
        ],
    )
    svg = scales_svg(case)
    assert svg is not None
    root = ET.fromstring(svg)
    panels = [g for g in root.iter(f"{SVG}g") if g.get("class") == "panel"]
    assert len(panels) == 3
    expected = {
        ("Education and learning", "Sam Morgan"): ["3", "7", "+4"],
        ("Money and work", "Whole family"): ["8", "6", "-2"],
        ("Friends and community", "Kerry Morgan"): ["1", "10", "+9"],
    }
    for panel in panels:
        words = [t.text or "" for t in panel.iter(f"{SVG}text")]
        key = (words[0], words[1])
        assert key in expected
        for figure in expected[key]:
            assert figure in words
    first = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "score first"]
    latest = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "score latest"]
    assert len(first) == len(latest) == 3
    for a, b in zip(first, latest, strict=True):  # higher scores sit higher on the page
        assert float(a.get("cx", 0)) < float(b.get("cx", 0))


def test_higher_scores_are_drawn_higher() -> None:
    case = build(
        outcome_scores=[
            score("home", "assessment", "2025-04-01", 2),
            score("home", "review", "2025-05-15", 9),
        ]
    )
    root = ET.fromstring(scales_svg(case) or "")
    first = next(c for c in root.iter(f"{SVG}circle") if c.get("class") == "score first")
    latest = next(c for c in root.iter(f"{SVG}circle") if c.get("class") == "score latest")
    assert float(latest.get("cy", 0)) < float(first.get("cy", 0))


def test_the_svg_is_accessible_deterministic_and_keyed() -> None:
    overrides = {
        "people": PEOPLE,
        "outcome_scores": [
            score("education", "assessment", "2025-04-01", 3, "c1"),
            score("education", "review", "2025-05-15", 5, "c1"),
            score("education", "closure", "2025-06-15", 6, "c1"),
        ],
    }
    svg = scales_svg(build(**overrides))
    assert svg is not None and svg == scales_svg(build(**overrides))
    root = ET.fromstring(svg)
    title = root.findtext(f"{SVG}title")
    assert root.get("role") == "img" and title and root.get("aria-label") == title
    desc = root.findtext(f"{SVG}desc") or ""
    assert "3 occasions" in desc and "1 went up" in desc
    assert root.get("font-family", "").startswith("DejaVu Sans,")  # the metrics used
    words = " ".join(texts(svg))  # key entries may wrap over two lines
    for label in (
        "First score (baseline)",
        "Latest score",
        "A score in between",
        "Assessment (baseline), 1 April 2025",
        "Review, 15 May 2025",
        "Closure, 15 June 2025",
        "Score",
    ):
        assert label in words
    assert (
        "Scores from 1 (lots of worries) to 10 (going well). One chart per area and person;"
        " higher is better." in texts(svg)
    )


def test_family_copy_wording() -> None:
    case = build(
        outcome_scores=[
            score("home", "assessment", "2025-04-01", 2),
            score("home", "review", "2025-05-15", 9),
        ]
    )
    columns, _ = scales_table(case, family=True)
    assert columns[0] == "What we scored" and columns[-1] == "Change since the start"
    svg = scales_svg(case, family=True)
    assert svg is not None
    assert "First score" in texts(svg) and "First score (baseline)" not in texts(svg)
    assert ET.fromstring(svg).findtext(f"{SVG}title") == "How things have changed: your scores"


# --- the example cases -----------------------------------------------------------------------


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_cases(path: Path) -> None:
    raw = read_case_file(path)
    result = validate_case(raw, load_formset(raw.get("profile")))
    assert result.ok and result.case is not None
    case = result.case
    columns, table = scales_table(case)
    scales = outcome_scales(case)
    assert len(table) == len(scales.series) > 0
    # every recorded score appears in its row, at an occasion of its stage
    for rec in case.records("outcome_scores"):
        whose = case.person_name(rec["person"]) if rec.get("person") else "Whole family"
        row = next(
            r
            for r in table
            if r[1] == whose
            and r[0] == next(s.area_label for s in scales.series if s.area == rec["area"])
        )
        assert str(rec["score"]) in row[2:-1]
    for s, row in zip(scales.series, table, strict=True):
        pts = s.points
        if len(pts) > 1:
            assert row[-1] == f"{pts[-1][1] - pts[0][1]:+d}".replace("+0", "0")
    svg = scales_svg(case)
    assert svg is not None
    words = texts(svg)
    for s in scales.series:
        assert s.area_label in words and s.person_label in words
    assert cairosvg.svg2png(bytestring=svg.encode()).startswith(b"\x89PNG")


def test_step_up_example_numbers() -> None:
    path = EXAMPLES / "step-up.json"
    if not path.exists():
        pytest.skip("no step-up example")
    raw = read_case_file(path)
    case = validate_case(raw, load_formset(raw.get("profile"))).case
    assert case is not None
    columns, table = scales_table(case)
    assert columns[2:-1] == [
        "Assessment (baseline), 22 June 2026",
        "Review, 25 August 2026",
        "Closure, 3 September 2026",
    ]
    assert ["Keeping safe", "Whole family", "5", "2", "4", "-1"] in table
    assert ["Money and work", "Whole family", "3", "5", "6", "+3"] in table

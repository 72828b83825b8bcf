"""The ecomap: what each line looks like, what the key lists, and that nothing overlaps."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import cairosvg
import pytest

from ehdocs.case.io import read_case_file
from ehdocs.case.model import Case
from ehdocs.diagrams.ecomap import (
    ecomap_of,
    ecomap_rows,
    ecomap_svg,
    layout_ecomap,
    problems,
)
from ehdocs.diagrams.metrics import text_width
from ehdocs.schema import load_formset
from ehdocs.validation import validate_case
from tests.factories import make_case, make_professional

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date(2026, 3, 1)
PEOPLE = [
    {"id": "c1", "given_name": "Sam", "family_name": "Morgan", "category": "child"},
    {"id": "c2", "given_name": "Ava", "family_name": "Morgan", "category": "child"},
    {"id": "p1", "given_name": "Kerry", "family_name": "Morgan", "category": "parent_carer"},
    {"id": "p2", "given_name": "Lee", "family_name": "Morgan", "category": "parent_carer"},
]


def build(**overrides: Any) -> Case:
    result = validate_case(make_case(**overrides), load_formset())
    assert result.ok, result.problems
    assert result.case is not None
    return result.case


def link(
    name: str,
    strength: str = "strong",
    direction: str | None = "to_family",
    person: str | None = None,
    kind: str = "person",
    notes: str | None = None,
    link_id: str | None = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": link_id or "m-" + re.sub(r"\W", "", name),
        "name": name,
        "kind": kind,
        "strength": strength,
    }
    for key, value in (("support_direction", direction), ("person", person), ("notes", notes)):
        if value is not None:
            row[key] = value
    return row


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def links_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "link"]


def key_texts(root: ET.Element) -> list[str]:
    key = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "key")
    return [t.text or "" for t in key.iter(f"{SVG}text")]


def floats(points: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]


def centre_of(root: ET.Element) -> tuple[float, float]:
    circle = next(c for c in root.iter(f"{SVG}circle") if c.get("class") == "centre")
    return float(circle.get("cx", 0)), float(circle.get("cy", 0))


def ends(line: ET.Element) -> tuple[tuple[float, float], tuple[float, float]]:
    if line.tag == f"{SVG}line":
        return (
            (float(line.get("x1", 0)), float(line.get("y1", 0))),
            (float(line.get("x2", 0)), float(line.get("y2", 0))),
        )
    pts = floats(line.get("points", ""))
    return pts[0], pts[-1]


# --- line styles -----------------------------------------------------------------------------


def test_a_stressful_link_is_a_zigzag_polyline() -> None:
    case = build(ecomap=[link("Housing office", "stressful", "none", kind="service")])
    (group,) = links_of(parse(ecomap_svg(case, today=TODAY)))
    assert group.get("data-strength") == "stressful"
    (polyline,) = group.iter(f"{SVG}polyline")
    pts = floats(polyline.get("points", ""))
    assert len(pts) >= 8
    (ax, ay), (bx, by) = pts[0], pts[-1]
    length = math.dist(pts[0], pts[-1])
    sides = [((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / length for x, y in pts[1:-1]]
    assert max(sides) > 3 and min(sides) < -3  # teeth on both sides of the straight line


def test_strong_is_thicker_than_weak_and_weak_is_dashed() -> None:
    case = build(
        ecomap=[
            link("Grandma Jean", "strong", link_id="m1"),
            link("Football club", "weak", kind="community", link_id="m2"),
        ]
    )
    lines = {
        g.get("data-strength"): next(g.iter(f"{SVG}line"))
        for g in links_of(parse(ecomap_svg(case, today=TODAY)))
    }
    assert float(lines["strong"].get("stroke-width", 0)) >= 2 * float(
        lines["weak"].get("stroke-width", 0)
    )
    assert lines["weak"].get("stroke-dasharray")
    assert lines["strong"].get("stroke-dasharray") is None


@pytest.mark.parametrize(
    ("direction", "at_family", "at_node"),
    [("to_family", 1, 0), ("from_family", 0, 1), ("both", 1, 1), ("none", 0, 0)],
)
def test_arrowheads_show_which_way_support_goes(
    direction: str, at_family: int, at_node: int
) -> None:
    case = build(ecomap=[link("Grandma Jean", "weak", direction)])
    root = parse(ecomap_svg(case, today=TODAY))
    centre = centre_of(root)
    (group,) = links_of(root)
    (line,) = group.iter(f"{SVG}line")
    near, far = sorted(ends(line), key=lambda p: math.dist(p, centre))
    tips = [floats(p.get("points", ""))[0] for p in group.iter(f"{SVG}polygon")]
    # an arrow's tip lies beyond the shortened line, at the end it points to
    assert sum(math.dist(t, centre) < math.dist(near, centre) for t in tips) == at_family
    assert sum(math.dist(t, centre) > math.dist(far, centre) for t in tips) == at_node


def test_the_key_lists_only_the_styles_used() -> None:
    case = build(ecomap=[link("Grandma Jean", "strong", "to_family")])
    texts = key_texts(parse(ecomap_svg(case, today=TODAY)))
    assert "Strong" in texts and "Support goes to the family" in texts and "A person" in texts
    for unused in (
        "Weak",
        "Stressful",
        "Both ways",
        "The family gives support",
        "Neither",
        "A service",
        "A community link",
    ):
        assert unused not in texts
    assert "Drawn on 1 March 2026" in texts


def test_every_style_used_is_in_the_key() -> None:
    case = build(
        ecomap=[
            link("A", "strong", "to_family", link_id="m1"),
            link("B", "weak", "from_family", kind="service", link_id="m2"),
            link("C", "stressful", "both", kind="community", link_id="m3"),
            link("D", "weak", "none", link_id="m4"),
        ]
    )
    texts = key_texts(parse(ecomap_svg(case, today=TODAY)))
    for label in (
        "Strong",
        "Weak",
        "Stressful",
        "Support goes to the family",
        "The family gives support",
        "Both ways",
        "Neither",
        "A person",
        "A service",
        "A community link",
    ):
        assert label in texts


# --- the document ----------------------------------------------------------------------------


def test_the_svg_is_accessible_and_names_its_font() -> None:
    case = build(ecomap=[link("Grandma Jean")])
    svg = ecomap_svg(case, today=TODAY)
    root = parse(svg)
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert root.get("role") == "img"
    assert title is not None and title.text and root.get("aria-label") == title.text
    assert desc is not None and "1 connection" in (desc.text or "")
    assert "1 March 2026" in (desc.text or "")
    assert root.get("font-family", "").startswith("DejaVu Sans,")  # the metrics used
    assert "The Morgan family" in [t.text for t in root.iter(f"{SVG}text")]


def test_same_case_same_bytes() -> None:
    overrides = {"people": PEOPLE, "ecomap": many_links(12), "professionals": [make_professional()]}
    first = ecomap_svg(build(**overrides), today=TODAY)
    assert ecomap_svg(build(**overrides), today=TODAY) == first
    assert ecomap_svg(build(**overrides), today=TODAY).encode() == first.encode()


def test_no_connections_still_draws_the_family() -> None:
    root = parse(ecomap_svg(build(), today=TODAY))
    assert links_of(root) == []
    assert "No connections" in (root.findtext(f"{SVG}desc") or "")
    assert ecomap_rows(build()) == []


def test_family_copy_wording() -> None:
    case = build(ecomap=[link("Grandma Jean")])
    root = parse(ecomap_svg(case, today=TODAY, family=True))
    assert not (root.findtext(f"{SVG}title") or "").startswith("Ecomap")
    assert "your family" in (root.findtext(f"{SVG}title") or "")


# --- who is connected to whom ----------------------------------------------------------------


def test_professionals_of_one_agency_share_a_node() -> None:
    case = build(
        professionals=[
            make_professional(
                id="w1",
                name="Jo Adeyemi",
                agency="Riverside School",
                strength="strong",
                support_direction="to_family",
            ),
            make_professional(
                id="w2",
                name="Raj Patel",
                role="Teacher",
                agency="riverside  school",
                strength="strong",
                support_direction="to_family",
            ),
        ]
    )
    eco = ecomap_of(case)
    assert len(eco.nodes) == 1 and len(eco.links) == 1
    assert eco.nodes[0].workers == ("Jo Adeyemi (Family support worker)", "Raj Patel (Teacher)")
    texts = [t.text for t in parse(ecomap_svg(case, today=TODAY)).iter(f"{SVG}text")]
    assert "Riverside School" in texts
    assert "Raj Patel (Teacher)" in texts


def test_one_agency_with_two_kinds_of_connection_is_drawn_twice() -> None:
    case = build(
        professionals=[
            make_professional(id="w1", agency="Riverside School", strength="strong"),
            make_professional(
                id="w2", name="Raj Patel", agency="Riverside School", strength="weak"
            ),
        ]
    )
    eco = ecomap_of(case)
    assert [n.name for n in eco.nodes] == ["Riverside School", "Riverside School"]
    assert sorted(k.strength for k in eco.links) == ["strong", "weak"]


def test_an_ecomap_entry_joins_the_agency_of_the_same_name() -> None:
    case = build(
        people=PEOPLE,
        professionals=[
            make_professional(
                agency="Riverside School",
                works_with=["c1"],
                strength="strong",
                support_direction="to_family",
            )
        ],
        ecomap=[
            link(
                "Riverside School",
                "strong",
                "to_family",
                person="c1",
                kind="service",
                notes="Breakfast club",
            )
        ],
    )
    (row,) = ecomap_rows(case)
    assert row == {
        "name": "Riverside School",
        "kind": "A service",
        "connected_to": "Sam Morgan",
        "strength": "Strong",
        "direction": "Support goes to the family",
        "notes": "Jo Adeyemi (Family support worker); Breakfast club",
    }


def test_links_to_one_person_end_at_their_name() -> None:
    case = build(
        people=PEOPLE,
        ecomap=[
            link("Grandma Jean", person="p1", link_id="m1"),
            link("Food bank", kind="community", link_id="m2"),
        ],
    )
    layout = layout_ecomap(ecomap_of(case))
    (chip,) = layout.chips
    assert chip.person == "p1" and chip.run.text == "Kerry"
    by_node = {s.node: s for s in layout.strokes}
    to_kerry, to_family = by_node[0], by_node[1]
    box = chip.box
    assert box.x - 0.5 <= to_kerry.end[0] <= box.right + 0.5
    assert box.y - 0.5 <= to_kerry.end[1] <= box.bottom + 0.5
    assert math.dist(to_family.end, layout.centre) == pytest.approx(layout.radius, abs=0.5)


def test_a_child_centred_ecomap_keeps_that_childs_links() -> None:
    case = build(
        people=PEOPLE,
        ecomap=[
            link("Grandma Jean", person="c1", link_id="m1"),
            link("Football club", person="c2", kind="community", link_id="m2"),
            link("Food bank", kind="community", link_id="m3"),
        ],
    )
    rows = ecomap_rows(case, centre="c1")
    assert [r["name"] for r in rows] == ["Grandma Jean", "Food bank"]
    assert {r["connected_to"] for r in rows} == {"Sam Morgan"}
    root = parse(ecomap_svg(case, centre="c1", today=TODAY))
    assert "Sam Morgan" in [t.text for t in root.iter(f"{SVG}text")]
    assert len(links_of(root)) == 2
    with pytest.raises(ValueError, match="nobody"):
        ecomap_svg(case, centre="nobody")


def test_rows_give_the_same_connections_in_words() -> None:
    case = build(
        people=PEOPLE,
        ecomap=[
            link("Grandma Jean", "stressful", "both", person="p2", notes="Rows about money"),
            link("Library", "weak", None, kind="community", link_id="m2"),
        ],
    )
    rows = ecomap_rows(case)
    assert rows[0] == {
        "name": "Grandma Jean",
        "kind": "A person",
        "connected_to": "Lee Morgan",
        "strength": "Stressful",
        "direction": "Both ways",
        "notes": "Rows about money",
    }
    assert rows[1]["connected_to"] == "The whole family"
    assert rows[1]["direction"] == "Not recorded"


# --- geometry --------------------------------------------------------------------------------


def many_links(count: int) -> list[dict[str, Any]]:
    names = [
        "Grandma Jean",
        "Football club",
        "Food bank",
        "St Mary's Church",
        "Uncle Dev",
        "Swimming club and Saturday gala team",
        "Youth club",
        "Neighbour Pat",
        "Library",
        "Cousin Mo",
        "Mosque",
        "Boxing gym",
        "Dance school",
        "Aunt Ruth",
        "Scouts",
    ]
    kinds = ("person", "community", "service")
    strengths = ("strong", "weak", "stressful")
    directions = ("to_family", "from_family", "both", "none")
    people = (None, "c1", "c2", "p1", "p2")
    return [
        link(
            f"{names[i % len(names)]}{'' if i < len(names) else f' {i}'}",
            strengths[i % 3],
            directions[i % 4],
            people[i % 5],
            kinds[i % 3],
            link_id=f"m{i}",
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [1, 2, 5, 12, 25])
def test_nodes_labels_and_lines_keep_clear(count: int) -> None:
    case = build(people=PEOPLE, ecomap=many_links(count))
    layout = layout_ecomap(ecomap_of(case))
    assert problems(layout) == []
    assert len(layout.cards) == count
    for a, b in itertools.combinations([c.box for c in layout.cards], 2):
        assert not a.overlaps(b)
    for card in layout.cards:
        for run in card.runs:  # every line of a label fits inside its node
            assert text_width(run.text, run.size, run.bold) <= card.box.w
            assert card.box.y < run.y < card.box.bottom
    for a, b in itertools.combinations([c.box for c in layout.chips], 2):
        assert not a.overlaps(b)
    for stroke in layout.strokes:
        for card in layout.cards:
            if card.node != stroke.node:
                assert not card.box.crossed_by(stroke.start, stroke.end)
        for chip in layout.chips:
            if not chip.box.grown(0.5).crossed_by(stroke.end, stroke.end):
                assert not chip.box.crossed_by(stroke.start, stroke.end)


def test_twenty_five_links_render() -> None:
    case = build(people=PEOPLE, ecomap=many_links(25), professionals=[make_professional()])
    svg = ecomap_svg(case, today=TODAY)
    assert len(links_of(parse(svg))) == 26
    png = cairosvg.svg2png(bytestring=svg.encode())
    assert png is not None and png.startswith(b"\x89PNG")


# --- the example cases -----------------------------------------------------------------------


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else []


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_cases(path: Path) -> None:
    raw = read_case_file(path)
    result = validate_case(raw, load_formset(raw.get("profile")))
    assert result.ok and result.case is not None
    case = result.case
    for centre in (None, case.data.get("index_person")):
        eco = ecomap_of(case, centre)
        assert problems(layout_ecomap(eco)) == []
        svg = ecomap_svg(case, centre=centre, today=TODAY)
        assert len(links_of(parse(svg))) == len(ecomap_rows(case, centre)) == len(eco.links)
        assert cairosvg.svg2png(bytestring=svg.encode()).startswith(b"\x89PNG")
    named = {row["name"] for row in ecomap_rows(case)}
    assert {row["name"] for row in case.records("ecomap")} <= named
    assert {row["agency"] for row in case.records("professionals")} <= named

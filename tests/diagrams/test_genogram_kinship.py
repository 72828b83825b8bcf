"""Kinship care and split households drawn as a practitioner would sign them (issue #12).

The Okafor–Hale family is invented: Amara (14) lives with her aunt Chiamaka and uncle Dominic,
her brother Obinna (12) with their grandparents Emeka and Ngozi, their parents Adaeze and Liam
are separated and live apart, Adaeze with the twins. Grandad Brian has died.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import (
    GChildLink,
    Genogram,
    GHousehold,
    GPartnership,
    GPerson,
    GTwins,
    build,
)
from ehdocs.diagrams.genogram.svg import render_svg
from ehdocs.diagrams.metrics import text_width, wrap
from ehdocs.fields import PartialDate
from tests.diagrams.checks import (
    care_crossings,
    care_lines,
    care_overlaps,
    collinear,
    households_whole,
    jogs,
    labels_whole,
    problems,
)

SVG = "{http://www.w3.org/2000/svg}"


def person(pid: str, name: str, gender: str, born: int, **kw: object) -> GPerson:
    return GPerson(pid, name, gender, PartialDate(born, 5, 2), 2026 - born, **kw)  # type: ignore[arg-type]


def okafor_hale() -> Genogram:
    people = [
        person("gf", "Emeka Okafor", "male", 1950),
        person("gm", "Ngozi Okafor", "female", 1953),
        person(
            "pgf", "Brian Hale", "male", 1948, deceased=True, death_year=2019, status="deceased"
        ),
        person("pgm", "Maureen Hale", "female", 1951),
        person("aunt", "Chiamaka Okafor-Bright", "female", 1980),
        person("auntp", "Dominic Bright", "male", 1978),
        person("mum", "Adaeze Hale", "female", 1984),
        person("dad", "Liam Hale", "male", 1982),
        person("dadp", "Sophie Turner", "female", 1988),
        person("uncle", "Kieran Hale", "male", 1979),
        person("cousin", "Ruby Bright", "female", 2010),
        person("ama", "Amara Hale", "female", 2012, is_index=True),
        person("obi", "Obinna Hale", "male", 2014),
        person("t1", "Zara Hale", "female", 2019),
        person("t2", "Zoe Hale", "female", 2019),
    ]
    partnerships = [
        GPartnership("gf", "gm", "married", PartialDate(1976)),
        GPartnership("pgf", "pgm", "married", PartialDate(1975)),
        GPartnership("aunt", "auntp", "married", PartialDate(2006)),
        GPartnership("mum", "dad", "separated", PartialDate(2008)),
        GPartnership("dad", "dadp", "cohabiting", PartialDate(2021)),
    ]
    links = [GChildLink(p, c) for p in ("gf", "gm") for c in ("mum", "aunt")]
    links += [GChildLink(p, c) for p in ("pgf", "pgm") for c in ("dad", "uncle")]
    links += [GChildLink(p, c) for p in ("mum", "dad") for c in ("ama", "obi", "t1", "t2")]
    links += [GChildLink(p, "cousin") for p in ("aunt", "auntp")]
    links += [GChildLink(p, "ama", "kinship") for p in ("aunt", "auntp")]
    links += [GChildLink(p, "obi", "kinship") for p in ("gf", "gm")]
    homes = [
        GHousehold("h1", "Adaeze's flat", ("mum", "t1", "t2")),
        GHousehold("h2", "Liam's house", ("dad", "dadp")),
        GHousehold("h3", "Chiamaka and Dominic's home", ("aunt", "auntp", "cousin", "ama")),
        GHousehold("h4", "Emeka and Ngozi's home", ("gf", "gm", "obi")),
    ]
    return build(people, partnerships, links, [GTwins("t1", "t2", True)], homes)


def _segments(svg: str, dotted: bool) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight pieces of the drawn lines (the lines group), dotted ones or the others."""
    root = ET.fromstring(svg)
    out = []
    for el in root.iter():
        if el.tag not in (f"{SVG}line", f"{SVG}polyline") or el.get("stroke-width") == "0.8":
            continue
        if (el.get("stroke-dasharray") == "0.1 4") != dotted:
            continue
        if el.tag == f"{SVG}line":
            pts = [
                (float(el.get("x1", 0)), float(el.get("y1", 0))),
                (float(el.get("x2", 0)), float(el.get("y2", 0))),
            ]
        else:
            pts = [tuple(map(float, p.split(","))) for p in el.get("points", "").split()]  # type: ignore[misc]
        out += list(zip(pts, pts[1:], strict=False))
    return out


def test_kinship_lines_are_dotted_from_the_carers_and_lie_on_no_other_line() -> None:
    g = okafor_hale()
    drawn = layout(g)
    assert problems(g, drawn) == []
    care = {ln.ends[0]: ln for ln in care_lines(drawn)}
    assert set(care) == {"ama", "obi"}
    for child, carers in (("ama", ("aunt", "auntp")), ("obi", ("gf", "gm"))):
        line = care[child]
        assert line.style == "dotted"
        start = line.points[0]
        # it starts on the carers' partnership line, between them: dotted from its very start
        a, b = (drawn.symbol(c).box for c in carers)
        assert start[1] == a.cy == b.cy
        assert min(a.right, b.right) < start[0] < max(a.x, b.x)
        assert line.points[-1][1] <= drawn.symbol(child).box.cy
    assert care_overlaps(drawn) == []
    svg = render_svg(drawn, "Genogram", "test")
    dots, others = _segments(svg, True), _segments(svg, False)
    assert dots and others
    assert [(d, o) for d in dots for o in others if collinear(d, o)] == []


def test_kinship_lines_cross_no_line_of_descent_they_can_keep_clear_of() -> None:
    drawn = layout(okafor_hale())
    crossings = {(c.ends[0], d.role, d.ends) for c, d in care_crossings(drawn)}
    # Amara's line from her aunt's home crosses nothing. Obinna's from his grandparents has to
    # pass down through their own children's row: it may cross their children's line, no other.
    assert {c for c in crossings if c[0] == "ama"} == set()
    assert {c for c in crossings if c[0] == "obi"} <= {("obi", "bus", ())}


def test_each_household_is_one_outline_round_all_its_members() -> None:
    g = okafor_hale()
    drawn = layout(g)
    assert households_whole(g, drawn) == []
    svg = render_svg(drawn, "Genogram", "test")
    paths = re.findall(r'<path d="([^"]+)" stroke="#\w+" stroke-dasharray', svg)
    assert len(paths) == 4
    assert [p.count("M") for p in paths] == [1, 1, 1, 1]


def test_names_wrap_between_words_and_the_deceased_cross_is_whole() -> None:
    g = okafor_hale()
    drawn = layout(g)
    assert labels_whole(g, drawn) == []
    svg = render_svg(drawn, "Genogram", "test")
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "Ngozi Okafor" in texts or "Ngozi" in texts
    assert not any(t and t.startswith("zi") for t in texts)
    brian = drawn.symbol("pgf")
    assert brian.age is None  # no number in the middle of the cross
    assert 'height="15" fill="#ffffff"' not in svg  # no gap cut in it for the age
    assert "d. 2019, aged 78" in texts


def test_child_lines_are_straight_with_no_jogs() -> None:
    drawn = layout(okafor_hale())
    assert jogs(drawn) == []


def test_a_long_word_breaks_with_a_hyphen_and_nothing_is_cut_short() -> None:
    assert wrap("Ngozi Okafor", 12, 45) == ["Ngozi", "Okafor"]
    assert wrap("Chiamaka Okafor-Bright", 12, 104) == ["Chiamaka", "Okafor-Bright"]
    assert wrap("Chiamaka Okafor-Bright", 12, 64) == ["Chiamaka", "Okafor-", "Bright"]
    long = "Wolfeschlegelsteinhausenbergerdorff"
    lines = wrap(long, 12, 104, max_lines=0)
    assert len(lines) > 1 and all(line.endswith("-") for line in lines[:-1])
    assert "".join(line.removesuffix("-") for line in lines) == long
    assert all(text_width(line, 12) <= 104 for line in lines)
    lines = wrap(long * 4 + " Smith", 12, 104, max_lines=0)
    assert lines[-1].endswith(" Smith") and not any("…" in line for line in lines)

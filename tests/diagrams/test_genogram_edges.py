"""Families the data allows but the layout must survive: contradictions, skipped rows, odd names."""

from __future__ import annotations

from typing import Any

import pytest

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
from ehdocs.fields import PartialDate
from tests.diagrams.checks import problems


def person(pid: str, born: int | None = None, gender: str = "male", **kw: Any) -> GPerson:
    return GPerson(pid, pid, gender, PartialDate(born) if born else None, **kw)


def links(*pairs: str, kind: str = "birth") -> list[GChildLink]:
    out = []
    for pair in pairs:
        parent, child = pair.split(">")
        out.append(GChildLink(parent, child, kind))
    return out


SKIPPED_ROW = build(  # q's own family is a generation deeper: p's parent reaches down two rows
    [
        person("ggp", 1900),
        person("gp", 1930),
        person("p", 1960, "female"),
        person("qggp", 1890),
        person("qgp", 1915),
        person("qp", 1935),
        person("q", 1958),
        person("k", 1990),
        person("sib", 1962),
    ],
    [GPartnership("p", "q", "married")],
    links("ggp>gp", "gp>p", "gp>sib", "qggp>qgp", "qgp>qp", "qp>q", "p>k", "q>k"),
    households=[GHousehold("h", "Home", ("p", "k", "gp"))],
)
CASES = {
    "a parent cycle": build([person("a"), person("b")], child_links=links("a>b", "b>a")),
    "a parent as partner": build(
        [person("a"), person("b")], [GPartnership("a", "b", "married")], links("a>b")
    ),
    "three birth parents": build(
        [person(x) for x in ("a", "b", "c", "k")], child_links=links("a>k", "b>k", "c>k")
    ),
    "a skipped row": SKIPPED_ROW,
    "a grandparent carer": build(
        [
            person("gm", 1950, "female"),
            person("m", 1975, "female"),
            person("f", 1974),
            person("k", 2010),
        ],
        [GPartnership("m", "f", "separated")],
        links("gm>m", "m>k", "f>k") + links("gm>k", kind="special_guardian"),
    ),
    "a miscarried twin": build(
        [
            person("m", 1980, "female"),
            person("f", 1979),
            person("t1", 2010),
            GPerson("t2", "t2", "other", status="miscarriage"),
            person("s", 2008),
        ],
        [GPartnership("m", "f", "married")],
        links("m>t1", "f>t1", "m>t2", "f>t2", "m>s", "f>s"),
        [GTwins("t1", "t2", True)],
    ),
    "four partners": build(
        [person(x) for x in ("h", "a", "b", "c", "d")]
        + [person(f"k{i}", 2000 + i) for i in range(4)],
        [GPartnership("h", x, "married", PartialDate(1990 + i)) for i, x in enumerate("abcd")],
        links("h>k0", "a>k0", "h>k1", "b>k1", "h>k2", "c>k2", "h>k3", "d>k3"),
    ),
    "a very long name": build([GPerson("x", "Wolfeschlegelsteinhausenbergerdorff" * 4, "male")]),
    "right-to-left and wide scripts": build(
        [GPerson("a", "مريم الحسيني", "female"), GPerson("b", "王小明 さくら", "male")],
        [GPartnership("a", "b", "married")],
    ),
    "unlinked people": build(
        [person("m", 1985, "female"), person("k", 2012), person("lodger", 1990), person("friend")],
        child_links=links("m>k"),
        households=[GHousehold("h", "Home", ("m", "k", "lodger"))],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_odd_families_still_lay_out_cleanly(name: str) -> None:
    genogram: Genogram = CASES[name]
    drawn = layout(genogram)
    assert {s.person for s in drawn.symbols} == {p.id for p in genogram.people}
    assert problems(genogram, drawn) == []
    render_svg(drawn, "Genogram", name)


def test_a_link_across_a_row_runs_through_a_gap() -> None:
    drawn = layout(SKIPPED_ROW)
    assert drawn.rows[3] == ("q", "p")  # p sits a row below her sibling
    (line,) = [ln for ln in drawn.lines if ln.role == "drop" and ln.ends == ("p",)]
    assert len(line.points) == 4  # down through the row above p, along, then down into p


def test_unlinked_people_join_the_row_of_their_age() -> None:
    drawn = layout(CASES["unlinked people"])
    assert "lodger" in drawn.rows[0] and "friend" in drawn.rows[0]  # the parents' generation


def test_contradictory_links_are_not_drawn() -> None:
    drawn = layout(CASES["a parent as partner"])
    assert [ln.role for ln in drawn.lines] == ["partnership"]

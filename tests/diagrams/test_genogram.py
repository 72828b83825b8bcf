"""Genogram layout and drawing on small families: one convention per test."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
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
from ehdocs.diagrams.geometry import Layout, Line
from ehdocs.diagrams.svgutil import n
from ehdocs.fields import PartialDate
from tests.diagrams.checks import problems

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[2]


def person(pid: str, gender: str = "male", born: int | None = None, **kw: Any) -> GPerson:
    birth = PartialDate(born, 6, 1) if born else None
    return GPerson(pid, pid.title(), gender, birth, 2026 - born if born else None, **kw)


def parents(mother: str, father: str, *kids: str, kind: str = "birth") -> list[GChildLink]:
    return [GChildLink(p, k, kind) for k in kids for p in (mother, father)]


def couple_with_children(status: str = "married") -> Genogram:
    return build(
        [
            person("mum", "female", 1985),
            person("dad", "male", 1983),
            person("young", "female", 2016),
            person("old", "male", 2010),
            person("mid", "other", 2013),
        ],
        [GPartnership("mum", "dad", status, PartialDate(2008))],
        parents("mum", "dad", "young", "old", "mid"),
    )


def rich_family() -> Genogram:
    """A bit of everything: serial partners over the top, twins, fostering, two homes."""
    g = couple_with_children("divorced")
    return build(
        [
            *g.people,
            person("new", "male", 1984),
            person("ex", "male", 1982),
            person("t1", "female", 2020),
            person("t2", "female", 2020),
            person("half", "male", 2004),
            person("fc", "female", 1960),
            person("f", "male", 2011),
        ],
        [
            *g.partnerships,
            GPartnership("mum", "new", "cohabiting", PartialDate(2018)),
            GPartnership("mum", "ex", "separated", PartialDate(2003)),
        ],
        [
            *g.child_links,
            *parents("mum", "new", "t1", "t2"),
            *parents("mum", "ex", "half"),
            GChildLink("fc", "f", "foster"),
        ],
        [GTwins("t1", "t2", True)],
        [
            GHousehold("h1", "Mum's", ("mum", "new", "t1", "t2", "young")),
            GHousehold("h2", "Dad's", ("dad", "old", "mid", "half")),
        ],
    )


def lines(drawn: Layout, role: str, *ends: str) -> list[Line]:
    return [ln for ln in drawn.lines if ln.role == role and set(ends) <= set(ln.ends)]


def x_of(drawn: Layout, pid: str) -> float:
    return drawn.symbol(pid).box.cx


def test_partners_sit_side_by_side_on_one_level_man_on_the_left() -> None:
    drawn = layout(couple_with_children())
    mum, dad = drawn.symbol("mum").box, drawn.symbol("dad").box
    assert mum.cy == dad.cy
    assert dad.cx < mum.cx
    assert drawn.rows[0] == ("dad", "mum")
    (line,) = lines(drawn, "partnership", "mum", "dad")
    assert line.points == ((dad.right, dad.cy), (mum.x, mum.cy))


def test_children_hang_from_the_partnership_line_oldest_on_the_left() -> None:
    drawn = layout(couple_with_children())
    assert drawn.rows[1] == ("old", "mid", "young")
    (stem,) = lines(drawn, "stem", "mum", "dad")
    assert drawn.symbol("dad").box.right < stem.points[0][0] < drawn.symbol("mum").box.x
    (bus,) = lines(drawn, "bus")
    assert bus.points[0][0] == pytest.approx(x_of(drawn, "old"))
    assert bus.points[1][0] == pytest.approx(x_of(drawn, "young"))
    for kid in ("old", "mid", "young"):
        (drop,) = lines(drawn, "drop", kid)
        assert drop.points[-1] == (x_of(drawn, kid), drawn.symbol(kid).box.y)


@pytest.mark.parametrize(
    ("status", "slashes", "style"),
    [
        ("married", 0, "solid"),
        ("cohabiting", 0, "dashed"),
        ("dating", 0, "dotted"),
        ("separated", 1, "solid"),
        ("divorced", 2, "solid"),
    ],
)
def test_partnership_styles_and_slashes(status: str, slashes: int, style: str) -> None:
    drawn = layout(couple_with_children(status))
    assert lines(drawn, "partnership", "mum", "dad")[0].style == style
    marks = lines(drawn, "slash", "mum", "dad")
    assert len(marks) == slashes
    for mark in marks:  # across the line, left of the children's stem
        (x1, y1), (x2, y2) = mark.points
        assert y1 > drawn.symbol("mum").box.cy > y2
        assert x2 < lines(drawn, "stem", "mum", "dad")[0].points[0][0]
    assert status in drawn.used


def test_serial_partners_in_date_order_with_half_siblings_under_each_couple() -> None:
    g = build(
        [
            person("mum", "female", 1980),
            person("first", "male", 1978),
            person("second", "male", 1982),
            person("a", "female", 2002),
            person("b", "male", 2015),
        ],
        [
            GPartnership("mum", "second", "married", PartialDate(2012)),
            GPartnership("mum", "first", "divorced", PartialDate(2000)),
        ],
        [*parents("mum", "first", "a"), *parents("mum", "second", "b")],
    )
    drawn = layout(g)
    assert drawn.rows[0] == ("first", "mum", "second")
    assert drawn.rows[1] == ("a", "b")
    stem_a, stem_b = (lines(drawn, "stem", "mum", p)[0].points[0][0] for p in ("first", "second"))
    assert x_of(drawn, "a") == pytest.approx(stem_a)
    assert x_of(drawn, "b") == pytest.approx(stem_b)
    assert problems(g, drawn) == []


def test_a_third_partner_sits_beside_and_is_joined_over_the_top() -> None:
    g = build(
        [
            person("dad", "male", 1970),
            *(person(p, "female", 1972) for p in ("w1", "w2", "w3")),
            *(person(k, "male", 1995 + i) for i, k in enumerate(("k1", "k2", "k3"))),
        ],
        [
            GPartnership("dad", w, "married", PartialDate(1990 + i))
            for i, w in enumerate(("w1", "w2", "w3"))
        ],
        [*parents("w1", "dad", "k1"), *parents("w2", "dad", "k2"), *parents("w3", "dad", "k3")],
    )
    drawn = layout(g)
    (arc,) = [ln for ln in drawn.lines if ln.role == "arc"]
    top = min(y for _, y in arc.points)
    assert top < min(s.box.y for s in drawn.symbols)  # above everyone's symbol
    assert problems(g, drawn) == []


def test_single_parent_child_line_from_the_parent_with_the_label_moved_aside() -> None:
    g = build(
        [person("mum", "female", 1990), person("kid", "male", 2015)],
        child_links=[GChildLink("mum", "kid")],
    )
    drawn = layout(g)
    (stem,) = lines(drawn, "stem", "mum")
    mum = drawn.symbol("mum").box
    assert stem.points[0] == (mum.cx, mum.bottom)
    label = next(lb for lb in drawn.labels if lb.person == "mum")
    assert label.box.x > mum.cx and label.lines[0].anchor == "start"
    assert problems(g, drawn) == []


def test_twins_branch_from_one_point_and_identical_twins_have_a_bar() -> None:
    kids = [person("t1", "female", 2014), person("t2", "female", 2014), person("sib", "male", 2011)]
    for identical in (True, False):
        g = build(
            [person("mum", "female", 1985), person("dad", "male", 1983), *kids],
            [GPartnership("mum", "dad", "married")],
            parents("mum", "dad", "t1", "t2", "sib"),
            [GTwins("t1", "t2", identical)],
        )
        drawn = layout(g)
        fork_1, fork_2 = (lines(drawn, "drop", t)[0].points[0] for t in ("t1", "t2"))
        assert fork_1 == fork_2
        assert drawn.rows[1] == ("sib", "t1", "t2")
        assert x_of(drawn, "t1") < fork_1[0] < x_of(drawn, "t2")
        bars = [ln for ln in drawn.lines if ln.role == "twin-bar"]
        assert len(bars) == (1 if identical else 0)
        assert ("identical" if identical else "twins") in drawn.used


def test_adopted_and_fostered_child_lines() -> None:
    g = build(
        [
            person("mum", "female", 1980),
            person("dad", "male", 1980),
            person("own", "male", 2010),
            person("adopted", "female", 2012),
            person("fostered", "male", 2014),
        ],
        [GPartnership("mum", "dad", "married")],
        [
            *parents("mum", "dad", "own"),
            *parents("mum", "dad", "adopted", kind="adoptive"),
            *parents("mum", "dad", "fostered", kind="foster"),
        ],
    )
    drawn = layout(g)
    assert {k: lines(drawn, "drop", k)[0].style for k in ("own", "adopted", "fostered")} == {
        "own": "solid",
        "adopted": "dashed",
        "fostered": "dotted",
    }
    assert {"birth", "adoptive", "foster"} <= set(drawn.used)


def test_a_step_parent_is_the_partner_of_a_parent_without_a_child_line() -> None:
    g = build(
        [person("mum", "female", 1985), person("step", "male", 1980), person("kid", "male", 2012)],
        [GPartnership("mum", "step", "married")],
        [GChildLink("mum", "kid"), GChildLink("step", "kid", "step")],
    )
    drawn = layout(g)
    assert not [ln for ln in drawn.lines if "step" in ln.ends and ln.role in ("stem", "drop")]
    assert "step-note" in drawn.used and "step" not in drawn.used
    alone = build(g.people, (), g.child_links)  # a step-parent who is no parent's partner
    drawn = layout(alone)
    assert [ln.style for ln in lines(drawn, "drop", "kid")] == ["solid", "dashdot"]
    assert "step" in drawn.used


def test_co_parents_without_a_recorded_partnership_are_still_joined() -> None:
    g = build(
        [person("mum", "female", 1985), person("dad", "male", 1980), person("kid", "male", 2012)],
        child_links=parents("mum", "dad", "kid"),
    )
    drawn = layout(g)
    assert lines(drawn, "partnership", "mum", "dad")[0].style == "unrecorded"
    assert "unrecorded" in drawn.used


def test_symbols_for_gender_death_index_pregnancy_and_miscarriage() -> None:
    g = build(
        [
            person("man", "male", 1950, deceased=True, death_year=2020, status="deceased"),
            person("woman", "female", 1952),
            person("someone", "other", 1980, is_index=True),
            GPerson("baby", "Baby", "other", status="pregnancy"),
            GPerson("lost", "Lost", "other", status="miscarriage"),
        ]
    )
    drawn = layout(g)
    shapes = {s.person: s.shape for s in drawn.symbols}
    assert shapes == {
        "man": "male",
        "woman": "female",
        "someone": "other",
        "baby": "pregnancy",
        "lost": "miscarriage",
    }
    assert drawn.symbol("lost").box.w < drawn.symbol("man").box.w
    svg = render_svg(drawn, "Genogram", "test")
    man = drawn.symbol("man").box
    cross = f'<path d="M{n(man.x)},{n(man.y)} L{n(man.right)},{n(man.bottom)} '
    assert cross in svg
    assert "d. 2020" in svg
    inner = drawn.symbol("someone").box.grown(-4.5)
    assert f'<polygon points="{n(inner.cx)},{n(inner.y)} ' in svg  # the second, inner outline
    assert drawn.used[:5] == ("male", "female", "other", "pregnancy", "miscarriage")


def test_the_key_lists_only_what_is_drawn() -> None:
    drawn = layout(couple_with_children("divorced"))
    assert drawn.used == ("male", "female", "other", "age", "divorced", "birth")
    svg = render_svg(drawn, "Genogram", "test")
    key = svg[svg.index('<g class="key">') :]
    assert "Divorced or dissolved" in key and "Female" in key
    for absent in ("Married", "Adopted", "Pregnancy", "Twins", "Household"):
        assert absent not in key


def test_household_outlines_hold_members_only() -> None:
    g = build(
        [
            person("dad", "male", 1980),
            person("mum", "female", 1982),
            person("a", "male", 2008),
            person("b", "female", 2010),
            person("c", "male", 2012),
        ],
        [GPartnership("mum", "dad", "separated")],
        parents("mum", "dad", "a", "b", "c"),
        households=[
            GHousehold("h1", "Mum's home", ("mum", "a", "c")),
            GHousehold("h2", "Dad's flat", ("dad", "b")),
        ],
    )
    drawn = layout(g)
    assert [o.name for o in drawn.outlines] == ["Mum's home", "Dad's flat"]
    assert problems(g, drawn) == []
    b = drawn.symbol("b").box
    assert not any(r.overlaps(b) for r in drawn.outlines[0].rects)  # a notch around b


def test_same_input_same_bytes() -> None:
    first = render_svg(layout(couple_with_children()), "Genogram", "d")
    again = render_svg(layout(couple_with_children()), "Genogram", "d")
    assert first == again
    assert "id=" not in first


def test_same_bytes_whatever_the_hash_seed() -> None:
    """Set and dict order must never leak into the drawing (Python salts string hashes)."""
    code = (
        "from tests.diagrams.test_genogram import rich_family as c;"
        "from ehdocs.diagrams.genogram.layout import layout;"
        "from ehdocs.diagrams.genogram.svg import render_svg;"
        "print(render_svg(layout(c()), 'G', 'd'))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert problems(rich_family(), layout(rich_family())) == []


def test_svg_is_well_formed_and_accessible() -> None:
    svg = render_svg(layout(couple_with_children()), "Genogram & family", "A <small> family")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Genogram & family"
    assert root.findtext(f"{SVG}title") == "Genogram & family"
    assert root.findtext(f"{SVG}desc") == "A <small> family"
    assert root.get("font-family", "").startswith("DejaVu Sans")
    sizes = {float(t.get("font-size", "0")) for t in root.iter(f"{SVG}text")}
    assert min(sizes) >= 11


def test_an_empty_family_still_draws() -> None:
    svg = render_svg(layout(build([])), "Genogram", "Nobody yet")
    assert ET.fromstring(svg).findtext(f"{SVG}desc") == "Nobody yet"


def test_forty_people_lay_out_well_inside_the_budget() -> None:
    people, links, couples = [], [], []
    generation = [person("g0", "male", 1930)]
    n = 1
    for year in (1930, 1955, 1980, 2005):
        nxt = []
        for blood in generation:
            if n >= 39:
                break
            mate = person(f"m{n}", "female", year)
            people += [blood, mate]
            couples.append(GPartnership(blood.id, mate.id, "married"))
            for k in range(3):
                kid = person(f"k{n}_{k}", "male" if k % 2 else "female", year + 25 + k)
                links += parents(mate.id, blood.id, kid.id)
                nxt.append(kid)
            n += 4
        generation = nxt
    people += [p for p in generation if p not in people]
    g = build(people[:40], couples, links)
    start = time.perf_counter()
    drawn = layout(g)
    assert time.perf_counter() - start < 0.2
    assert problems(g, drawn) == []


def test_a_pregnancy_loss_has_its_own_words_and_no_birth_label() -> None:
    """Cerys (2014), a miscarriage (2016), Ifan (2018): the loss is no one's sibling and never
    'b. 2016'; its parents 'lost a pregnancy'."""
    from ehdocs.diagrams.genogram.text import genogram_rows

    g = build(
        [
            person("megan", "female", 1988),
            person("dylan", "male", 1986),
            person("cerys", "female", 2014),
            GPerson("loss", "Pregnancy loss", "other", PartialDate(2016), status="miscarriage"),
            person("ifan", "male", 2018),
        ],
        [GPartnership("megan", "dylan", "married", PartialDate(2012))],
        parents("megan", "dylan", "cerys", "loss", "ifan"),
    )
    rows = {r["id"]: r for r in genogram_rows(g)}
    assert rows["dylan"]["relationships"].startswith(
        "Father of Cerys and Ifan; lost a pregnancy in 2016"
    )
    assert "Pregnancy loss" not in rows["cerys"]["relationships"]
    assert rows["cerys"]["relationships"].startswith("Daughter of")
    assert "sister of Ifan" in rows["cerys"]["relationships"]
    assert rows["loss"]["born"] == ""
    assert rows["loss"]["status"] == "Miscarriage or stillbirth (2016)"
    assert rows["loss"]["relationships"] == "Pregnancy of Dylan and Megan"
    svg = render_svg(layout(g), "Genogram", "test")
    assert "b. 2016" not in svg and ">2016<" in svg
    assert "b. 1 Jun 2014" in svg


def test_a_partnerships_history_is_told_and_its_current_status_drawn(formset: Any) -> None:
    """Living together, then married, now separated: the genogram draws separated (one slash)
    and the table tells the whole story; the record keeps each stage with its dates."""
    from ehdocs.diagrams.genogram.model import from_case
    from ehdocs.diagrams.genogram.text import genogram_rows
    from ehdocs.validation import validate_case
    from tests.factories import make_case

    raw = make_case()
    raw["people"].append(
        {"id": "p2", "given_name": "Rhys", "family_name": "Morgan", "category": "parent_carer"}
    )
    raw["relationships"].append(
        {
            "id": "r2",
            "kind": "partners",
            "person_a": "p1",
            "person_b": "p2",
            "partnership_status": "separated",
            "start": "2019-03",
            "history": [
                {"status": "married", "start": "2014", "end": "2019-03"},
                {"status": "cohabiting", "start": "2010", "end": "2014"},
            ],
        }
    )
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    g = from_case(result.case)
    (partnership,) = g.partnerships
    assert partnership.status == "separated"
    assert [stage[0] for stage in partnership.history] == ["cohabiting", "married"]
    rows = {r["id"]: r for r in genogram_rows(g)}
    assert (
        "separated from Rhys Morgan (from 2019), after living together (2010–2014) and being "
        "married (2014–2019)"
    ) in rows["p1"]["relationships"]
    drawn = layout(g)
    assert lines(drawn, "partnership", "p1", "p2")[0].style == "solid"
    assert len(lines(drawn, "slash", "p1", "p2")) == 1  # separated: one slash
    assert "separated" in drawn.used and "married" not in drawn.used
    bad = {"status": "engaged"}
    raw["relationships"][1]["history"].append(bad)
    refused = validate_case(raw, formset)
    assert [p.message for p in refused.problems] == [
        "Select the partnership then from the list: 'engaged' is not one of its choices"
    ]

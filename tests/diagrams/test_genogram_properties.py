"""Property tests: random valid families (up to 4 generations and 40 people) lay out cleanly;
families with a child in kinship care and parents living apart route and outline cleanly."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings

from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import (
    GChildLink,
    Genogram,
    GHousehold,
    GPartnership,
    GPerson,
    build,
)
from ehdocs.diagrams.geometry import Layout, Line
from ehdocs.fields import PartialDate
from tests.diagrams.checks import (
    care_crossings,
    care_overlaps,
    households_whole,
    jogs,
    labels_whole,
    problems,
)
from tests.diagrams.families import KinCase, families, kin_families


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families())
def test_random_families_lay_out_without_collisions(genogram: Genogram) -> None:
    drawn = layout(genogram)
    assert {s.person for s in drawn.symbols} == {p.id for p in genogram.people}
    assert problems(genogram, drawn) == []
    assert care_overlaps(drawn) == []
    assert households_whole(genogram, drawn) == []
    assert labels_whole(genogram, drawn) == []
    assert jogs(drawn) == []


def _kin(
    people: list[Who],
    partners: list[tuple[str, str, str, int | None]],
    links: list[tuple[str, str, str]],
    homes: list[tuple[str, ...]],
    child: str,
    carers: tuple[str, ...],
) -> KinCase:
    """A kinship family written out: (id, name, gender, year born, born on 1 January (else the
    year only), year died), (a, b, status, year from), (parent, child, kind), households."""
    names = ("Carers' home", "Parent's home", "Other parent's home", "Shared home")
    g = build(
        [
            GPerson(
                pid,
                name,
                gender,
                PartialDate(year, 1, 1) if day else PartialDate(year),
                age=2026 - year,
                deceased=died is not None,
                death_year=died,
                status="living" if died is None else "deceased",
            )
            for pid, name, gender, year, day, died in people
        ],
        [
            GPartnership(a, b, status, PartialDate(start) if start else None)
            for a, b, status, start in partners
        ],
        [GChildLink(parent, c, kind) for parent, c, kind in links],
        (),
        [GHousehold(f"h{i}", names[i], members) for i, members in enumerate(homes)],
    )
    return KinCase(g, child, carers)


def _births(parents: tuple[str, str], kids: tuple[str, ...]) -> list[tuple[str, str, str]]:
    return [(p, k, "birth") for k in kids for p in parents]


CA, EM = "Christopher Alexander", "\u00c9mile"
# Found by hypothesis (kin_families(), derandomised, 2,000 families): a grandparent cares for
# the eldest grandchild and the other parent's parents are drawn too. The carer's line went
# round the left margin across the other grandparents' stem (to keep off the child's parents'
# partnership line and bus, which it may cross: nothing else reaches a child drawn under them).
OTHER_SIDES_STEM = _kin(
    [("p0", "Ann", "female", 1948, True, 2008), ("p1", "Dee", "other", 1950, True, None),
     ("p2", "Ann", "other", 1974, True, None), ("p3", CA, "female", 1976, True, None),
     ("p4", CA, "male", 1977, True, None), ("p5", "Ann", "male", 1945, True, None),
     ("p6", "Bo", "female", 1947, True, None), ("p7", "Dee", "female", 2008, True, None),
     ("p8", "Ann", "male", 2011, True, None), ("p9", EM, "female", 2013, True, None)],
    [("p5", "p6", "married", None), ("p0", "p1", "married", 1972),
     ("p2", "p4", "cohabiting", 2005)],
    [*_births(("p0", "p1"), ("p2", "p3")), *_births(("p5", "p6"), ("p4",)),
     *_births(("p2", "p4"), ("p7", "p8", "p9")), ("p1", "p7", "kinship")],
    [("p1", "p7", "p2", "p3"), ("p2", "p9"), ("p4", "p8"), ("p0",)],
    "p7",
    ("p1",),
)  # fmt: skip
# The same, the parent the middle child: the carer's line crossed the other side's bus.
OTHER_SIDES_BUS = _kin(
    [("p0", CA, "male", 1948, False, None), ("p1", "Ann", "male", 1950, True, None),
     ("p2", CA, "male", 1982, True, None), ("p3", CA, "female", 1989, True, None),
     ("p4", "Dee", "female", 1990, True, None), ("p5", CA, "female", 1985, True, None),
     ("p6", "Dee", "male", 1945, False, None), ("p7", "Bo", "male", 1947, True, None),
     ("p8", "Bo", "other", 2007, True, None), ("p9", CA, "male", 2008, True, None),
     ("p10", CA, "male", 2010, True, None)],
    [("p6", "p7", "married", None), ("p0", "p1", "married", 1972),
     ("p3", "p5", "separated", 2005)],
    [*_births(("p0", "p1"), ("p2", "p3", "p4")), *_births(("p6", "p7"), ("p5",)),
     *_births(("p3", "p5"), ("p8", "p9", "p10")), ("p1", "p10", "kinship")],
    [("p1", "p10", "p2", "p3", "p4"), ("p3",), ("p5", "p8", "p9")],
    "p10",
    ("p1",),
)  # fmt: skip
# The parent is the middle of three, their partner's parents drawn on the left: under the rule
# that brothers and sisters stand in birth order, the two families' lines of descent must cross
# (the other side's drop to the partner passes the carers' children's bus). The lone carer's
# line left the middle of his foot, right over the other side's bus, and crossed it; now it
# runs above that bus and comes down through the parents' gap.
MIDDLE_CHILD = _kin(
    [("p0", EM, "female", 1948, True, None), ("p1", "Ann", "male", 1950, True, None),
     ("p2", "Dee", "other", 1978, True, None), ("p3", EM, "female", 1982, False, None),
     ("p4", CA, "female", 1985, False, None), ("p5", CA, "male", 1981, True, None),
     ("p6", EM, "other", 1945, True, None), ("p7", "Bo", "other", 1947, False, None),
     ("p8", CA, "female", 2008, True, None), ("p9", "Dee", "female", 2011, True, None),
     ("p10", "Bo", "other", 2012, True, None)],
    [("p6", "p7", "married", None), ("p0", "p1", "married", 1972),
     ("p3", "p5", "married", 2005)],
    [*_births(("p0", "p1"), ("p2", "p3", "p4")), *_births(("p6", "p7"), ("p5",)),
     *_births(("p3", "p5"), ("p8", "p9", "p10")), ("p1", "p8", "kinship")],
    [("p1", "p8", "p2", "p3", "p4"), ("p3",), ("p5", "p9", "p10"), ("p0",)],
    "p8",
    ("p1",),
)  # fmt: skip


# A special guardian grandparent; the grandchild's drop under the gap her line came down.
CARE_ON_DROP = _kin(
    [("p0", CA, "female", 1948, True, None), ("p1", "Ann", "other", 1950, True, None),
     ("p2", EM, "female", 1978, True, None), ("p3", "Bo", "male", 1979, True, None),
     ("p4", "Ann", "female", 1983, True, None), ("p5", "Bo", "female", 1976, False, None),
     ("p6", "Dee", "male", 2008, True, None), ("p7", "Ann", "male", 2010, False, None),
     ("p8", EM, "male", 2013, True, None)],
    [("p0", "p1", "married", 1972), ("p2", "p5", "divorced", 2005)],
    [*_births(("p0", "p1"), ("p2", "p3", "p4")), *_births(("p2", "p5"), ("p6", "p7", "p8")),
     ("p1", "p8", "special_guardian")],
    [("p1", "p8", "p2", "p3", "p4"), ("p2", "p6"), ("p5", "p7")],
    "p8",
    ("p1",),
)  # fmt: skip


# Found with seed 2 (3,000 draws) once a line passing down through the parents' gap kept to the
# side of their stem it goes on to: it was moved aside from the child below, but the child's
# own line was placed as if it had not been, and so came down on it.
BESIDE_THE_STEM = _kin(
    [("p0", "Bo", "male", 1948, True, None), ("p1", EM, "male", 1950, True, None),
     ("p2", "Dee", "female", 1985, True, None), ("p3", "Bo", "male", 1986, True, None),
     ("p4", EM, "female", 1983, True, None), ("p5", EM, "male", 2008, False, None),
     ("p6", "Dee", "other", 2009, True, None), ("p7", "Bo", "other", 2010, True, None)],
    [("p0", "p1", "married", 1972), ("p2", "p4", "divorced", 2005)],
    [*_births(("p0", "p1"), ("p2", "p3")), *_births(("p2", "p4"), ("p5", "p6", "p7")),
     ("p0", "p6", "kinship"), ("p1", "p6", "kinship")],
    [("p0", "p1", "p6", "p2", "p3"), ("p2",), ("p4", "p5", "p7")],
    "p6",
    ("p0", "p1"),
)  # fmt: skip


# Found with seed 7 (3,000 draws): a lone grandparent's line left the middle of her foot and
# stepped 1.2 points aside into the lane it passes down through the row below (a jog).
FOOT_OVER_LANE = _kin(
    [("p0", "Dee", "female", 1948, False, None), ("p1", EM, "other", 1950, True, None),
     ("p2", "Bo", "male", 1975, True, None), ("p3", CA, "female", 1986, True, None),
     ("p4", EM, "female", 1987, True, None), ("p5", "Bo", "female", 1945, True, None),
     ("p6", "Dee", "female", 1947, True, None), ("p7", CA, "female", 2009, True, None),
     ("p8", "Dee", "other", 2011, True, None), ("p9", "Ann", "other", 2013, True, None)],
    [("p5", "p6", "married", None), ("p0", "p1", "married", 1972),
     ("p2", "p4", "cohabiting", 2005)],
    [*_births(("p0", "p1"), ("p2", "p3")), *_births(("p5", "p6"), ("p4",)),
     *_births(("p2", "p4"), ("p7", "p8", "p9")), ("p1", "p7", "kinship")],
    [("p1", "p7", "p2", "p3"), ("p2",), ("p4", "p8", "p9")],
    "p7",
    ("p1",),
)  # fmt: skip


# Derandomised: the same 150 families every run, and the one family (found with seed 12, 1 in
# 2,454 distinct random families) whose carer's line lay on a child's drop: the line came down
# a gap straight above the child's drop and ran on past the bus.
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(kin_families())
@example(CARE_ON_DROP)
@example(BESIDE_THE_STEM)
@example(FOOT_OVER_LANE)
def test_kinship_care_and_split_households(case: KinCase) -> None:
    """A kinship line lies on no other line; each household is one outline round its members."""
    g = case.genogram
    drawn = layout(g)
    assert problems(g, drawn) == []
    assert care_overlaps(drawn) == []
    assert households_whole(g, drawn) == []
    assert labels_whole(g, drawn) == []
    assert jogs(drawn) == []


Who = tuple[str, str, str, int, bool, int | None]


# Derandomised: the same 300 families every run, with both sides' grandparents, kinship care
# and split households; and the families hypothesis found crossing before.
@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(kin_families())
@example(OTHER_SIDES_STEM)
@example(OTHER_SIDES_BUS)
@example(MIDDLE_CHILD)
def test_kinship_lines_cross_no_other_familys_lines(case: KinCase) -> None:
    """A kinship line crosses no line of descent but, where it must, the carers' own children's
    lines (from grandparents it passes down through their children's row) and the child's own
    family's (their parents' stem and line, a brother's or sister's line, when it comes down on
    the far side of them). Not even beside a crossing no layout avoids (MIDDLE_CHILD: the other
    side's line of descent crosses the carers' children's bus)."""
    g = case.genogram
    drawn = layout(g)
    assert care_overlaps(drawn) == []
    assert [
        f"the care line {care.points} crosses {other.role} {other.points}"
        for care, other in _other_familys_crossings(case, drawn)
    ] == []


def test_a_kinship_line_keeps_off_the_other_sides_lines_where_a_way_exists() -> None:
    for case in (OTHER_SIDES_STEM, OTHER_SIDES_BUS):
        assert _other_familys_crossings(case, layout(case.genogram)) == []


def test_a_kinship_line_keeps_off_the_other_sides_bus_beside_a_forced_crossing() -> None:
    assert _other_familys_crossings(MIDDLE_CHILD, layout(MIDDLE_CHILD.genogram)) == []


def _other_familys_crossings(case: KinCase, drawn: Layout) -> list[tuple[Line, Line]]:
    """The crossings of the kinship line with lines that are neither the carers' (their own,
    their children's) nor the cared-for child's family's (parents, brothers and sisters)."""
    g = case.genogram
    parents = {p.parent for p in g.child_links if p.child == case.child and p.kind == "birth"}
    siblings = {
        link.child for link in g.child_links if link.parent in parents and link.kind == "birth"
    }
    carers_children = {
        link.child for link in g.child_links if link.parent in case.carers and link.kind == "birth"
    }
    out = []
    for care, other in care_crossings(drawn):
        ends = set(other.ends)
        carers_line = bool(ends & set(case.carers)) or bool(ends & carers_children)
        childs_line = bool(ends & (parents | siblings))
        if other.role == "bus":  # a bus is whose stem meets it
            carers_line = _bus_of(drawn, other, case.carers)
            childs_line = _bus_of(drawn, other, tuple(parents))
        if not (carers_line or childs_line):
            out.append((care, other))
    return out


def _bus_of(drawn: Layout, bus: Line, parents: tuple[str, ...]) -> bool:
    """Whether a bus hangs from the stem of these parents (or of one of them)."""
    stems = [ln for ln in drawn.lines if ln.role == "stem" and set(ln.ends) & set(parents)]
    xs = [p[0] for p in bus.points]
    return any(
        abs(s.points[-1][1] - bus.points[0][1]) < 0.01
        and min(xs) - 0.01 <= s.points[-1][0] <= max(xs) + 0.01
        for s in stems
    )

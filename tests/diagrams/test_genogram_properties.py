"""Property tests: random valid families (up to 4 generations and 40 people) lay out cleanly;
families with a child in kinship care and parents living apart route and outline cleanly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import Genogram
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kin_families())
def test_kinship_care_and_split_households(case: KinCase) -> None:
    """A kinship line lies on no other line and crosses no line of descent, but where it must:
    from grandparents it passes down through their own children's row (their children's line),
    and it reaches a child between brothers and sisters (or with one between the child and
    where the line comes down) over their parents' line or a brother's or sister's."""
    g = case.genogram
    drawn = layout(g)
    assert problems(g, drawn) == []
    assert care_overlaps(drawn) == []
    assert households_whole(g, drawn) == []
    assert labels_whole(g, drawn) == []
    assert jogs(drawn) == []
    carers_row = next(r for r, row in enumerate(drawn.rows) if case.carers[0] in row)
    child_row = next(r for r, row in enumerate(drawn.rows) if case.child in row)
    siblings = {link.child for link in g.child_links if link.kind == "birth"} & {
        link.child
        for p in g.child_links
        if p.child == case.child and p.kind == "birth"
        for link in g.child_links
        if link.parent == p.parent and link.kind == "birth"
    }
    child_x = drawn.symbol(case.child).box.cx
    parents = {p.parent for p in g.child_links if p.child == case.child and p.kind == "birth"}
    carers_children = {
        link.child for link in g.child_links if link.parent in case.carers and link.kind == "birth"
    }
    for care, other in care_crossings(drawn):
        # where it comes down into the child's channel, before it runs along to the child
        approach = care.points[-3][0] if len(care.points) >= 3 else care.points[0][0]
        xs = [drawn.symbol(s).box.cx for s in siblings - {case.child}]
        inside = any(x < child_x for x in xs) and any(x > child_x for x in xs)
        own = (  # a line of the carers' own children
            bool(set(case.carers) & set(other.ends))
            or (other.role == "drop" and bool(set(other.ends) & carers_children))
            or (other.role == "bus" and _bus_of(drawn, other, case.carers))
        )
        between = inside or any(min(approach, child_x) < x < max(approach, child_x) for x in xs)
        if own and child_row > carers_row + 1:
            continue
        family = other.ends == () or bool(set(other.ends) & (siblings | parents))
        if between and family:  # the child's own parents' stem and line, a sibling's line
            continue
        raise AssertionError(f"the care line {care.points} crosses {other.role} {other.points}")


def _bus_of(drawn, bus, parents) -> bool:  # type: ignore[no-untyped-def]
    """Whether a bus hangs from the stem of these parents."""
    stems = [ln for ln in drawn.lines if ln.role == "stem" and set(ln.ends) & set(parents)]
    return any(
        abs(s.points[-1][1] - bus.points[0][1]) < 0.01
        and min(p[0] for p in bus.points) - 0.01
        <= s.points[-1][0]
        <= max(p[0] for p in bus.points) + 0.01
        for s in stems
    )

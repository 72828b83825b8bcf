"""Property test: random valid families (up to 4 generations and 40 people) lay out cleanly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import Genogram
from tests.diagrams.checks import problems
from tests.diagrams.families import families


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(families())
def test_random_families_lay_out_without_collisions(genogram: Genogram) -> None:
    drawn = layout(genogram)
    assert {s.person for s in drawn.symbols} == {p.id for p in genogram.people}
    assert problems(genogram, drawn) == []

"""group: repeating rows, counted and named."""

from __future__ import annotations

from ehdocs.fields import row_label
from tests.fields.fielddefs import fdef, ftype, limits


def test_rows_are_counted_against_min_and_max_rows() -> None:
    group = fdef("group", "Children", item_name="sibling", min_rows=2, max_rows=3)
    assert ftype(group).is_group
    assert limits(group, [{}, {}]) == [] and limits(group, [{}, {}, {}]) == []
    assert limits(group, [{}]) == ["Add at least 2 siblings"]
    assert limits(group, [{}] * 4) == ["You can add up to 3 siblings"]
    assert ftype(group).message(group, "required") == "Add at least one sibling"


def test_a_row_is_named_by_its_item_name() -> None:
    assert row_label(fdef("group", item_name="child"), 0) == "Child 1"
    assert row_label(fdef("group", item_name="Agency"), 2) == "Agency 3"
    assert row_label(fdef("group"), 1) == "Entry 2"

"""group: repeating rows, counted and named."""

from __future__ import annotations

from ehdocs.fields import row_label
from ehdocs.schema.model import FieldDef
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


def test_owned_by_must_name_a_professional_question_of_the_rows() -> None:
    who = FieldDef(id="who", type="professional", label="Who", path="s.answer.who")
    note = FieldDef(id="note", type="text", label="Note", path="s.answer.note")
    found: list[str] = []
    mine = fdef("group", fields=(who, note), owned_by="who")
    ftype(mine).check(mine, found.append)
    assert found == []
    for wrong in ("note", "nobody"):
        group = fdef("group", fields=(who, note), owned_by=wrong)
        ftype(group).check(group, found.append)
    assert found == [
        "'owned_by' must name a professional question of the group's rows (got 'note')",
        "'owned_by' must name a professional question of the group's rows (got 'nobody')",
    ]

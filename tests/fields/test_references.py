"""person and professional: ids of the case's records; written by name on a blank form."""

from __future__ import annotations

import pytest

from ehdocs.schema.model import FieldDef
from tests.fields.fielddefs import display, fdef, ftype, parse, refused


def test_a_reference_is_an_id_or_a_list_of_ids_when_multiple() -> None:
    one, many = fdef("person", "Child"), fdef("person", "Children", multiple=True)
    assert parse(one, "c1") == "c1"
    assert parse(one, "") is None
    assert parse(many, ["c1", "c2", "c1"]) == ["c1", "c2"]
    assert parse(many, "c1") == ["c1"]
    assert parse(many, []) is None


@pytest.mark.parametrize("raw", ["Riley Hancock", "c1;c2", ["c1"], "-c1", "x" * 41, 3])
def test_what_is_not_an_id_is_refused(raw: object) -> None:
    assert refused(fdef("person", "Child"), raw) == "Select child from the list"


def test_references_are_shown_by_name() -> None:
    assert display(fdef("person"), "c1") == "Riley Hancock"
    assert display(fdef("person", multiple=True), ["c1", "a1"]) == "Riley Hancock; Sam Hancock"
    assert display(fdef("professional"), "pr1") == "Dana Patel (school nurse)"


def test_what_each_refers_to() -> None:
    assert ftype(fdef("person")).refers_to == "people"
    assert ftype(fdef("professional")).refers_to == "professionals"
    assert ftype(fdef("person")).is_reference and ftype(fdef("professional")).is_reference
    for other in ("text", "choice", "date", "group"):
        assert not ftype(fdef(other)).is_reference


def test_a_single_child_gets_a_date_of_birth_box_on_a_blank_form() -> None:
    child = fdef("person", role="child")
    kind = ftype(child)
    assert kind.asks_date_of_birth(child)
    assert not kind.asks_date_of_birth(fdef("person", role="child", multiple=True))
    assert not kind.asks_date_of_birth(fdef("person", role="adult"))
    assert not kind.asks_date_of_birth(fdef("person"))
    assert not ftype(fdef("professional")).asks_date_of_birth(fdef("professional"))


@pytest.mark.parametrize(
    ("field", "own", "hint", "widget", "size"),
    [
        (
            fdef("person", role="child"),
            None,
            "Full name of the child or young person",
            "text",
            "long",
        ),
        (fdef("person", role="adult"), None, "Full name of the adult", "text", "long"),
        (fdef("person"), None, "Full name", "text", "long"),
        (fdef("person"), "The parent", "Write their full name", "text", "long"),
        (
            fdef("person", multiple=True),
            None,
            "Full names, one on each line",
            "multiline",
            "lines-3",
        ),
        (fdef("professional"), None, "Name, role and agency", "text", "long"),
        (
            fdef("professional", multiple=True),
            None,
            "Name, role and agency of each, one on each line",
            "multiline",
            "lines-3",
        ),
    ],
)
def test_on_a_blank_form_people_are_written_by_name(
    field: FieldDef, own: str | None, hint: str, widget: str, size: str
) -> None:
    kind = ftype(field)
    assert kind.fill_widget(field, "pdf") == kind.fill_widget(field, "docx") == widget
    assert kind.fill_hint(field, own, widget) == [p for p in (own, hint) if p]
    assert kind.fill_size(field, widget) == size

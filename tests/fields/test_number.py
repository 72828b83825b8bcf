"""number: what a practitioner types, and the rule for commas.

A comma is read only as a thousands separator in the right places ("1,500", "12,345.5"). "1,5"
is refused, not guessed: typed in England it is a slip for 15 or for 1.5 (or a continental
decimal comma), and either guess can put a wrong number in a family's record."""

from __future__ import annotations

import pytest

from tests.fields.fielddefs import display, fdef, ftype, limits, parse, refused

COMMA = (
    "Hours a week must be a number: use a full stop for a decimal point, like 1.5, "
    "and commas only between thousands, like 1,500"
)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("15", 15),
        (" 15 ", 15),
        ("1.5", 1.5),
        ("-2", -2),
        ("+2", 2),
        (".5", 0.5),
        ("5.", 5),
        ("1,500", 1500),
        ("1,500.25", 1500.25),
        ("12,345,678", 12345678),
        (7, 7),
        (7.0, 7),
        (2.5, 2.5),
    ],
)
def test_numbers_as_typed(raw: object, value: float) -> None:
    parsed = parse(fdef("number", "Hours a week"), raw)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("raw", ["1,5", "15,00", "1,5000", "1,500,00", ",500", "1,,500", "1.500,5"])
def test_a_comma_that_is_not_between_thousands_is_refused_with_the_rule(raw: str) -> None:
    assert refused(fdef("number", "Hours a week"), raw) == COMMA


@pytest.mark.parametrize(
    "raw", ["fifteen", "1 500", "1e3", "1_000", "nan", "inf", "-", ".", "£15", True, [1]]
)
def test_what_is_not_a_number_is_refused(raw: object) -> None:
    assert refused(fdef("number", "Hours a week"), raw) == "Hours a week must be a number"


def test_not_a_number_values_from_json_are_refused() -> None:
    field = fdef("number", "Hours a week")
    for raw in (float("nan"), float("inf"), float("-inf")):
        assert refused(field, raw) == "Hours a week must be a number"


def test_blank_is_no_answer() -> None:
    assert parse(fdef("number"), "") is None
    assert parse(fdef("number"), None) is None


def test_a_whole_number_field_refuses_fractions_with_not_whole() -> None:
    field = fdef("number", "Number of children", integer=True)
    assert parse(field, "3") == 3
    assert parse(field, "3.0") == 3
    assert parse(field, "1,000") == 1000
    assert refused(field, "2.5") == "Number of children must be a whole number"
    assert refused(field, 2.5) == "Number of children must be a whole number"
    own = fdef("number", "Age", integer=True, messages={"not_whole": "Give {name} in years"})
    assert refused(own, "2.5") == "Give age in years"


def test_limits() -> None:
    field = fdef("number", "Hours a week", min=0, max=40)
    assert limits(field, 0) == [] and limits(field, 40) == []
    assert limits(field, -1) == ["Hours a week must be 0 or more"]
    assert limits(field, 40.5) == ["Hours a week must be 40 or less"]


def test_display_and_the_fillable_face() -> None:
    field = fdef("number", "Hours a week", min=0, max=40, integer=True)
    assert display(field, 15) == "15"
    kind = ftype(field)
    assert kind.fill_widget(field, "pdf") == "text" and kind.fill_size(field, "text") == "short"
    assert kind.fill_hint(field, None, "text") == ["A whole number from 0 to 40"]
    assert kind.fill_hint(fdef("number", min=1), None, "text") == ["A number, 1 or more"]
    assert kind.fill_hint(fdef("number", max=9), "Roughly", "text") == [
        "Roughly",
        "A number, 9 or less",
    ]
    assert kind.fill_hint(fdef("number"), None, "text") == ["A number"]
    # Read back trimmed; the same rule then applies as on the web.
    assert kind.from_filled(" 1,5 \n") == "1,5"
    assert refused(field, kind.from_filled(" 1,5 \n")) == COMMA

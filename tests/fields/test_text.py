"""text and long_text: trimmed strings, lengths, and the formats (with the NHS number's check
digit)."""

from __future__ import annotations

import pytest

from tests.fields.fielddefs import display, fdef, ftype, limits, parse, refused


def test_text_is_trimmed_and_blank_is_no_answer() -> None:
    field = fdef("text", "Your name")
    assert parse(field, "  Sam Hancock \n") == "Sam Hancock"
    assert parse(field, "   ") is None
    assert parse(field, None) is None


def test_text_must_be_a_string() -> None:
    assert refused(fdef("text", "Your name"), 12) == "Your name must be text"


def test_lengths_are_checked_as_limits_with_the_defaults_of_each_type() -> None:
    field = fdef("text", "Your name", min_length=2, max_length=5)
    assert limits(field, "Sam") == []
    assert limits(field, "Samantha") == [
        "Your name must be 5 characters or fewer: it is 3 characters too long"
    ]
    assert limits(field, "S") == ["Your name must be 2 characters or more"]
    assert limits(fdef("text"), "x" * 200) == []
    assert limits(fdef("text"), "x" * 201) == [
        "Answer must be 200 characters or fewer: it is 1 character too long"
    ]
    assert limits(fdef("long_text"), "x" * 10000) == []
    assert limits(fdef("long_text"), "x" * 10001) == [
        "Answer must be 10,000 characters or fewer: it is 1 character too long"
    ]


@pytest.mark.parametrize(
    ("fmt", "good", "bad", "message"),
    [
        (
            "email",
            "sam@nhs.example",
            "sam at nhs",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            "phone",
            "01632 960 001",
            "0163",
            "Enter a telephone number, like 01632 960 001 or +44 808 157 0192",
        ),
        ("postcode", "aa3 1ab", "AA3", "Enter a real postcode, like AA3 1AB"),
    ],
)
def test_formats(fmt: str, good: str, bad: str, message: str) -> None:
    field = fdef("text", "Contact", format=fmt)
    assert parse(field, good) == good
    assert refused(field, bad) == message


NHS_MESSAGE = "Enter a valid NHS number: 10 digits, like 943 476 5919"


@pytest.mark.parametrize("number", ["943 476 5919", "9434765919", "401 023 2137", "4505577104"])
def test_nhs_numbers_with_a_right_check_digit_are_accepted(number: str) -> None:
    assert parse(fdef("text", "NHS number", format="nhs_number"), number) == number


@pytest.mark.parametrize(
    "number",
    [
        "943 476 5918",  # the last digit mistyped
        "943 476 9519",  # two digits swapped
        "000 000 0060",  # a check digit of 10: no NHS number has it, whatever the last digit
        "000 000 0061",
        "943 476 591",  # 9 digits
        "943-476-5919",
        "ABC 476 5919",
    ],
)
def test_nhs_numbers_failing_the_check_are_refused(number: str) -> None:
    assert refused(fdef("text", "NHS number", format="nhs_number"), number) == NHS_MESSAGE


def test_a_fields_own_format_message_wins() -> None:
    field = fdef("text", "NHS number", format="nhs_number", messages={"format": "Check {name}"})
    assert refused(field, "943 476 5918") == "Check NHS number"


def test_text_display_and_fillable_faces() -> None:
    short, long = fdef("text", max_length=100), fdef("text")
    assert display(short, "Sam") == "Sam"
    assert ftype(short).fill_widget(short, "pdf") == ftype(short).fill_widget(short, "docx")
    assert ftype(short).fill_widget(short, "pdf") == "text"
    assert ftype(short).fill_size(short, "text") == "medium"
    assert ftype(long).fill_size(long, "text") == "long"
    # Read back as typed: the validator trims it.
    assert ftype(short).from_filled(" Sam\nHancock ") == " Sam\nHancock "


@pytest.mark.parametrize(
    ("max_length", "size"),
    [(None, "lines-7"), (500, "lines-3"), (1000, "lines-4"), (3000, "lines-6")],
)
def test_long_text_is_a_multiline_box_sized_by_its_longest_answer(
    max_length: int | None, size: str
) -> None:
    field = fdef("long_text") if max_length is None else fdef("long_text", max_length=max_length)
    assert ftype(field).fill_widget(field, "pdf") == "multiline"
    assert ftype(field).fill_size(field, "multiline") == size
    assert ftype(field).fill_hint(field, "In your own words", "multiline") == ["In your own words"]

"""choice, choices, yes_no, yes_no_unknown and scale: fixed options, asked and read back."""

from __future__ import annotations

import pytest

from ehdocs.fields import YES_NO_LABELS
from ehdocs.fields.web import WebContext
from ehdocs.schema.model import Option
from tests.fields.fielddefs import display, fdef, ftype, limits, parse, refused

HOUSING = (
    Option("housing", "Housing", "Where you live"),
    Option("money", "Money worries"),
    Option("school", "School"),
)


def options(n: int) -> tuple[Option, ...]:
    return tuple(Option(f"o{i}", f"Option {i}") for i in range(n))


class NoCase:
    def people(self, role: str | None) -> list[tuple[str, str]]:
        return []

    def professionals(self) -> list[tuple[str, str]]:
        return []


NO_CASE: WebContext = NoCase()


def test_a_choice_is_one_of_its_options() -> None:
    field = fdef("choice", "Main need", options=HOUSING)
    assert parse(field, "money") == "money"
    assert parse(field, "") is None
    assert refused(field, "Money worries") == (
        "Select main need from the list: 'Money worries' is not one of its choices"
    )
    assert refused(field, ["money"]) == (
        "Select main need from the list: '['money']' is not one of its choices"
    )


def test_a_choice_is_shown_by_its_label_and_to_the_family_by_theirs() -> None:
    field = fdef("choice", "Main need", options=HOUSING)
    assert display(field, "housing") == "Housing"
    assert display(field, "housing", family=True) == "Where you live"
    assert display(field, "money", family=True) == "Money worries"
    assert ftype(field).display_sent("housing", field) == "Housing"
    assert ftype(field).display_sent("not an option", field) == "not an option"


def test_choices_are_a_list_without_repeats() -> None:
    field = fdef("choices", "Needs", options=HOUSING)
    assert parse(field, ["money", "housing", "money", ""]) == ["money", "housing"]
    assert parse(field, "school") == ["school"]
    assert parse(field, []) is None
    assert refused(field, ["money", "pets"]) == (
        "Select needs from the list: 'pets' is not one of its choices"
    )
    assert refused(field, {"money": True}) == (
        "Select needs from the list: '{'money': True}' is not one of its choices"
    )
    assert display(field, ["money", "housing"]) == "Money worries; Housing"
    assert ftype(field).display_sent(["money", "housing"], field) == "Money worries, Housing"


def test_min_selected_and_max_selected() -> None:
    field = fdef("choices", "Needs", options=HOUSING, min_selected=2, max_selected=2)
    assert limits(field, ["money", "school"]) == []
    assert limits(field, ["money"]) == ["Select at least 2 of needs"]
    assert limits(field, ["money", "school", "housing"]) == ["Select no more than 2 of needs"]
    assert limits(fdef("choices", options=HOUSING), ["money"]) == []


def test_min_above_max_is_a_schema_error() -> None:
    found: list[str] = []
    field = fdef("choices", options=HOUSING, min_selected=3, max_selected=2)
    ftype(field).check(field, found.append)
    assert found == ["'min_selected' (3) is greater than 'max_selected' (2)"]


@pytest.mark.parametrize(
    ("raw", "value"), [("yes", "yes"), (" NO ", "no"), (True, "yes"), (False, "no")]
)
def test_yes_no(raw: object, value: str) -> None:
    assert parse(fdef("yes_no"), raw) == value


def test_yes_no_refuses_anything_else_and_unknown_is_its_own_type() -> None:
    assert refused(fdef("yes_no"), "unknown") == "Select yes or no"
    assert refused(fdef("yes_no"), "maybe") == "Select yes or no"
    assert parse(fdef("yes_no_unknown"), "Unknown") == "unknown"
    assert refused(fdef("yes_no_unknown"), "maybe") == "Select yes, no or not known"


def test_the_yes_no_labels_are_the_same_on_every_face() -> None:
    assert YES_NO_LABELS == {"yes": "Yes", "no": "No", "unknown": "Not known"}
    field = fdef("yes_no_unknown")
    kind = ftype(field)
    expected = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
    assert kind.options(field) == expected
    assert kind.web_choices(field, NO_CASE) == expected  # type: ignore[attr-defined]
    assert [display(field, v) for v in ("yes", "no", "unknown")] == ["Yes", "No", "Not known"]
    assert kind.display_sent(["yes", "no"], field) == "Yes, No"
    assert ftype(fdef("yes_no")).options(fdef("yes_no")) == expected[:2]


def test_yes_no_on_a_blank_form() -> None:
    field = fdef("yes_no")
    kind = ftype(field)
    assert kind.fill_widget(field, "pdf") == "radio"
    assert kind.fill_widget(field, "docx") == "checkboxes"  # Word has no radio buttons
    assert kind.inline
    # Two DOCX boxes: one ticked is the answer; both are passed on for the validator to refuse.
    assert kind.from_ticked(["yes"]) == "yes"
    assert kind.from_ticked(["yes", "no"]) == ["yes", "no"]
    assert refused(field, kind.from_ticked(["yes", "no"])) == "Select yes or no"


def test_a_choice_on_a_blank_form_is_radios_in_a_pdf_until_it_has_too_many_options() -> None:
    few, many = fdef("choice", options=options(6)), fdef("choice", options=options(7))
    kind = ftype(few)
    assert kind.fill_widget(few, "pdf") == "radio"
    assert kind.fill_widget(many, "pdf") == "select"
    assert kind.fill_widget(few, "docx") == "select"
    assert not kind.inline  # only when its options are short (the blank form decides)
    assert kind.fill_hint(many, None, "select") == ["Choose one from the list"]
    assert kind.fill_hint(few, "Pick one", "radio") == ["Pick one"]
    assert kind.from_filled("o3") == "o3"


def test_choices_on_a_blank_form_are_checkboxes() -> None:
    field = fdef("choices", options=HOUSING)
    kind = ftype(field)
    assert kind.fill_widget(field, "pdf") == kind.fill_widget(field, "docx") == "checkboxes"
    assert kind.fill_hint(field, None, "checkboxes") == ["Tick all that apply"]
    assert kind.fill_hint(field, "Choose any", "checkboxes") == ["Choose any"]
    assert kind.from_ticked(["money"]) == ["money"]
    assert kind.options(field) == [
        ("housing", "Housing"),
        ("money", "Money worries"),
        ("school", "School"),
    ]


def test_a_scale_is_a_whole_number_within_its_bounds() -> None:
    field = fdef("scale", "Score", min=0, max=5)
    assert parse(field, "3") == 3
    assert parse(field, 0) == 0
    assert parse(field, "") is None
    for raw in ("6", "-1", "2.5", "three", True, 2.0):
        assert refused(field, raw) == "Score must be a whole number from 0 to 5"
    assert refused(fdef("scale", "Score"), "11") == "Score must be a whole number from 1 to 10"


def test_a_scale_shown_asked_and_read_back() -> None:
    field = fdef("scale", "Score", min=1, max=10, low_label="very worried", high_label="fine")
    kind = ftype(field)
    assert display(field, 7) == "7 out of 10"
    assert kind.options(field)[0] == ("1", "1") and len(kind.options(field)) == 10
    assert kind.fill_widget(field, "pdf") == "radio"
    assert kind.fill_widget(fdef("scale", min=0, max=11), "pdf") == "select"
    assert kind.fill_widget(field, "docx") == "select"
    assert kind.fill_hint(field, None, "radio") == ["1 means very worried; 10 means fine"]
    assert kind.fill_hint(fdef("scale"), None, "radio") == ["From 1 to 10"]
    assert kind.web_hint(field) == "1 means very worried; 10 means fine"  # type: ignore[attr-defined]
    assert kind.from_filled("7") == 7
    assert kind.from_filled("-2") == -2
    assert kind.from_filled("lots") == "lots"

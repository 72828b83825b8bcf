"""Messages a person reads: GOV.UK style, never a question label, never marshmallow's words."""

from __future__ import annotations

import pytest

from ehdocs.fields import field_type
from ehdocs.schema import load_formset
from ehdocs.validation import validate_case
from tests.factories import make_case

MARSHMALLOW_WORDS = (
    "Not a valid",
    "String does not match expected pattern",
    "Missing data for required field",
    "Unknown field.",
)


def every_field(formset):
    for record in formset.records.values():
        for field in record.iter_fields():
            yield f"case.yaml {field.path}", field
    for form in formset.forms.values():
        for field in form.iter_fields():
            yield f"{form.form} {field.path}", field


def messages_a_person_can_see(field):
    ftype = field_type(field.type)
    yield ftype.message(field, "required", item="row", min=1, max=1)
    if ftype.uses_options:
        yield ftype.message(field, "invalid")


@pytest.mark.parametrize("profile", [None, "example-council"])
def test_default_messages_start_with_a_capital_letter(profile):
    formset = load_formset(profile)

    lower = [
        (where, message)
        for where, field in every_field(formset)
        for message in messages_a_person_can_see(field)
        if not message[:1].isupper()
    ]

    assert lower == []


@pytest.mark.parametrize("profile", [None, "example-council"])
def test_no_default_message_quotes_a_question_label(profile):
    formset = load_formset(profile)

    questions = [
        (where, message)
        for where, field in every_field(formset)
        for message in messages_a_person_can_see(field)
        if "?" in message
    ]

    assert questions == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("reference", 12345),
        ("index_person", "a b"),
        ("created", "yesterday"),
        ("format_version", "1"),
        ("family_name", ["Morgan"]),
    ],
)
def test_case_level_messages_are_plain_english(formset, key, value):
    result = validate_case(make_case(**{key: value}), formset)

    ((problem),) = result.problems
    assert problem.path == key
    assert not any(words in problem.message for words in MARSHMALLOW_WORDS)


def test_a_document_that_is_not_an_object_is_named_by_its_position(formset):
    case = make_case()
    case["documents"].append("notification")

    (problem,) = validate_case(case, formset).problems

    assert problem.document == "document 2"
    assert problem.message == "A document must be a JSON object with id, form, status and data"


@pytest.mark.parametrize("profile", [None, "example-council"])
def test_a_yes_or_no_question_that_must_be_answered_says_which_question(profile):
    # GOV.UK: "Select yes if …", not a bare "Select yes or no" that could be any question
    formset = load_formset(profile)
    bare = {"Select yes or no", "Select yes, no or not known"}

    unnamed = [
        where
        for where, field in every_field(formset)
        if field_type(field.type).name in ("yes_no", "yes_no_unknown")
        and (field.required or field.required_if)
        and (
            field_type(field.type).message(field, "required") in bare
            or field_type(field.type).message(field, "invalid") in bare
        )
    ]

    assert unnamed == []

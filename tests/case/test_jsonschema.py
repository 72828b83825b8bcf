"""The exported JSON Schema (draft 2020-12) accepts what validation accepts."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from ehdocs.case.io import read_case_file
from ehdocs.case.jsonschema import case_json_schema
from ehdocs.schema import load_formset
from ehdocs.validation import validate_case
from tests.conftest import REPO
from tests.factories import make_case, make_council_case

EXAMPLES = sorted((REPO / "examples").glob("*.json"))


def schema_errors(schema, case):
    return sorted(
        (list(e.absolute_path), e.message) for e in Draft202012Validator(schema).iter_errors(case)
    )


def test_the_schema_is_a_valid_draft_2020_12_schema(formset):
    schema = case_json_schema(formset)

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:ehdocs:case:1:default"
    Draft202012Validator.check_schema(schema)


def test_the_factory_case_meets_the_schema(formset):
    assert schema_errors(case_json_schema(formset), make_case()) == []


def test_a_misspelt_top_level_key_breaks_the_schema(formset):
    case = make_case()
    case["refrence"] = case.pop("reference")

    assert schema_errors(case_json_schema(formset), case) == [
        ([], "'reference' is a required property"),
        ([], "Additional properties are not allowed ('refrence' was unexpected)"),
    ]


def test_a_record_field_of_the_wrong_type_breaks_the_schema(formset):
    case = make_case()
    case["people"][0]["category"] = "kid"

    ((path, _),) = schema_errors(case_json_schema(formset), case)

    assert path == ["people", 0, "category"]


def test_the_councils_schema_knows_its_added_field(formset, council_formset):
    case = make_council_case()

    assert schema_errors(case_json_schema(council_formset), case) == []
    assert schema_errors(case_json_schema(formset), case) != []


def test_records_require_an_id_and_sections_say_their_audience(formset):
    schema = case_json_schema(formset)
    notification = schema["$defs"]["document_notification"]["properties"]["data"]

    assert schema["$defs"]["record_person"]["required"] == ["id"]
    assert notification["properties"]["hub"]["x-ehdocs-audience"] == "hub"
    assert notification["properties"]["referrer"]["x-ehdocs-audience"] == "family"


@pytest.mark.skipif(not EXAMPLES, reason="no examples/*.json yet")
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_each_example_validates_fully_and_meets_its_json_schema(path):
    raw = read_case_file(path)
    formset = load_formset(raw.get("profile") or None)

    result = validate_case(raw, formset, complete=True)

    assert [str(p) for p in result.problems] == []
    assert schema_errors(case_json_schema(formset), json.loads(path.read_text())) == []

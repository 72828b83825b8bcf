"""Generated schemas read answers by key only: an unanswered question is unanswered, whatever
its name (marshmallow 4 otherwise reads a missing key as an attribute of the dict)."""

from __future__ import annotations

import json

import pytest

from ehdocs.schema import load_formset
from ehdocs.validation import dump_case, validate_case
from tests.factories import make_case, make_professional


@pytest.mark.parametrize("group", ["family_updates", "practitioner_updates"])
def test_an_empty_update_row_dumps_as_an_empty_row(group: str) -> None:
    formset = load_formset()
    raw = make_case(professionals=[make_professional()])
    raw["documents"].append(
        {"id": "r1", "form": "review", "status": "draft", "data": {"updates": {group: [{}]}}}
    )
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    dumped = dump_case(result.case)
    json.dumps(dumped)  # no method object anywhere
    review = next(d for d in dumped["documents"] if d["id"] == "r1")
    assert review["data"]["updates"][group] == [{}]

"""Names and dates as partners write them on a form (issue #16): dates of birth in figures or
with the month in words, UK day first, never guessed; a name in one box split without losing
anything; a consent giver written as the mother made a parent or carer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ehdocs.fillable import field_map
from ehdocs.ingest import cases as ingest_cases
from ehdocs.schema import load_formset, roles


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("27/03/2017", "2017-03-27"),
        ("2017-03-27", "2017-03-27"),
        ("1st Feb 2015", "2015-02-01"),
        ("1 February 2015", "2015-02-01"),
        ("Feb 1st, 2015", "2015-02-01"),
        ("30 February 2015", None),
        ("Feb 2015", None),
        ("1/2/15", None),
        ("", None),
    ],
)
def test_a_date_of_birth_is_read_as_partners_write_it(typed: str, iso: str | None) -> None:
    assert ingest_cases.parse_dob(typed) == iso


@pytest.mark.parametrize(
    ("typed", "given", "family"),
    [
        ("Amy Smith", "Amy", "Smith"),
        ("Amy 🙂", "Amy 🙂", None),  # an emoji is never a family name
        ("Amy Smith 🌟", "Amy 🌟", "Smith"),  # and nothing typed is dropped
        ("王小明", "王小明", None),
        ("محمد علي", "محمد", "علي"),
        ("Mary Ann O'Brien", "Mary Ann", "O'Brien"),
    ],
)
def test_a_name_in_one_box_is_split_at_its_last_word(
    typed: str, given: str, family: str | None
) -> None:
    assert ingest_cases.split_name(typed) == (given, family)


def _notification(values: dict[str, str]) -> dict[str, Any]:
    formset = load_formset()
    fmap = field_map(formset, "notification", "pdf")
    return {
        "kind": "form",
        "format": "pdf",
        "form": "notification",
        "version": fmap.version,
        "digest": fmap.digest,
        "values": {**{e.name: None for e in fmap}, **values},
    }


CHILD = {
    "children__children__0__child": "Tayo Okoro",
    "children__children__0__child__date_of_birth": "3rd April 2016",
}


@pytest.mark.parametrize(
    "values",
    [
        {"consent__given_by": "Jane Okoro (mother)"},
        {"consent__given_by": "Jane Okoro, Mum"},
        {  # named first where the form does not say who she is, then as a parent
            "consent__given_by": "Jane Okoro",
            "parents_carers__parents_carers__0__person": "Jane Okoro",
        },
    ],
)
def test_the_consent_giver_named_as_the_mother_becomes_a_parent_or_carer(
    values: dict[str, str],
) -> None:
    formset = load_formset()
    raw, _ = ingest_cases.new_case(
        formset, "EH-2026-0009", dt.date(2026, 12, 2), _notification({**CHILD, **values})
    )
    people = {ingest_cases.person_name(p): p for p in raw["people"]}
    assert set(people) == {"Tayo Okoro", "Jane Okoro"}
    assert people["Jane Okoro"]["category"] in formset.category_values(roles.PARENT_CARER)
    assert people["Tayo Okoro"]["date_of_birth"] == "2016-04-03"


def test_someone_named_only_as_consent_giver_stays_a_significant_adult() -> None:
    formset = load_formset()
    extracted = _notification({**CHILD, "consent__given_by": "Pat Okoro"})
    raw, _ = ingest_cases.new_case(formset, "EH-2026-0009", dt.date(2026, 12, 2), extracted)
    pat = next(p for p in raw["people"] if p["given_name"] == "Pat")
    assert pat["category"] in formset.category_values(roles.SIGNIFICANT_ADULT)

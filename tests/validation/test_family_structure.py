"""Family structures a social worker would question: the impossible is refused, the unlikely is
a warning that never blocks; every message names the people. Families invented for the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case


def person(pid: str, given: str, family: str, born: str, **more: Any) -> dict[str, Any]:
    category = more.pop("category", "child")
    return {
        "id": pid,
        "given_name": given,
        "family_name": family,
        "category": category,
        "date_of_birth": born,
        **more,
    }


def parent(rid: str, a: str, b: str, kind: str = "birth") -> dict[str, Any]:
    return {"id": rid, "kind": "parent", "person_a": a, "person_b": b, "parent_type": kind}


def twins(rid: str, a: str, b: str, identical: str = "no") -> dict[str, Any]:
    return {"id": rid, "kind": "twins", "person_a": a, "person_b": b, "identical": identical}


def mensah(people: list[dict[str, Any]], relationships: list[dict[str, Any]]) -> dict[str, Any]:
    """The Mensah-Kowalczyk family: Sam's case with the people and links a test adds."""
    case = make_case()
    case["people"].extend(people)
    case["relationships"].extend(relationships)
    return case


def messages(result: Any) -> list[str]:
    return [p.message for p in result.problems]


def test_twins_born_months_apart_are_refused_by_name(formset: FormSet) -> None:
    case = mensah(
        [
            person("t1", "Amara", "Mensah", "2016-03-01"),
            person("t2", "Kofi", "Mensah", "2016-06-10"),
        ],
        [twins("r9", "t1", "t2")],
    )
    result = validate_case(case, formset)
    assert messages(result) == [
        "Amara Mensah (born 1 March 2016) and Kofi Mensah (born 10 June 2016) are recorded as "
        "twins, but twins are born on the same day or a day apart. Check their dates of birth, "
        "or record them as siblings"
    ]
    assert result.problems[0].path == "relationships[1].person_b"


def test_twins_either_side_of_midnight_are_twins(formset: FormSet) -> None:
    case = mensah(
        [
            person("t1", "Amara", "Mensah", "2016-12-31"),
            person("t2", "Kofi", "Mensah", "2017-01-01"),
        ],
        [twins("r9", "t1", "t2")],
    )
    result = validate_case(case, formset)
    assert result.problems == [] and result.warnings == []


def test_identical_twins_of_different_genders_are_a_warning_not_a_refusal(
    formset: FormSet,
) -> None:
    case = mensah(
        [
            person("t1", "Amara", "Mensah", "2016-03-01", gender="female"),
            person("t2", "Kofi", "Mensah", "2016-03-01", gender="male"),
        ],
        [twins("r9", "t1", "t2", identical="yes")],
    )
    result = validate_case(case, formset)
    assert result.problems == [] and result.case is not None
    assert [w.message for w in result.warnings] == [
        "Amara Mensah and Kofi Mensah are recorded as identical twins with different genders. "
        "Identical twins are born the same sex: check whether they are non-identical twins "
        "(a different gender identity is fine)"
    ]


def test_a_parent_born_after_their_child_is_refused(formset: FormSet) -> None:
    case = mensah(
        [person("g1", "Zofia", "Kowalczyk", "2019", category="parent_carer")],
        [parent("r9", "g1", "c1")],
    )
    assert messages(validate_case(case, formset)) == [
        "Zofia Kowalczyk (born 2019) cannot be a parent of Sam Morgan (born 14 May 2017): a "
        "parent is born before their child. Check both dates of birth, and which of them is "
        "the parent"
    ]


def test_a_birth_parent_aged_ten_is_a_warning_and_a_young_step_parent_is_not(
    formset: FormSet,
) -> None:
    case = mensah(
        [
            person("g1", "Zofia", "Kowalczyk", "2007-01-20", category="parent_carer"),
            person("g2", "Piotr", "Kowalczyk", "2008-02", category="parent_carer"),
        ],
        [parent("r9", "g1", "c1"), parent("r10", "g2", "c1", kind="step")],
    )
    result = validate_case(case, formset)
    assert result.problems == []
    assert [w.message for w in result.warnings] == [
        "Zofia Kowalczyk was at most 10 when Sam Morgan was born (born 20 January 2007 and "
        "14 May 2017): check both dates of birth. If they are right, consider whether a "
        "safeguarding referral was made"
    ]


def test_a_person_who_is_their_own_ancestor_is_refused_with_the_chain(
    formset: FormSet,
) -> None:
    adults = [
        person("a1", "Halina", "Nowak", "1950", category="significant_adult"),
        person("a2", "Marek", "Nowak", "1975", category="significant_adult"),
        person("a3", "Ola", "Nowak", "1999", category="significant_adult"),
    ]
    # Halina → Marek → Ola → Halina: one link entered the wrong way round
    links = [parent("r9", "a1", "a2"), parent("r10", "a2", "a3"), parent("r11", "a3", "a1")]
    result = validate_case(mensah(adults, links), formset)
    cycle = [m for m in messages(result) if "their own ancestor" in m]
    assert len(cycle) == 1
    assert "Check the parent and child relationships" in cycle[0]
    assert all(name in cycle[0] for name in ("Halina Nowak", "Marek Nowak", "Ola Nowak"))
    assert "→" in cycle[0] and "a1" not in cycle[0] and "people[" not in cycle[0]


def test_the_cli_shows_warnings_and_still_says_valid(
    run_cli: Any, tmp_path: Path, formset: FormSet
) -> None:
    case = mensah(
        [
            person("t1", "Amara", "Mensah", "2016-03-01", gender="female"),
            person("t2", "Kofi", "Mensah", "2016-03-01", gender="male"),
        ],
        [twins("r9", "t1", "t2", identical="yes")],
    )
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    result = run_cli("validate", path)
    assert result.code == 0
    assert ": valid (" in result.out
    assert "Please check 1 thing (these do not stop it):" in result.out
    assert "Amara Mensah and Kofi Mensah are recorded as identical twins" in result.out


@pytest.mark.parametrize("category", ["significant_adult"])
def test_categories_used_here_exist(formset: FormSet, category: str) -> None:
    values = [o.value for o in formset.lists["person_categories"]]
    assert category in values and "parent_carer" in values

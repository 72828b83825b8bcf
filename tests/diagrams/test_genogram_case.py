"""From a validated case to the genogram: the input model, the SVG and the text table."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ehdocs.case.model import Case
from ehdocs.diagrams import genogram_svg, genogram_table
from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import from_case
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.diagrams.checks import problems
from tests.factories import make_case

TODAY = dt.date(2026, 3, 1)
SVG = "{http://www.w3.org/2000/svg}"


def rel(rid: str, kind: str, a: str, b: str, **extra: Any) -> dict[str, Any]:
    return {"id": rid, "kind": kind, "person_a": a, "person_b": b, **extra}


@pytest.fixture()
def case(formset: FormSet) -> Case:
    raw = make_case(
        people=[
            {
                "id": "c1",
                "given_name": "Ava",
                "family_name": "Hale",
                "category": "child",
                "gender": "female",
                "date_of_birth": "2015-04-18",
            },
            {
                "id": "c2",
                "given_name": "Ben",
                "family_name": "Hale",
                "category": "child",
                "gender": "male",
                "date_of_birth": "2018",
            },
            {
                "id": "p1",
                "given_name": "Kelly",
                "family_name": "Hale",
                "category": "parent_carer",
                "gender": "female",
                "date_of_birth": "1988-01-14",
            },
            {
                "id": "p2",
                "given_name": "Lee",
                "family_name": "Hale",
                "category": "parent_carer",
                "gender": "male",
                "date_of_birth": "1985-06-11",
            },
            {
                "id": "g1",
                "given_name": "Maureen",
                "family_name": "Hale",
                "known_as": "Nan",
                "category": "significant_adult",
                "gender": "prefer_not_to_say",
                "date_of_birth": "1950",
                "life_status": "deceased",
                "date_of_death": "2021-05",
            },
            {
                "id": "u1",
                "given_name": "Baby",
                "category": "unborn",
                "life_status": "pregnancy",
                "expected_date_of_delivery": "2026-09-01",
            },
        ],
        relationships=[
            rel("r1", "parent", "p1", "c1", parent_type="birth"),
            rel("r2", "parent", "p2", "c1", parent_type="birth"),
            rel("r3", "parent", "p1", "c2", parent_type="birth"),
            rel("r4", "parent", "p2", "c2", parent_type="adoptive"),
            rel(
                "r5",
                "partners",
                "p1",
                "p2",
                partnership_status="divorced",
                start="2012",
                end="2020",
            ),
            rel("r6", "parent", "g1", "p2", parent_type="birth"),
            rel("r7", "other", "g1", "c1", description="Godmother"),
            rel("r8", "parent", "p1", "u1", parent_type="birth"),
        ],
        households=[
            {"id": "h1", "name": "Mum's home", "members": ["p1", "c1", "c2"]},
            {"id": "h2", "name": "Dad's flat in Leeds", "members": ["p2"], "confidential": "yes"},
        ],
    )
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    return result.case


def test_from_case_reads_people_links_and_homes(case: Case) -> None:
    g = from_case(case, today=TODAY)
    nan = g.by_id["g1"]
    assert (nan.name, nan.gender, nan.deceased, nan.death_year, nan.age) == (
        "Maureen Hale (“Nan”)",
        "other",
        True,
        2021,
        71,
    )
    assert nan.age_approximate  # born "1950": the age could be one out
    assert g.by_id["c1"].is_index and g.by_id["c1"].age == 10
    assert g.by_id["u1"].status == "pregnancy" and g.by_id["u1"].due == dt.date(2026, 9, 1)
    assert [(p.a, p.b, p.status) for p in g.partnerships] == [("p1", "p2", "divorced")]
    assert ("p2", "c2", "adoptive") in [(x.parent, x.child, x.kind) for x in g.child_links]
    assert [h.name for h in g.households] == ["Mum's home", "Dad's flat in Leeds"]
    assert [o.description for o in g.others] == ["Godmother"]


def test_hide_leaves_out_people_and_everything_about_them(case: Case) -> None:
    g = from_case(case, hide={"p2"}, today=TODAY)
    assert "p2" not in g.by_id
    assert all("p2" not in (x.parent, x.child) for x in g.child_links)
    assert not g.partnerships
    assert [h.members for h in g.households] == [("p1", "c1", "c2")]  # an empty home goes


def test_a_family_copy_does_not_name_a_confidential_home(case: Case) -> None:
    names = [h.name for h in from_case(case, family=True, today=TODAY).households]
    assert names == ["Mum's home", "Household 2"]


def test_genogram_svg_for_a_case(case: Case) -> None:
    svg = genogram_svg(case, today=TODAY)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.findtext(f"{SVG}title")
    assert "6 people in 2 households" in (root.findtext(f"{SVG}desc") or "")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Sam Morgan" not in texts and "Ava Hale" in texts
    # who has died: the age in the label, not in the middle of the cross
    assert "~71" not in texts and any(t and t.endswith(", aged about 71") for t in texts)
    assert svg == genogram_svg(case, today=TODAY)
    g = from_case(case, today=TODAY)
    assert problems(g, layout(g)) == []


def test_genogram_table_rows(case: Case) -> None:
    rows = {r["id"]: r for r in genogram_table(case, today=TODAY)}
    assert list(rows)[0] == "g1"  # oldest generation first
    assert rows["p1"]["relationships"] == (
        "Mother of Ava Hale, Ben Hale and Baby; divorced from Lee Hale (2012–2020)"
    )
    assert rows["p2"]["relationships"] == (
        "Father of Ava Hale; adoptive father of Ben Hale; son of Maureen Hale (“Nan”); "
        "divorced from Kelly Hale (2012–2020)"
    )
    assert rows["c1"]["relationships"] == (
        "Daughter of Lee Hale and Kelly Hale; half-sister of Ben Hale and Baby; "
        "godmother (with Maureen Hale (“Nan”))"
    )
    assert rows["c2"]["relationships"].startswith("Son of Kelly Hale; adopted son of Lee Hale")
    assert rows["g1"]["status"] == "Died in 2021"
    assert rows["g1"]["age"] == "about 71"
    assert rows["u1"]["born"] == "Due 1 September 2026"
    assert rows["c1"]["lives_in"] == "Mum's home"


def test_an_empty_case_gives_an_empty_diagram_and_table(formset: FormSet) -> None:
    raw = {"format": "ehdocs-case", "format_version": 1, "reference": "T-0001"}
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    assert genogram_table(result.case) == []
    root = ET.fromstring(genogram_svg(result.case))
    assert "No people" in (root.findtext(f"{SVG}desc") or "")

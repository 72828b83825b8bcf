"""What the code reads is declared in the definitions, and a profile cannot take it away.

Issue #10, bug 2: a profile's own contact field reached the family copy of a protected person,
and a profile renaming the person categories passed `schema check` while breaking every rule
about children and adults.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

import pytest

from ehdocs.cli import main
from ehdocs.errors import SchemaError
from ehdocs.render.audience import for_audience
from ehdocs.schema import FormSet, load_formset, roles
from ehdocs.validation import validate_case
from tests.factories import make_case

NOTIFICATION = Path(__file__).resolve().parents[2] / "form_schemas" / "notification.yaml"


def write_profile(tmp_path: Path, body: str, name: str = "council") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "profile.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


def schema_check(folder: Path) -> tuple[int, list[str]]:
    """(exit code, the messages) of `ehdocs schema check FOLDER`, run from its parent."""
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(folder.parent),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(["schema", "check", folder.name])
    return code, [line.removeprefix("ehdocs: ") for line in err.getvalue().splitlines()]


# -- the base schemas declare every role the code reads --------------------------------------


def test_each_milestone_is_one_event_of_the_base_schemas(formset: FormSet) -> None:
    found = {role: formset.event_by_role(role) for role in roles.EVENT_ROLES}

    assert {role: (f.form, e.id) for role, (f, e) in found.items()} == {
        "received": ("notification", "received"),
        "hub_decision": ("notification", "hub_decision"),
        "assessment_completed": ("assessment", "completed"),
        "plan_agreed": ("plan", "agreed"),
        "review_held": ("review", "held"),
        "closed": ("closure", "closed"),
    }


def test_the_hub_section_and_its_decision_are_found_by_role(formset: FormSet) -> None:
    hub = formset.hub_section()

    assert hub is not None
    form, section = hub
    assert (form.form, section.id) == ("notification", "hub")
    decision = section.field_used_as(roles.DECISION)
    assert decision is not None and decision.path == "hub.decision"


def test_person_categories_are_read_by_role(formset: FormSet) -> None:
    assert formset.children_categories() == ("child", "unborn")
    assert formset.adult_categories() == ("parent_carer", "significant_adult")


def test_the_contact_fields_are_marked_in_case_yaml(formset: FormSet) -> None:
    assert formset.records["person"].contact_fields() == {"address", "postcode", "phone", "email"}
    assert formset.records["household"].contact_fields() == {"address", "postcode"}


# -- a profile's own contact field stays out of a protected person's family copy -------------

HOME_ADDRESS = """\
name: Contact Council
records:
  person:
    add_fields:
      - field: {id: home_address, type: long_text, label: Home address, contact: true}
"""


def test_a_contact_field_added_by_a_profile_is_left_out_of_a_family_copy(tmp_path):
    formset = load_formset(write_profile(tmp_path, HOME_ADDRESS))
    raw = make_case()
    raw["people"][1]["home_address"] = "1 Refuge Lane, Sometown"
    raw["people"][1]["contact_details_confidential"] = "yes"
    raw["people"][0]["home_address"] = "2 Family Road, Sometown"
    result = validate_case(raw, formset)
    assert result.problems == []
    assert result.case is not None

    family = for_audience(result.case, "family").people
    professional = for_audience(result.case, "professional").people

    assert "home_address" not in family[1]
    assert family[0]["home_address"] == "2 Family Road, Sometown"  # not protected
    assert professional[1]["home_address"] == "1 Refuge Lane, Sometown"


# -- a profile that takes away what the code reads is refused ---------------------------------

RENAMED_CATEGORIES = """\
name: Renaming Council
lists:
  person_categories:
    - {value: young_person, label: Child or young person}
    - {value: parent, label: Parent or carer, role: parent_carer}
"""


def test_a_profile_renaming_the_person_categories_fails_the_schema_check(tmp_path):
    code, lines = schema_check(write_profile(tmp_path, RENAMED_CATEGORIES))

    assert code == 3
    assert lines == [
        "council/profile.yaml:4:1: person category 'young_person' needs a 'role' (one of: "
        "child, unborn, parent_carer, significant_adult): ehdocs tells children from adults by it",
        "council/profile.yaml:4:1: no person category has 'role: child': ehdocs needs one for "
        "its rules about children and adults",
        "council/profile.yaml:4:1: no person category has 'role: unborn': ehdocs needs one for "
        "its rules about children and adults",
        "council/profile.yaml:4:1: no person category has 'role: significant_adult': ehdocs "
        "needs one for its rules about children and adults",
    ]


RENAMED_WITH_ROLES = """\
name: Renaming Council
lists:
  person_categories:
    - {value: young_person, label: Child or young person, role: child}
    - {value: expected, label: Unborn baby, role: unborn}
    - {value: parent, label: Parent, role: parent_carer}
    - {value: carer, label: Carer, role: parent_carer}
    - {value: other_adult, label: Other adult, role: significant_adult}
"""


def test_categories_renamed_with_their_roles_keep_the_child_and_adult_rules(tmp_path):
    formset = load_formset(write_profile(tmp_path, RENAMED_WITH_ROLES))
    raw = make_case()
    raw["people"][0]["category"] = "young_person"
    raw["people"][1]["category"] = "carer"

    assert formset.adult_categories() == ("parent", "carer", "other_adult")
    assert validate_case(raw, formset).problems == []
    raw["people"][0]["category"] = "other_adult"  # the index person must be a child
    assert [(p.path, p.message) for p in validate_case(raw, formset).problems][0] == (
        "index_person",
        "The child the work is about must be a child or an unborn baby",
    )


def test_a_profile_removing_the_hub_decision_fails_the_schema_check(tmp_path):
    folder = write_profile(
        tmp_path,
        """\
        name: Removing Council
        documents:
          notification:
            remove_fields: [hub.decision, hub.team_allocated]
        """,
    )

    code, lines = schema_check(folder)

    assert code == 3
    assert (
        "council/profile.yaml:1:1: no field is declared with 'used_as: decision' any more: "
        "ehdocs reads it, so keep it (relabel it instead of removing it)"
    ) in lines


def test_a_second_hub_decision_added_by_a_profile_fails_the_schema_check(tmp_path):
    folder = write_profile(
        tmp_path,
        """\
        name: Twice Council
        documents:
          notification:
            add_fields:
              - section: referrer
                field: {id: verdict, type: choice, label: Verdict, options: hub_decisions,
                        used_as: decision}
        """,
    )

    code, lines = schema_check(folder)

    assert code == 3
    assert len(lines) == 2
    decision = next(  # the line of the hub decision's field in the notification
        n
        for n, line in enumerate(NOTIFICATION.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip().startswith("used_as: decision")
    )
    assert lines[0].endswith(
        f"form_schemas/notification.yaml:{decision - 2}:1: the field role 'decision' is also "
        "declared at council/profile.yaml:6: ehdocs reads one"
    )
    assert lines[1] == (
        "council/profile.yaml:6:1: a field used as 'decision' must be in the section with "
        "'role: hub' (it is in 'notification.referrer')"
    )


def test_a_profile_renaming_a_value_the_genogram_draws_by_fails_the_schema_check(tmp_path):
    folder = write_profile(
        tmp_path,
        """\
        name: Genders Council
        lists:
          genders:
            - {value: f, label: Female}
            - {value: m, label: Male}
        """,
    )

    code, lines = schema_check(folder)

    assert code == 3
    assert lines == [
        "council/profile.yaml:4:1: the options of 'person.gender' must keep the value "
        "'female': ehdocs reads it (relabel it instead of renaming it)",
        "council/profile.yaml:4:1: the options of 'person.gender' must keep the value "
        "'male': ehdocs reads it (relabel it instead of renaming it)",
    ]


def test_a_role_declared_twice_in_the_base_schemas_is_an_error(copied_schemas):
    plan = copied_schemas / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("role: plan_agreed", "role: received"),
        encoding="utf-8",
    )

    with pytest.raises(SchemaError) as caught:
        load_formset(None, copied_schemas)

    messages = [p.message for p in caught.value.problems]
    assert any(m.startswith("the event role 'received' is also declared at ") for m in messages)


def test_an_unknown_role_is_an_error(copied_schemas):
    plan = copied_schemas / "plan.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("role: plan_agreed", "role: plan_signed"),
        encoding="utf-8",
    )

    with pytest.raises(SchemaError) as caught:
        load_formset(None, copied_schemas)

    assert [p.message for p in caught.value.problems][0].startswith(
        "'role' must be one of: received, hub_decision,"
    )

"""Council profiles laid over the base schemas: titles, added fields, overrides, mistakes."""

from __future__ import annotations

from ehdocs.case.jsonschema import case_json_schema
from ehdocs.validation import validate_case
from tests.factories import make_case, make_council_case


def problems(case, formset):
    return [(p.document, p.path, p.message) for p in validate_case(case, formset).problems]


# -- the example council -------------------------------------------------------------------


def test_forms_lists_the_councils_own_document_titles(run_cli):
    result = run_cli("forms", "--profile", "example-council")

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Documents for Example Borough Council:"
    assert lines[1].startswith("  notification   v1  Request for Support  (10 sections,")
    assert lines[2].startswith("  assessment     v2  Family Help Assessment  (")
    assert lines[2].endswith(", signs of safety layout)")
    assert lines[5].startswith("  closure        v1  Family Help Closure Summary  (")


def test_the_profile_can_come_from_the_environment(run_cli, monkeypatch):
    monkeypatch.setenv("EHDOCS_PROFILE", "example-council")

    result = run_cli("forms")

    assert "Request for Support" in result.out
    assert "Early Help Notification" not in result.out


def test_without_a_profile_forms_shows_the_base_titles(run_cli):
    result = run_cli("forms")

    assert result.out.splitlines()[0] == "Documents for Default council:"
    assert "  notification   v1  Early Help Notification  (" in result.out
    assert "Request for Support" not in result.out


def test_the_added_team_field_is_required_in_a_completed_notification(council_formset):
    assert problems(make_case(), council_formset) == [
        ("notification n1", "referrer.team", "Enter team or service")
    ]
    assert problems(make_council_case(), council_formset) == []


def test_the_added_team_field_is_not_required_in_a_draft(council_formset):
    case = make_case()
    case["documents"][0]["status"] = "draft"

    assert problems(case, council_formset) == []


def test_the_added_field_sits_after_the_field_it_names(council_formset):
    referrer = council_formset.form("notification").section("referrer")

    assert [f.id for f in referrer.fields] == [
        "name",
        "role",
        "agency",
        "team",
        "agency_type",
        "phone",
        "email",
        "date",
    ]


def test_the_added_field_is_unknown_to_the_base_schemas(formset):
    assert problems(make_council_case(), formset) == [
        (
            "notification n1",
            "referrer.team",
            "'team' is not a known field here: check the spelling, or remove it",
        )
    ]


def test_a_case_is_checked_with_the_profile_it_names(run_cli, write_case):
    result = run_cli("validate", write_case(make_case(profile="example-council")))

    assert result.code == 1
    assert "Request for Support, About you, Team or service: Enter team or service" in result.out


def test_overrides_change_labels_and_section_titles(council_formset, formset):
    notification = council_formset.form("notification")

    assert notification.field_at("referrer.name").label == "Your full name"
    assert notification.section("hub").title == "Family Help Front Door use only"
    assert formset.form("notification").field_at("referrer.name").label == "Your name"


def test_an_override_reaches_the_json_schema(council_formset):
    schema = case_json_schema(council_formset)
    referrer = schema["$defs"]["document_notification"]["properties"]["data"]["properties"][
        "referrer"
    ]

    assert referrer["properties"]["name"]["title"] == "Your full name"
    assert referrer["properties"]["team"]["title"] == "Team or service"


def test_a_relabelled_field_keeps_its_error_name(council_formset):
    case = make_council_case()
    del case["documents"][0]["data"]["referrer"]["name"]

    assert problems(case, council_formset) == [
        ("notification n1", "referrer.name", "Enter your name")
    ]


def test_the_profile_replaces_a_list_and_its_timescales(council_formset):
    labels = [o.label for o in council_formset.lists["levels_of_need"]]
    timescales = council_formset.profile.timescales

    assert labels == [
        "Universal",
        "Targeted Family Help",
        "Intensive Family Help",
        "Child protection",
    ]
    assert timescales["review_interval_weeks"] == 12
    assert timescales["max_involvement_months"] == 9
    assert timescales["hub_decision_hours"] == 48  # not set by the council: the default


# -- a council's own profile --------------------------------------------------------------


def test_remove_fields_takes_a_field_out(test_council_formset):
    case = make_case()
    case["documents"][0]["data"]["reason"]["support_tried"] = "Parenting course"

    assert test_council_formset.form("notification").field_at("reason.support_tried") is None
    assert problems(case, test_council_formset) == [
        (
            "notification n1",
            "reason.support_tried",
            "'support_tried' is not a known field here: check the spelling, or remove it",
        )
    ]


def test_a_record_field_added_by_a_profile_is_validated(test_council_formset):
    case = make_case()
    case["people"][0]["pronouns"] = "he/him/his"

    assert problems(case, test_council_formset) == [
        (
            None,
            "people[0].pronouns",
            "Pronouns must be 5 characters or fewer: it is 5 characters too long",
        )
    ]


# -- mistakes in a profile (all in one profile, checked once) ------------------------------


def test_a_broken_profile_fails_its_check_with_exit_3(broken_profile_check):
    code, out, _ = broken_profile_check

    assert code == 3
    assert out == ""


def test_an_override_naming_a_missing_path_is_an_error_at_its_line(broken_profile_check):
    _, _, lines = broken_profile_check

    assert (
        "broken-council/profile.yaml:9:7: override: 'referrer.nmae' is not a field or section "
        "of 'notification' (did you mean 'referrer.name'?)"
    ) in lines


def test_a_variant_the_document_does_not_have_is_an_error(broken_profile_check):
    _, _, lines = broken_profile_check

    assert (
        "broken-council/profile.yaml:5:15: form 'assessment' has no variant "
        "'signs_of_wellbeing' (expected one of: framework, signs_of_safety)"
    ) in lines


def test_an_unknown_timescale_is_an_error_with_a_suggestion(broken_profile_check):
    _, _, lines = broken_profile_check
    prefix = (
        "broken-council/profile.yaml:3:3: unknown timescale 'review_interval_weks' "
        "(did you mean 'review_interval_weeks'?) (expected one of: hub_decision_hours,"
    )

    assert len([line for line in lines if line.startswith(prefix)]) == 1


def test_a_mistake_in_an_added_field_is_reported_once(broken_profile_check):
    _, _, lines = broken_profile_check

    assert (
        lines.count(
            "broken-council/profile.yaml:18:9: unknown key 'sectoin' in an added field "
            "(did you mean 'section'?) (expected one of: section, after, field)"
        )
        == 1
    )


def test_an_added_document_field_without_a_section_is_an_error(broken_profile_check):
    _, _, lines = broken_profile_check

    assert [line for line in lines if line.startswith("broken-council/profile.yaml:20:")] != []


def test_a_record_override_naming_a_missing_field_is_an_error(broken_profile_check):
    _, _, lines = broken_profile_check

    assert [line for line in lines if "person.given_nmae" in line] != []

"""validate_case: lenient drafts, strict completion, one GOV.UK-style message per path."""

from __future__ import annotations

import datetime as dt

import pytest

from ehdocs.case.model import Case
from ehdocs.validation import validate_case
from tests.factories import make_case, make_document


def found(case, formset, **kwargs):
    return [
        (p.document, p.path, p.message) for p in validate_case(case, formset, **kwargs).problems
    ]


def notification(case):
    return case["documents"][0]


def referrer(case):
    return notification(case)["data"]["referrer"]


def test_the_factory_case_is_valid_and_becomes_a_case(formset):
    result = validate_case(make_case(), formset, complete=True)

    assert result.problems == []
    assert result.ok
    assert isinstance(result.case, Case)
    assert result.case.reference == "EH-2026-0001"
    assert result.case.documents[0].answer("referrer.date") == dt.date(2025, 3, 3)


def test_a_case_with_problems_is_not_made(formset):
    case = make_case()
    referrer(case)["date"] = "2026-02-30"

    result = validate_case(case, formset)

    assert result.case is None
    assert not result.ok


# -- drafts and completion -----------------------------------------------------------------


@pytest.fixture
def draft():
    case = make_case()
    notification(case)["status"] = "draft"
    notification(case)["data"] = {"referrer": {"name": "Ada Okafor"}}
    return case


def test_a_draft_may_leave_required_fields_empty(formset, draft):
    assert found(draft, formset) == []


def test_a_draft_still_refuses_a_value_of_the_wrong_type(formset, draft):
    referrer(draft)["date"] = "last Tuesday"
    referrer(draft)["name"] = 42

    assert found(draft, formset) == [
        ("notification n1", "referrer.date", "The date of the request must be a real date"),
        ("notification n1", "referrer.name", "Your name must be text"),
    ]


def test_a_draft_is_held_to_upper_limits_only(formset, draft):
    # Too long is refused at every save (nothing over a limit is stored, issue 11); what is
    # missing is only asked for at Complete.
    referrer(draft)["name"] = "x" * 101

    assert found(draft, formset) == [
        (
            "notification n1",
            "referrer.name",
            "Your name must be 100 characters or fewer: it is 1 character too long",
        )
    ]


def test_complete_true_checks_a_draft_fully(formset, draft):
    problems = found(draft, formset, complete=True)

    assert ("notification n1", "referrer.date", "Enter the date of the request") in problems
    assert (
        "notification n1",
        "safety.significant_harm",
        "Select yes if you think any child is at risk of significant harm",
    ) in problems
    assert ("notification n1", "children.children", "Add at least one child") in problems
    assert ("notification n1", "referrer.name", "Enter your name") not in problems


def test_complete_can_name_one_document(formset, draft):
    assert found(draft, formset, complete=["n1"]) == found(draft, formset, complete=True)
    assert found(draft, formset, complete=["notification"]) == found(draft, formset, complete=True)
    assert found(draft, formset, complete=["other"]) == []


def test_a_completed_document_is_held_to_limits(formset):
    case = make_case()
    referrer(case)["name"] = "x" * 101

    assert found(case, formset) == [
        (
            "notification n1",
            "referrer.name",
            "Your name must be 100 characters or fewer: it is 1 character too long",
        )
    ]


def test_the_hub_section_is_checked_once_the_hub_has_answered_any_of_it(formset):
    case = make_case()
    notification(case)["data"]["hub"] = {"decision": "signpost"}

    assert found(case, formset) == [
        ("notification n1", "hub.checks_made", "Enter the checks made"),
        ("notification n1", "hub.decision_date", "Enter the date of the decision"),
        (
            "notification n1",
            "hub.known_to_social_care",
            "Select yes if the family is known to children's social care now or in the past, no "
            "if it is not, or not known",
        ),
    ]


def test_significant_harm_yes_stops_the_notification_instead_of_asking_for_consent(formset):
    # yes to significant harm is not an early help request: completing it is refused with
    # what to do now (the notification's `stops`), and consent is not what is missing
    case = make_case()
    data = notification(case)["data"]
    data["safety"]["significant_harm"] = "yes"
    data["consent"] = {"obtained": "no"}

    (problem,) = found(case, formset)
    assert problem[:2] == ("notification n1", "safety.significant_harm")
    assert problem[2].startswith("Stop. Call children's social care now.")


# -- messages ------------------------------------------------------------------------------


def test_a_missing_date_starts_with_enter(formset):
    case = make_case()
    del referrer(case)["date"]

    ((_, path, message),) = found(case, formset)

    assert path == "referrer.date"
    assert message == "Enter the date of the request"


def test_a_wrong_format_value_gets_one_message_not_also_enter(formset):
    case = make_case()
    referrer(case)["date"] = "02/03/2025"

    assert found(case, formset) == [
        ("notification n1", "referrer.date", "The date of the request must be a real date")
    ]


def test_a_rule_and_a_required_field_on_one_path_give_one_message(formset):
    case = make_case()
    notification(case)["data"]["consent"] = {}

    assert found(case, formset) == [
        (
            "notification n1",
            "consent.obtained",
            "Select yes if the family has given consent for this request",
        )
    ]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (
            {"day": "30", "month": "2", "year": "2026"},
            "The date of the request must be a real date",
        ),
        ({"day": "30", "year": "2026"}, "The date of the request must include a month"),
        ({"year": "2025"}, "The date of the request must include a day and month"),
        ({"day": "3", "month": "3", "year": "25"}, "Year must include 4 numbers"),
        (
            {"day": "3", "month": "March", "year": "2025"},
            "The date of the request must be a real date",
        ),
    ],
)
def test_day_month_year_boxes_get_govuk_messages(formset, parts, message):
    case = make_case()
    referrer(case)["date"] = parts

    assert found(case, formset) == [("notification n1", "referrer.date", message)]


def test_day_month_year_boxes_make_a_date(formset):
    case = make_case()
    referrer(case)["date"] = {"day": "3", "month": "3", "year": "2025"}

    result = validate_case(case, formset)

    assert result.problems == []
    assert result.case.documents[0].answer("referrer.date") == dt.date(2025, 3, 3)


def test_a_day_of_zero_is_not_a_real_date(formset):
    case = make_case()
    referrer(case)["date"] = {"day": 0, "month": 2, "year": 2026}

    assert found(case, formset) == [
        ("notification n1", "referrer.date", "The date of the request must be a real date")
    ]


def test_an_iso_week_date_is_not_a_date(formset):
    case = make_case()
    referrer(case)["date"] = "2025-W10-1"

    assert found(case, formset) == [
        ("notification n1", "referrer.date", "The date of the request must be a real date")
    ]


# -- rules between records and documents ---------------------------------------------------


def test_a_person_field_must_name_someone_in_the_case(formset):
    case = make_case()
    notification(case)["data"]["consent"]["given_by"] = "p9"

    assert found(case, formset) == [
        (
            "notification n1",
            "consent.given_by",
            "There is no person with the id 'p9': add them to the family network first",
        )
    ]


def test_a_child_field_refuses_an_adult(formset):
    case = make_case()
    notification(case)["data"]["children"]["children"][0]["child"] = "p1"

    assert found(case, formset) == [
        (
            "notification n1",
            "children.children[0].child",
            "Child or young person must be a child: Kerry Morgan is not recorded as a child",
        )
    ]


def test_a_professional_field_must_name_a_professional_in_the_case(formset):
    case = make_case()
    notification(case)["data"]["agencies"]["lead_professional"] = "w9"

    assert found(case, formset) == [
        (
            "notification n1",
            "agencies.lead_professional",
            "There is no professional with the id 'w9': add them to the case's professionals first",
        )
    ]


def test_ids_must_be_unique(formset):
    case = make_case()
    case["people"].append({"id": "c1", "given_name": "Alex", "category": "child"})

    assert found(case, formset) == [
        (None, "people[2].id", "The id 'c1' is used twice in people: ids must be unique")
    ]


def test_a_relationship_needs_two_people(formset):
    case = make_case()
    case["relationships"][0]["person_b"] = "p1"

    assert found(case, formset) == [
        (None, "relationships[0].person_b", "A relationship needs two different people")
    ]


def test_a_closure_may_follow_a_withdrawal_of_consent(formset):
    case = make_case()
    case["consents"][0].update(withdrawn="yes", withdrawn_date="2025-04-01")
    case["documents"].append(
        make_document(
            "closure", {"closure": {"date_of_closure": "2025-04-10"}}, doc_id="x1", status="draft"
        )
    )

    assert found(case, formset) == []


def test_a_newer_consent_lifts_a_withdrawal(formset):
    case = make_case()
    case["consents"][0].update(withdrawn="yes", withdrawn_date="2025-04-01")
    case["consents"].append({**case["consents"][0], "id": "k2", "date": "2025-04-05"})
    del case["consents"][1]["withdrawn"], case["consents"][1]["withdrawn_date"]
    case["documents"].append(
        make_document(
            "plan", {"header": {"date_agreed": "2025-04-10"}}, doc_id="p1", status="draft"
        )
    )

    assert found(case, formset) == []


def test_a_withdrawn_consent_needs_its_date(formset):
    case = make_case()
    case["consents"][0]["withdrawn"] = "yes"

    assert found(case, formset) == [
        (None, "consents[0].withdrawn_date", "Enter the date consent was withdrawn")
    ]


def test_an_unknown_document_form_is_named(formset):
    case = make_case()
    notification(case)["form"] = "notifcation"

    assert found(case, formset) == [
        (
            "notifcation n1",
            "form",
            "There is no document called 'notifcation'. The documents are: notification, "
            "assessment, plan, review, closure",
        )
    ]


def test_a_document_made_with_a_newer_form_version_is_refused(formset):
    case = make_case()
    notification(case)["form_version"] = 2

    assert found(case, formset) == [
        (
            "notification n1",
            "form_version",
            "This Early Help Notification was made with version 2 of the form, newer than this "
            "ehdocs knows (version 1): update ehdocs",
        )
    ]


def test_a_field_error_does_not_hide_a_reference_problem_in_the_same_document(formset):
    case = make_case()
    data = notification(case)["data"]
    data["referrer"]["phone"] = "call me"
    data["consent"]["given_by"] = "p9"

    assert [path for _, path, _ in found(case, formset)] == [
        "consent.given_by",
        "referrer.phone",
    ]

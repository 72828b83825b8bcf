"""Filling in forms as a person does, on SQLite and on PostgreSQL: a new case, its people, a
notification page by page, mistakes, drafts, "add another", conflicts, check and complete."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from tests.factories import make_case
from tests.web.accounts import hub_client

if TYPE_CHECKING:
    from tests.web.conftest import Page, QualityClient

Parse = Callable[[TestResponse], "Page"]
CONFLICT = "Someone else saved these answers after you opened this page"


def location(response: TestResponse) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def create_case(client: QualityClient, family_name: str = "Okonjo") -> int:
    where = location(client.submit("/cases/new", {"family_name": family_name}))
    return int(where.rsplit("/", 1)[1])


def add_person(client: QualityClient, case_id: int, **fields: str) -> None:
    changes = {f"person-{key}": value for key, value in fields.items()}
    where = location(client.submit(f"/cases/{case_id}/records/person/new", changes))
    assert where.endswith(f"/cases/{case_id}/records/person")


def start_notification(client: QualityClient, case_id: int) -> str:
    """Press "Early Help Notification" on the overview; returns the document's base URL."""
    new = f"/cases/{case_id}/documents/new/notification"
    where = location(client.submit(f"/cases/{case_id}", form_action=new))
    assert where.endswith("/sections/safety")
    return where.rsplit("/sections/", 1)[0]


TAYO = {
    "given_name": "Tayo",
    "family_name": "Okonjo",
    "category": "child",
    "date_of_birth": "2016-04-03",
}
FUNMI = {"given_name": "Funmi", "family_name": "Okonjo", "category": "parent_carer"}


@pytest.fixture
def family(client: QualityClient, app: Flask) -> tuple[int, str]:
    """A child and a parent (as test_add_a_child_and_a_parent makes them through the pages,
    here straight into the store) and a notification just started from the overview."""
    new = client.page("/cases/new").value("reference")
    raw = {
        "format": "ehdocs-case",
        "format_version": 1,
        "reference": new,
        "family_name": "Okonjo",
        "people": [{"id": "p1", **TAYO}, {"id": "p2", **FUNMI}],
    }
    case_id = get_storage(app).cases.create(raw).id
    return case_id, start_notification(client, case_id)


def raw_doc(app: Flask, case_id: int, doc_id: str = "no1") -> dict[str, Any]:
    stored = get_storage(app).cases.get(case_id)
    return next(d for d in stored.raw["documents"] if d["id"] == doc_id)


# -- a case and its people ------------------------------------------------------------------


def test_create_a_case(client: QualityClient, app: Flask) -> None:
    new = client.page("/cases/new")
    reference = new.value("reference")
    response = client.submit("/cases/new", {"family_name": "Okonjo"}, page=new)
    case_id = int(location(response).rsplit("/", 1)[1])
    overview = client.page(location(response))
    assert overview.h1 == "The Okonjo family"
    assert any("Case created" in b for b in overview.banners)
    stored = get_storage(app).cases.get(case_id)
    assert stored.reference == reference
    assert stored.raw["family_name"] == "Okonjo"
    assert client.page("/cases/").all("a", href=f"/cases/{case_id}")


def test_a_taken_reference_is_refused(client: QualityClient, parse: Parse, app: Flask) -> None:
    create_case(client)
    taken = get_storage(app).cases.list()[0].reference
    response = client.submit("/cases/new", {"reference": taken})
    assert response.status_code == 200
    page = parse(response)
    assert page.title.startswith("Error: ")
    assert page.error_summary == [("There is already a case with this reference", "#reference")]
    assert len(get_storage(app).cases.list()) == 1


def test_add_a_child_and_a_parent(client: QualityClient, app: Flask) -> None:
    case_id = create_case(client)
    add_person(
        client,
        case_id,
        given_name="Tayo",
        family_name="Okonjo",
        category="child",
        **{"date_of_birth-day": "3", "date_of_birth-month": "4", "date_of_birth-year": "2016"},
    )
    add_person(client, case_id, given_name="Funmi", family_name="Okonjo", category="parent_carer")
    people = get_storage(app).cases.get(case_id).raw["people"]
    assert [p["id"] for p in people] == ["p1", "p2"]
    assert {k: v for k, v in people[0].items() if k != "id" and v is not None} == TAYO
    assert {k: v for k, v in people[1].items() if k != "id" and v is not None} == FUNMI
    listing = client.page(f"/cases/{case_id}/records/person")
    assert "Tayo" in listing.text and "Funmi" in listing.text
    assert any("Person saved." in b for b in listing.banners)


def test_a_person_without_a_first_name_is_not_saved(
    client: QualityClient, parse: Parse, app: Flask
) -> None:
    case_id = create_case(client)
    response = client.submit(
        f"/cases/{case_id}/records/person/new",
        {"person-family_name": "Okonjo", "person-category": "child"},
    )
    assert response.status_code == 200
    page = parse(response)
    assert ("Enter the first name", "#person-given_name") in page.error_summary
    assert page.value("person-family_name") == "Okonjo"  # what was typed stays
    assert get_storage(app).cases.get(case_id).raw.get("people", []) == []


# -- a notification, page by page -------------------------------------------------------------


def test_start_a_notification(client: QualityClient, app: Flask, family: tuple[int, str]) -> None:
    case_id, doc = family
    page = client.page(f"{doc}/sections/safety")
    assert page.h1 == "Safety check"
    assert raw_doc(app, case_id)["status"] == "draft"
    assert "Not yet started" in client.page(f"/cases/{case_id}").text  # opened, nothing saved


def test_a_wrong_date_keeps_what_was_typed_until_fixed(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    url = f"{doc}/sections/referrer"
    typed = {
        "referrer-name": "Ann Bee",
        "referrer-date-day": "31",
        "referrer-date-month": "2",
        "referrer-date-year": "2025",
    }
    response = client.submit(url, typed, action="continue")
    assert response.status_code == 200
    page = parse(response)
    assert page.title.startswith("Error: ")
    message = "The date of the request must be a real date"
    assert page.error_summary == [(message, "#referrer-date-day")]
    assert message in _text_of(page, "referrer-date")  # the field's own error message
    assert page.value("referrer-date-day") == "31"
    assert "referrer" not in raw_doc(app, case_id)["data"]  # nothing half-saved

    # the page draft keeps it: coming back shows what was typed, and the mistake
    again = client.page(url)
    assert again.value("referrer-name") == "Ann Bee"
    assert again.value("referrer-date-day") == "31"
    assert again.error_summary == [(message, "#referrer-date-day")]
    assert location(client.get(f"{doc}/continue")).endswith("/sections/referrer")  # resume here

    fixed = client.submit(url, {"referrer-date-day": "28"}, action="continue", page=again)
    assert location(fixed).endswith(f"{doc}/sections/children")
    assert raw_doc(app, case_id)["data"]["referrer"] == {"name": "Ann Bee", "date": "2025-02-28"}
    shown = client.page(url)
    assert shown.value("referrer-date-day") == "28"
    assert shown.error_summary == []


def test_save_and_come_back_later(
    client: QualityClient, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    response = client.submit(
        f"{doc}/sections/referrer", {"referrer-role": "School nurse"}, action="later"
    )
    assert location(response).endswith(f"/cases/{case_id}")
    overview = client.page(location(response))
    [banner] = overview.banners
    assert "Your answers to ‘About you’ are saved" in banner
    assert "govuk-notification-banner--success" in (
        overview.one("div", "govuk-notification-banner").get("class") or ""
    )
    assert raw_doc(app, case_id)["data"]["referrer"]["role"] == "School nurse"


def test_continue_goes_through_every_section_to_the_check_page(
    client: QualityClient, family: tuple[int, str]
) -> None:
    _, doc = family
    url = f"{doc}/sections/safety"
    seen = []
    lists = {  # the lists that must have a row (said at save): one row each, nothing else
        "children": {"children-children-rows": "1", "children-children-0-child": "p1"},
        "parents_carers": {
            "parents_carers-parents_carers-rows": "1",
            "parents_carers-parents_carers-0-person": "p2",
        },
    }
    while "/sections/" in url:
        seen.append(url.rsplit("/", 1)[1])
        url = location(client.submit(url, lists.get(seen[-1]), action="continue"))
    assert url.endswith(f"{doc}/check")
    assert seen[:3] == ["safety", "consent", "referrer"]
    assert seen[-1] == "hub"


def test_add_another_row_and_remove_a_row(
    client: QualityClient, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    url = f"{doc}/sections/children"
    page = client.page(url)
    assert page.value("children-children-rows") == "0"
    assert "added yet." in page.text

    response = client.submit(url, action="add:children-children", page=page)
    assert location(response).endswith(f"{url}#children-children")
    page = client.page(url)
    assert page.value("children-children-rows") == "1"
    assert page.by_id("children-children-0-child") is not None

    # typing into the first row, then adding a second, keeps what was typed
    first = {"children-children-0-child": "p1", "children-children-0-reason_included": "School"}
    client.submit(url, first, action="add:children-children", page=page)
    page = client.page(url)
    assert page.value("children-children-rows") == "2"
    assert page.value("children-children-0-child") == "p1"
    assert page.value("children-children-1-child") is None
    rows = raw_doc(app, case_id)["data"]["children"]["children"]
    assert rows == [{"child": "p1", "reason_included": "School"}, {}]

    # remove the first: the second (empty) row is left
    response = client.submit(url, action="remove:children-children:0", page=page)
    assert location(response).endswith(f"{url}#children-children")
    assert raw_doc(app, case_id)["data"]["children"]["children"] == [{}]
    response = client.submit(url, action="remove:children-children:0")
    assert "children" not in raw_doc(app, case_id)["data"]
    assert client.page(url).value("children-children-rows") == "0"


def test_a_stale_page_is_refused_with_a_conflict(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    url = f"{doc}/sections/referrer"
    mine = client.page(url)
    # someone else saves the case after this page was opened
    theirs = hub_client(app)
    location(theirs.submit(url, {"referrer-name": "Their name"}, action="continue"))
    saved = get_storage(app).cases.get(case_id)

    response = client.submit(
        url, {"referrer-name": "My name", "referrer-role": "Nurse"}, action="continue", page=mine
    )
    assert response.status_code == 409
    page = parse(response)
    assert CONFLICT in page.text
    assert page.value("referrer-name") == "My name"  # what I typed is still there to copy
    assert page.value("referrer-role") == "Nurse"
    after = get_storage(app).cases.get(case_id)
    assert after.version == saved.version
    assert raw_doc(app, case_id)["data"]["referrer"]["name"] == "Their name"


def test_a_conflict_page_title_starts_with_error(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    _, doc = family
    url = f"{doc}/sections/referrer"
    mine = client.page(url)
    location(hub_client(app).submit(url, {"referrer-name": "Theirs"}, action="continue"))
    response = client.submit(url, {"referrer-name": "Mine"}, action="continue", page=mine)
    assert response.status_code == 409
    assert parse(response).title.startswith("Error: ")


@pytest.mark.parametrize(("section", "wrong"), [("children", "childs"), ("agencies", "agencys")])
def test_an_empty_group_says_so_in_plain_english(
    client: QualityClient, family: tuple[int, str], section: str, wrong: str
) -> None:
    _, doc = family
    page = client.page(f"{doc}/sections/{section}")
    assert "added yet." in page.text
    assert wrong not in page.text


def test_a_stale_record_page_is_refused_with_a_conflict(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    case_id, _ = family
    url = f"/cases/{case_id}/records/person/p2"
    mine = client.page(url)
    location(hub_client(app).submit(url, {"person-known_as": "Mum"}))
    response = client.submit(url, {"person-given_name": "Funmilayo"}, page=mine)
    assert response.status_code == 409
    page = parse(response)
    assert CONFLICT in page.text
    assert page.value("person-given_name") == "Funmilayo"
    person = get_storage(app).cases.get(case_id).raw["people"][1]
    assert (person["given_name"], person["known_as"]) == ("Funmi", "Mum")


def test_check_page_lists_what_is_missing(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    client.submit(f"{doc}/sections/referrer", {"referrer-name": "Ann Bee"}, action="later")
    check = client.page(f"{doc}/check")
    assert check.h1 == "Check your answers"
    response = client.submit(f"{doc}/check")
    assert response.status_code == 400
    page = parse(response)
    assert page.title.startswith("Error: ")
    summary = dict(page.error_summary)
    assert summary["Enter your phone number"] == f"{doc}/sections/referrer#referrer-phone"
    assert summary["Select the level of need"] == f"{doc}/sections/safety#safety-level_of_need"
    assert "Add at least one parent or carer" in summary
    assert raw_doc(app, case_id)["status"] == "draft"
    # in the order of the sections, and of the fields within each
    sections = [s.id for s in load_formset().forms["notification"].sections]
    shown = [href.split("/sections/")[1] for _, href in page.error_summary if href]
    places = [sections.index(h.split("#")[0]) for h in shown]
    assert places == sorted(places), shown
    referrer = [h for h in shown if h.startswith("referrer#")]
    assert referrer == [
        "referrer#referrer-role",
        "referrer#referrer-agency",
        "referrer#referrer-phone",
        "referrer#referrer-email",
        "referrer#referrer-date-day",
    ]


def test_check_page_links_land_on_their_field(
    client: QualityClient, parse: Parse, family: tuple[int, str]
) -> None:
    """Each link of the check page's error summary finds its control on the section page."""
    _, doc = family
    page = parse(client.submit(f"{doc}/check"))
    assert page.error_summary
    for text, href in page.error_summary:
        assert href is not None, text
        path, _, fragment = href.partition("#")
        assert client.page(path).by_id(fragment) is not None, (text, href)


def test_check_page_links_a_missing_date_to_its_day_box(
    client: QualityClient, parse: Parse, family: tuple[int, str]
) -> None:
    _, doc = family
    page = parse(client.submit(f"{doc}/check"))
    summary = dict(page.error_summary)
    assert summary["Enter the date of the request"] == f"{doc}/sections/referrer#referrer-date-day"


def test_a_second_notification_cannot_be_started(client: QualityClient, app: Flask) -> None:
    stored = get_storage(app).cases.create(make_case())
    token = client.page(f"/cases/{stored.id}").csrf_token
    response = client.post(
        f"/cases/{stored.id}/documents/new/notification",
        data={"csrf_token": token, "version": str(stored.version)},
    )
    forms = [d["form"] for d in get_storage(app).cases.get(stored.id).raw["documents"]]
    assert forms == ["notification"]
    assert response.status_code != 302 or "/sections/" not in response.headers["Location"]


# -- completing, and records still in use ----------------------------------------------------


def _draft_notification_case() -> dict[str, Any]:
    case = make_case()
    case["documents"][0]["status"] = "draft"
    return case


def test_completing_a_fully_answered_notification(
    client: QualityClient, app: Flask, parse: Parse
) -> None:
    stored = get_storage(app).cases.create(_draft_notification_case())
    base = f"/cases/{stored.id}/documents/n1"
    check = client.page(f"{base}/check")
    assert check.h1 == "Check your answers"
    assert check.error_summary == []
    response = client.submit(f"{base}/check", page=check)
    assert location(response).endswith(f"/cases/{stored.id}")
    overview = client.page(location(response))
    assert any("Early Help Notification completed" in b for b in overview.banners)
    after = get_storage(app).cases.get(stored.id)
    assert after.raw["documents"][0]["status"] == "completed"
    assert after.version == stored.version + 1
    # the completed document now opens at its answers, with no Complete button
    assert overview.all("a", href=f"{base}/check")
    answers = client.page(f"{base}/check")
    assert answers.h1 == "Your answers"
    assert not answers.main_forms()


def test_a_completed_document_still_checks_every_answer_on_save(
    client: QualityClient, app: Flask, parse: Parse
) -> None:
    stored = get_storage(app).cases.create(make_case())
    url = f"/cases/{stored.id}/documents/n1/sections/referrer"
    response = client.submit(url, {"referrer-phone": ""}, action="continue")
    assert response.status_code == 200
    assert ("Enter your phone number", "#referrer-phone") in parse(response).error_summary
    assert get_storage(app).cases.get(stored.id).version == stored.version


def test_removing_a_person_named_in_a_document_is_refused(
    client: QualityClient, app: Flask, parse: Parse
) -> None:
    stored = get_storage(app).cases.create(make_case())
    url = f"/cases/{stored.id}/records/person/p1/remove"
    page = client.page(url)
    assert page.h1 == "Remove Kerry Morgan?"
    response = client.submit(url, page=page)
    assert response.status_code == 200
    refused = parse(response)
    assert refused.title.startswith("Error: ")
    assert refused.error_summary, "the reason is given"
    assert all(href is None or href.startswith("#") for _, href in refused.error_summary)
    after = get_storage(app).cases.get(stored.id)
    assert [p["id"] for p in after.raw["people"]] == ["c1", "p1"]
    assert after.version == stored.version


def test_removing_an_unused_person(client: QualityClient, app: Flask) -> None:
    case = make_case()
    case["people"].append({"id": "x1", "given_name": "Lee", "category": "significant_adult"})
    stored = get_storage(app).cases.create(case)
    response = client.submit(f"/cases/{stored.id}/records/person/x1/remove")
    assert location(response).endswith(f"/cases/{stored.id}/records/person")
    assert [p["id"] for p in get_storage(app).cases.get(stored.id).raw["people"]] == ["c1", "p1"]


# -- a field revealed by more than one option ----------------------------------------------------


def _hub_case() -> dict[str, Any]:
    case = make_case()
    notification = case["documents"][0]
    notification["data"]["hub"] = {
        "checks_made": "Education and health records",
        "known_to_social_care": "no",
        "decision": "locality_level_3",
        "team_allocated": "South team",
        "decision_date": "2025-03-04",
    }
    return copy.deepcopy(case)


def test_a_field_revealed_by_two_options_saves_what_was_typed(
    client: QualityClient, app: Flask
) -> None:
    """hub.team_allocated shows for locality levels 2 and 3. Drawn under both options it
    would be two inputs of one name, and a browser sends both: the hidden one would win."""
    stored = get_storage(app).cases.create(_hub_case())
    url = f"/cases/{stored.id}/documents/n1/sections/hub"
    page = client.page(url)
    assert len(page.all("input", name="hub-team_allocated")) == 1
    response = client.submit(url, {"hub-team_allocated": "North team"}, action="continue")
    assert response.status_code == 302
    hub = get_storage(app).cases.get(stored.id).raw["documents"][0]["data"]["hub"]
    assert hub["team_allocated"] == "North team"


def _text_of(page: Page, element_id: str) -> str:
    """The text of the form group around the element with `element_id`."""
    element = page.by_id(element_id)
    assert element is not None, element_id
    group = next(
        (a for a in page.ancestors(element) if "govuk-form-group" in (a.get("class") or "")),
        element,
    )
    return " ".join("".join(group.itertext()).split())


def test_a_partnerships_earlier_stages_are_added_on_its_record_page(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    """The relationship record holds a repeating group: its rows are added, kept and saved."""
    case_id, _ = family
    add_person(client, case_id, given_name="Segun", family_name="Okonjo", category="parent_carer")
    segun = get_storage(app).cases.get(case_id).raw["people"][-1]["id"]
    url = f"/cases/{case_id}/records/relationship/new"
    typed = {
        "relationship-kind": "partners",
        "relationship-person_a": "p2",
        "relationship-person_b": segun,
        "relationship-partnership_status": "separated",
        "relationship-start-year": "2020",
    }
    page = client.page(url)
    response = client.submit(url, typed, action="add:relationship-history", page=page)
    assert response.status_code == 200  # the page again, one more row, nothing saved yet
    assert not get_storage(app).cases.get(case_id).raw.get("relationships")
    form = parse(response)
    assert form.by_id("relationship-history-0-status") is not None
    assert form.value("relationship-person_b") == segun
    stage = {
        **typed,
        "relationship-history-rows": "1",
        "relationship-history-0-status": "married",
        "relationship-history-0-start-year": "2011",
        "relationship-history-0-end-year": "2020",
    }
    where = location(client.submit(url, stage, page=form))
    assert where.endswith(f"/cases/{case_id}/records/relationship")
    saved = get_storage(app).cases.get(case_id).raw["relationships"][-1]
    assert saved["partnership_status"] == "separated"
    assert saved["history"] == [{"status": "married", "start": "2011", "end": "2020"}]


def test_the_error_summary_lists_problems_in_the_order_of_the_fields(
    client: QualityClient, parse: Parse, family: tuple[int, str]
) -> None:
    _, doc = family
    typed = {
        "referrer-name": "N" * 101,
        "referrer-phone": "call me",
        "referrer-email": "not an address",
        "referrer-date-day": "31",
        "referrer-date-month": "2",
        "referrer-date-year": "2025",
    }
    page = parse(client.submit(f"{doc}/sections/referrer", typed, action="continue"))
    hrefs = [href for _, href in page.error_summary]
    assert hrefs == [
        "#referrer-name",
        "#referrer-phone",
        "#referrer-email",
        "#referrer-date-day",
    ]


def test_row_problems_come_in_row_order_and_each_rows_fields_in_theirs() -> None:
    from ehdocs.schema import load_formset
    from ehdocs.web.pages import error_summary

    form = load_formset().forms["notification"]
    fields = {f.path: f for f in form.iter_fields()}
    errors = {
        "children.children[1].reason_included": "b",
        "children.children[0].attendance_details": "c",
        "children.children[0].child": "d",
        "children.children[10].child": "e",
    }
    assert [item["text"] for item in error_summary(errors, fields)] == ["d", "c", "b", "e"]


def test_a_section_that_cannot_be_empty_says_so_when_it_is_saved(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    response = client.submit(f"{doc}/sections/children", {}, action="continue")
    assert response.status_code == 200  # stays on the page, which says what is missing
    page = parse(response)
    assert page.h1 == "Children"
    assert [text for text, _ in page.error_summary] == ["Add at least one child"]
    # "Save and come back later" keeps an unfinished page without complaint
    later = client.submit(f"{doc}/sections/children", {}, action="later")
    assert location(later).endswith(f"/cases/{case_id}")
    # once a child is added, continuing goes on to the next page
    tayo = client.submit(
        f"{doc}/sections/children",
        {"children-children-rows": "1", "children-children-0-child": "p1"},
        action="continue",
    )
    assert location(tayo).endswith(f"{doc}/sections/parents_carers")


def test_a_meeting_date_in_the_future_is_flagged_when_it_is_saved(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    import datetime as dt

    _, doc = family
    ahead = dt.date.today() + dt.timedelta(days=3)
    typed = {
        "referrer-name": "Ann Bee",
        "referrer-date-day": str(ahead.day),
        "referrer-date-month": str(ahead.month),
        "referrer-date-year": str(ahead.year),
    }
    page = parse(client.submit(f"{doc}/sections/referrer", typed, action="continue"))
    assert page.error_summary == [
        ("The date of the request must be today or in the past", "#referrer-date-day")
    ]


def test_yes_to_significant_harm_stops_the_notification_and_says_what_to_do(
    client: QualityClient, parse: Parse, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    said = client.submit(
        f"{doc}/sections/safety",
        {"safety-significant_harm": "yes", "safety-level_of_need": "3"},
        action="continue",
    )
    assert location(said).endswith(f"{doc}/stop")  # not on to the next part
    stop = client.page(f"{doc}/stop")
    assert stop.h1 == "Stop. Call children's social care now"
    assert "do not send it" in stop.text and "call 999" in stop.text
    assert "{contact" not in stop.text
    assert raw_doc(app, case_id)["data"]["safety"]["significant_harm"] == "yes"  # kept
    # completing is refused while the answer stands, with what to do
    refused = parse(client.submit(f"{doc}/check"))
    assert any(
        text.startswith("Stop. Call children's social care now")
        for text, _ in refused.error_summary
    )
    assert raw_doc(app, case_id)["status"] == "draft"
    # changing the answer lets the notification go on
    changed = client.submit(
        f"{doc}/sections/safety", {"safety-significant_harm": "no"}, action="continue"
    )
    assert location(changed).endswith(f"{doc}/sections/consent")
    assert location(client.get(f"{doc}/stop")).endswith(doc)


def test_the_consent_page_links_to_the_consent_records_and_complete_needs_one(
    client: QualityClient, parse: Parse, app: Flask
) -> None:
    raw = _draft_notification_case()
    raw["consents"] = []
    case_id = get_storage(app).cases.create(raw).id
    doc = f"/cases/{case_id}/documents/{raw['documents'][0]['id']}"
    page = client.page(f"{doc}/sections/consent")
    (link,) = [a for a in page.all("a") if "consent records" in "".join(a.itertext())]
    assert link.get("href") == f"/cases/{case_id}/records/consent"
    assert "This case has no consent records" in page.text

    refused = client.submit(f"{doc}/check")
    assert refused.status_code == 400
    texts = [text for text, _ in parse(refused).error_summary]
    assert any(t.startswith("Add a consent record for ") for t in texts), texts
    assert raw_doc(app, case_id, raw["documents"][0]["id"])["status"] == "draft"


def test_a_case_rule_refusing_a_save_is_shown_at_its_field_without_a_path(
    client: QualityClient, parse: Parse, app: Flask
) -> None:
    from tests.factories import make_document

    raw = make_case()
    raw["consents"][0].update({"withdrawn": "yes", "withdrawn_date": "2025-04-01"})
    raw["documents"].append(make_document("plan", {}, doc_id="p1", status="draft"))
    case_id = get_storage(app).cases.create(raw).id
    typed = {
        "header-date_agreed-day": "10",
        "header-date_agreed-month": "4",
        "header-date_agreed-year": "2025",
    }
    page = parse(client.submit(f"/cases/{case_id}/documents/p1/sections/header", typed))
    assert page.error_summary == [
        (
            "Consent was withdrawn on 2025-04-01: no Early Help Plan can be written after that "
            "without new consent. Record the new consent first",
            "#header-date_agreed-day",
        )
    ]

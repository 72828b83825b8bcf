"""Two people (or two tabs) on the same case: a save is refused only when the section or record
it changes was saved by someone else since the page was opened; then what was typed is shown
beside what they saved, question by question, and the person chooses; a second Save without
choosing is refused; nothing is overwritten silently. A new-record form sent twice (Back, then
Save) makes one record."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from ehdocs.storage import get_storage
from tests.factories import make_case, make_document, make_professional
from tests.web.accounts import hub_client
from tests.web.conftest import Page, QualityClient, page_of

TITLE = "Someone else saved these answers after you opened this page"
URL = "/cases/{case}/documents/n1/sections/referrer"


@pytest.fixture
def case_id(app: Flask) -> int:
    raw = make_case(professionals=[make_professional()])
    raw["documents"][0]["status"] = "draft"
    raw["documents"].append(make_document("plan", {}, doc_id="pl1", status="draft"))
    return get_storage(app).cases.create(raw).id


def _referrer(app: Flask, case_id: int) -> dict[str, Any]:
    raw = get_storage(app).cases.get(case_id).raw
    return dict(next(d for d in raw["documents"] if d["id"] == "n1")["data"]["referrer"])


def compared(page: Page) -> dict[str, tuple[str, str]]:
    """Each question of a conflict page: (what you typed, what they saved)."""
    out = {}
    for fieldset in page.all("fieldset"):
        legend = fieldset.find("legend")
        values = [" ".join("".join(dd.itertext()).split()) for dd in fieldset.iter("dd")]
        if legend is not None and len(values) == 2:
            out[" ".join("".join(legend.itertext()).split())] = (values[0], values[1])
    return out


def _stale(client: QualityClient, app: Flask, case_id: int) -> Page:
    """This client opened the referrer page; someone else then saved their own name there;
    this client saves its name and role: the conflict page."""
    url = URL.format(case=case_id)
    mine = client.page(url)
    theirs = hub_client(app).submit(url, {"referrer-name": "Their Name"}, action="later")
    assert theirs.status_code == 302
    response = client.submit(
        url, {"referrer-name": "My Name", "referrer-role": "Nurse"}, action="later", page=mine
    )
    assert response.status_code == 409
    return page_of(response)


def test_a_stale_save_shows_both_answers_and_stores_nothing(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    before = _referrer(app, case_id)
    page = _stale(client, app, case_id)
    assert page.title.startswith("Error: ")
    assert TITLE in page.text
    asked = page.all("input", name="conflict-referrer-name")
    assert [i.get("value") for i in asked] == ["mine", "theirs"]
    assert compared(page) == {
        "Your name": ("My Name", "Their Name"),
        "Your role": ("Nurse", "School nurse"),  # nobody knows which of the two changed it
    }
    assert page.value("referrer-name") == "My Name"  # what was typed is still in the box
    assert _referrer(app, case_id) == {**before, "name": "Their Name"}


def test_a_second_save_without_choosing_is_refused(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    page = _stale(client, app, case_id)
    url = URL.format(case=case_id)
    response = client.submit(url, action="continue", page=page)
    assert response.status_code == 409
    again = page_of(response)
    assert (
        "Choose whether to keep your answer or theirs to ‘Your name’",
        "#conflict-referrer-name",
    ) in again.error_summary
    assert _referrer(app, case_id)["name"] == "Their Name"


def test_choices_one_by_one(client: QualityClient, app: Flask, case_id: int) -> None:
    page = _stale(client, app, case_id)
    url = URL.format(case=case_id)
    response = client.submit(
        url,
        {"conflict-referrer-name": "theirs", "conflict-referrer-role": "mine"},
        action="continue",
        page=page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = _referrer(app, case_id)
    assert (saved["name"], saved["role"]) == ("Their Name", "Nurse")


@pytest.mark.parametrize(
    ("button", "name", "role"),
    [
        ("conflict:mine", "My Name", "Nurse"),
        ("conflict:theirs", "Their Name", "School nurse"),
    ],
)
def test_choices_all_at_once(
    client: QualityClient, app: Flask, case_id: int, button: str, name: str, role: str
) -> None:
    page = _stale(client, app, case_id)
    url = URL.format(case=case_id)
    response = client.submit(url, action=button, page=page)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)  # back to the page, to see the result
    saved = _referrer(app, case_id)
    assert (saved["name"], saved["role"]) == (name, role)


def test_a_third_save_meanwhile_asks_again(client: QualityClient, app: Flask, case_id: int) -> None:
    page = _stale(client, app, case_id)
    url = URL.format(case=case_id)
    hub_client(app).submit(url, {"referrer-name": "Third Name"}, action="later")
    response = client.submit(url, {"conflict-referrer-name": "mine"}, action="later", page=page)
    assert response.status_code == 409
    assert compared(page_of(response))["Your name"] == ("My Name", "Third Name")
    assert _referrer(app, case_id)["name"] == "Third Name"


def test_the_same_answers_saved_by_both_are_no_conflict(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    url = URL.format(case=case_id)
    mine = client.page(url)
    hub_client(app).submit(url, {"referrer-name": "Same Name"}, action="later")
    response = client.submit(url, {"referrer-name": "Same Name"}, action="later", page=mine)
    assert response.status_code == 302


def test_a_change_elsewhere_in_the_case_does_not_block_a_section(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    """A chronology entry added in another tab, then a plan section saved from a page opened
    before it: different things, both kept."""
    url = f"/cases/{case_id}/documents/pl1/sections/goals"
    plan_page = client.page(url)
    other_tab = client.submit(
        f"/cases/{case_id}/records/chronology_event/new",
        {
            "chronology_event-date-day": "2",
            "chronology_event-date-month": "3",
            "chronology_event-date-year": "2025",
            "chronology_event-event": "Sam was excluded for a day",
            "chronology_event-family_visible": "no",
        },
    )
    assert other_tab.status_code == 302, other_tab.get_data(as_text=True)
    response = client.submit(
        url,
        {"goals-goals-rows": "1", "goals-goals-0-goal": "Sam gets to school"},
        action="later",
        page=plan_page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    raw = get_storage(app).cases.get(case_id).raw
    plan = next(d for d in raw["documents"] if d["id"] == "pl1")
    assert plan["data"]["goals"]["goals"] == [{"goal": "Sam gets to school"}]
    assert [e["event"] for e in raw["chronology"]] == ["Sam was excluded for a day"]


def test_a_stale_record_shows_both_and_lets_the_user_choose(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    url = f"/cases/{case_id}/records/person/p1"
    mine = client.page(url)
    hub_client(app).submit(url, {"person-known_as": "Kez"})
    response = client.submit(url, {"person-given_name": "Kerry-Ann"}, page=mine)
    assert response.status_code == 409
    page = page_of(response)
    assert TITLE in page.text
    assert compared(page) == {
        "First name": ("Kerry-Ann", "Kerry"),
        "Also known as": ("Not answered", "Kez"),
    }
    response = client.submit(
        url,
        {"conflict-person-given_name": "mine", "conflict-person-known_as": "theirs"},
        page=page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    person = next(p for p in get_storage(app).cases.get(case_id).raw["people"] if p["id"] == "p1")
    assert (person["given_name"], person["known_as"]) == ("Kerry-Ann", "Kez")


def test_a_new_record_form_sent_twice_makes_one_record(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    url = f"/cases/{case_id}/records/person/new"
    form = client.page(url)
    typed = {"person-given_name": "Noor", "person-category": "child"}
    assert client.submit(url, typed, page=form).status_code == 302
    # Back, then Save again: the same form, the same token
    again = client.submit(url, typed, page=form)
    assert again.status_code == 302
    people = get_storage(app).cases.get(case_id).raw["people"]
    assert [p["given_name"] for p in people].count("Noor") == 1
    # Back, a correction, Save: the record made the first time, changed once the person chooses
    corrected = client.submit(url, {**typed, "person-given_name": "Nour"}, page=form)
    assert corrected.status_code == 409
    page = page_of(corrected)
    assert compared(page) == {"First name": ("Nour", "Noor")}
    made = next(p["id"] for p in people if p["given_name"] == "Noor")
    assert page.form().get("action") == f"/cases/{case_id}/records/person/{made}"
    done = client.submit(url, {"conflict-person-given_name": "mine"}, page=page)
    assert done.status_code == 302, done.get_data(as_text=True)
    names = [p["given_name"] for p in get_storage(app).cases.get(case_id).raw["people"]]
    assert names.count("Nour") == 1 and "Noor" not in names


def test_a_new_record_form_without_its_token_is_refused(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    url = f"/cases/{case_id}/records/person/new"
    response = client.submit(url, {"person-given_name": "Noor", "once": None})
    assert response.status_code == 400
    assert len(get_storage(app).cases.get(case_id).raw["people"]) == 2


def test_removing_a_record_changed_since_the_page_was_opened_is_refused(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    url = f"/cases/{case_id}/records/professional/w1/remove"
    mine = client.page(url)
    hub_client(app).submit(f"/cases/{case_id}/records/professional/w1", {"professional-role": "GP"})
    response = client.submit(url, page=mine)
    assert response.status_code == 200
    assert (
        "Someone changed this professional or agency after you opened this page"
        in page_of(response).text
    )
    assert [p["id"] for p in get_storage(app).cases.get(case_id).raw["professionals"]] == ["w1"]

"""GOV.UK "complete multiple tasks": a task list for each document and for the case, with the
same status wording; "Change" from Check your answers comes back there; "Save and come back
later" resumes on the section the user left."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from flask import Flask

from tests.web.test_forms import family, location

if TYPE_CHECKING:
    from tests.web.conftest import Page, QualityClient

__all__ = ["family"]  # the fixture, shared with test_forms


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def tasks(page: Page) -> dict[str, tuple[str, ET.Element]]:
    """Each task's name → (its status text, its status element), from the GOV.UK task list."""
    found = {}
    for item in page.all("li", "govuk-task-list__item"):
        name = next(
            e for e in item.iter() if "govuk-task-list__name-and-hint" in (e.get("class") or "")
        )
        link = next((e for e in name.iter() if e.tag in ("a", "button")), None)
        title = _text(link) if link is not None else _text(name)
        status = next(e for e in item.iter() if "govuk-task-list__status" in (e.get("class") or ""))
        found[title] = (_text(status), status)
    return found


def tag_class(status: ET.Element) -> str:
    tag = status.find("strong")
    return tag.get("class", "") if tag is not None else ""


def test_a_document_page_is_a_task_list_of_its_sections(
    client: QualityClient, family: tuple[int, str]
) -> None:
    _, doc = family
    page = client.page(doc)
    assert page.h1 == "Early Help Notification"
    listed = tasks(page)
    status, element = listed["Safety check"]
    assert status == "Not yet started" and "govuk-tag--blue" in tag_class(element)
    assert listed["Check your answers and complete"][0] == "Cannot start yet"
    assert page.all("a", href=f"{doc}/sections/safety")

    # a section saved with answers and no problem is Completed (plain text, no tag)
    client.submit(f"{doc}/sections/referrer", {"referrer-name": "Ann Bee"}, action="continue")
    page = client.page(doc)
    listed = tasks(page)
    status, element = listed["About you"]
    assert status == "Completed" and tag_class(element) == ""
    assert listed["Check your answers and complete"][0] == "Not yet started"
    assert page.all("a", href=f"{doc}/check")


def test_a_section_with_unsaved_input_is_in_progress(
    client: QualityClient, family: tuple[int, str]
) -> None:
    _, doc = family
    wrong = {
        "referrer-name": "Ann Bee",
        "referrer-date-day": "31",
        "referrer-date-month": "2",
        "referrer-date-year": "2025",
    }
    assert client.submit(f"{doc}/sections/referrer", wrong, action="continue").status_code == 200
    status, element = tasks(client.page(doc))["About you"]
    assert status == "In progress" and "govuk-tag--light-blue" in tag_class(element)


def test_the_case_overview_uses_the_same_wording(
    client: QualityClient, family: tuple[int, str]
) -> None:
    case_id, doc = family
    listed = tasks(client.page(f"/cases/{case_id}"))
    # started from the overview but nothing answered yet
    status, element = listed["Early Help Notification"]
    assert status == "Not yet started" and "govuk-tag--blue" in tag_class(element)
    not_begun = [s for title, (s, _) in listed.items() if title.startswith("Start the")]
    assert not_begun and set(not_begun) == {"Not yet started"}
    assert "Not started" not in client.page(f"/cases/{case_id}").text

    client.submit(f"{doc}/sections/referrer", {"referrer-name": "Ann Bee"}, action="continue")
    status, element = tasks(client.page(f"/cases/{case_id}"))["Early Help Notification"]
    assert status == "In progress" and "govuk-tag--light-blue" in tag_class(element)


def test_change_from_check_your_answers_returns_there(
    client: QualityClient, family: tuple[int, str]
) -> None:
    _, doc = family
    check = client.page(f"{doc}/check")
    change = f"{doc}/sections/referrer?next=check"
    assert check.all("a", href=change)
    section = client.page(change)
    assert section.all("a", href=f"{doc}/check")  # back to where they came from
    response = client.submit(change, {"referrer-name": "Ann Bee"}, action="continue", page=section)
    assert location(response).endswith(f"{doc}/check")
    # an ordinary Save and continue still goes on to the next section
    plain = client.submit(f"{doc}/sections/referrer", action="continue")
    assert location(plain).endswith(f"{doc}/sections/children")


def test_save_and_come_back_later_resumes_on_that_section(
    client: QualityClient, app: Flask, family: tuple[int, str]
) -> None:
    case_id, doc = family
    client.submit(f"{doc}/sections/safety", action="continue")
    response = client.submit(
        f"{doc}/sections/referrer", {"referrer-role": "School nurse"}, action="later"
    )
    assert location(response).endswith(f"/cases/{case_id}")
    page = client.page(doc)
    [resume] = [a for a in page.all("a", "govuk-button") if "Continue" in _text(a)]
    assert resume.get("href") == f"{doc}/continue"
    assert location(client.get(f"{doc}/continue")).endswith(f"{doc}/sections/referrer")

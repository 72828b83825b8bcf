"""What a new user does, in a real browser: a new case, its people, and an Early Help
Notification filled in page by page, interrupted, resumed, completed and downloaded."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from .accounts import HUB_ADVISER, PRACTITIONER

GIVEN_CHILD, GIVEN_PARENT, FAMILY = "Amelia", "Joanne", "Ravenscroft"
NAMES = (GIVEN_CHILD, GIVEN_PARENT, FAMILY)
SCREENSHOTS = os.environ.get("EHDOCS_SCREENSHOTS")  # a folder: full-page PNGs to look at


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def heading(page: Page, text: str) -> Locator:
    return page.get_by_role("heading", level=1, name=text)


def save_and_continue(page: Page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def add_person(page: Page, given: str, category: str, born: tuple[str, str, str]) -> None:
    page.get_by_role("button", name="Add person").click()
    expect(heading(page, "Add person")).to_be_visible()
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill(FAMILY)
    school = page.get_by_label("School or setting")
    expect(school).to_be_hidden()  # revealed only for a child
    page.get_by_role("group", name="Who is this person?").get_by_label(category).check()
    if category == "Child or young person":
        expect(school).to_be_visible()
        school.fill("Hillside Primary")
    else:
        expect(school).to_be_hidden()
    dob = page.get_by_role("group", name="Date of birth")
    for box, value in zip(("Day", "Month", "Year"), born, strict=True):
        dob.get_by_label(box, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Person saved")
    expect(page.get_by_role("cell", name=given, exact=True)).to_be_visible()


def notification_task(page: Page) -> Locator:
    return page.locator(".govuk-task-list__item").filter(
        has=page.locator(".govuk-task-list__link", has_text="Early Help Notification")
    )


def test_new_user_completes_an_early_help_notification(
    page_as: Callable[[str], Page], tmp_path: Path
) -> None:
    page = page_as(HUB_ADVISER)  # a new case stays with the hub until it is allocated
    started = time.monotonic()
    page.goto("/")
    expect(heading(page, "Cases")).to_be_visible()

    # -- a new case --------------------------------------------------------------------------
    page.get_by_role("button", name="Create a new case").click()
    expect(heading(page, "Create a new case")).to_be_visible()
    reference = page.get_by_label("Case reference").input_value()
    assert re.fullmatch(r"EH-\d{4}-\d{4}", reference), reference
    page.get_by_label("Family name (optional)").fill(FAMILY)
    page.get_by_role("button", name="Create case").click()
    expect(heading(page, f"The {FAMILY} family")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case created")
    overview_url = page.url

    # -- the people, through the people pages ------------------------------------------------
    page.get_by_role("link", name="View and change Person", exact=True).click()
    expect(heading(page, "Person: all recorded")).to_be_visible()
    add_person(page, GIVEN_CHILD, "Child or young person", ("14", "6", "2016"))
    add_person(page, GIVEN_PARENT, "Parent or carer", ("2", "11", "1988"))
    page.get_by_role("link", name="Back to the case").click()
    people_row = page.locator(".govuk-summary-list__row").filter(
        has=page.get_by_text("Person", exact=True)
    )
    expect(people_row).to_contain_text("2 recorded")

    # -- start the notification from the task list --------------------------------------------
    task = notification_task(page)
    expect(task).to_contain_text("Not yet started")
    task.get_by_role("button", name="Early Help Notification").click()

    # 1. Safety check: radios
    expect(heading(page, "Safety check")).to_be_visible()
    expect(page.locator(".govuk-caption-l")).to_contain_text("part 1 of 10")
    page.get_by_role("group", name=re.compile("risk of significant harm")).get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("group", name="Level of need").get_by_label("2 - Universal Plus").check()
    save_and_continue(page)

    # 2. Consent: answering "Yes" reveals who gave it
    expect(heading(page, "Consent")).to_be_visible()
    given_by = page.get_by_label("Who gave consent?")
    expect(given_by).to_be_hidden()
    page.get_by_role("group", name=re.compile("given consent")).get_by_label(
        "Yes", exact=True
    ).check()
    expect(given_by).to_be_visible()
    given_by.select_option(label=f"{GIVEN_PARENT} {FAMILY}")
    notes = page.get_by_label("Notes about consent")
    notes.fill("Mum asked that dad is not contacted.")
    expect(page.locator("#consent-notes-info + .govuk-character-count__status")).to_contain_text(
        "characters remaining"
    )
    # The consent record it asks for, added in a new tab from the page's link (what was
    # typed here stays on this page meanwhile); Complete needs it.
    expect(page.locator("main")).to_contain_text("This case has no consent records")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("Add or check the case's consent records")).click()
    records = opened.value
    records.get_by_role("button", name=re.compile("Add")).first.click()
    records.get_by_label("Consent given by").select_option(label=f"{GIVEN_PARENT} {FAMILY}")
    records.get_by_label("Parent or carer with parental responsibility").check()
    records.get_by_label("This request for early help").check()
    records.get_by_label("In writing", exact=True).check()
    consented = records.get_by_role("group", name="Date consent given")
    for box, value in (("Day", "27"), ("Month", "2"), ("Year", "2025")):
        consented.get_by_label(box, exact=True).fill(value)
    records.get_by_role("button", name="Save", exact=True).click()
    expect(records.locator(".govuk-notification-banner")).to_be_visible()
    records.close()
    expect(notes).to_have_value("Mum asked that dad is not contacted.")
    save_and_continue(page)

    # 3. About you: a date that does not exist, the error summary, focus, the fix
    expect(heading(page, "About you")).to_be_visible()
    page.get_by_label("Your name").fill("Sam Carter")
    page.get_by_label("Your role").fill("Family support worker")
    page.get_by_label("Your agency or service").fill("Hillside Primary")
    page.get_by_label("Your phone number").fill("01632 960 001")
    page.get_by_label("Your email address").fill("sam.carter@example.org")
    date = page.get_by_role("group", name="Date of request")
    for box, value in (("Day", "31"), ("Month", "2"), ("Year", "2025")):
        date.get_by_label(box, exact=True).fill(value)
    save_and_continue(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary on load
    assert page.title().startswith("Error: ")
    shot(page, "flow-error-summary")
    summary_link = summary.get_by_role("link").first
    expect(summary_link).to_have_attribute("href", "#referrer-date-day")
    summary_link.click()
    expect(page.locator("#referrer-date-day")).to_be_focused()
    expect(page.locator("#referrer-date-day")).to_have_value("31")  # nothing typed is lost
    expect(page.get_by_label("Your name")).to_have_value("Sam Carter")
    date.get_by_label("Day", exact=True).fill("28")
    save_and_continue(page)

    # 4. Children: "Add a child" in the group, then a reveal inside the row
    expect(heading(page, "Children")).to_be_visible()
    page.get_by_role("button", name="Add a child").click()
    expect(page).to_have_url(re.compile(r"#children-children$"))
    row = page.get_by_role("group", name="Child 1")
    expect(row).to_be_visible()
    row.get_by_label("Child or young person").select_option(label=f"{GIVEN_CHILD} {FAMILY}")
    row.get_by_label("Why this child is included").fill("The worry is about her attendance.")
    details = row.get_by_label("Tell us about the attendance concern")
    expect(details).to_be_hidden()
    row.get_by_role("group", name=re.compile("attendance at school")).get_by_label(
        "Yes", exact=True
    ).check()
    expect(details).to_be_visible()
    details.fill("82% this term, mostly Mondays.")
    shot(page, "flow-children-group")
    save_and_continue(page)

    # 5. Parents and carers: fill a row, then "Save and come back later"
    expect(heading(page, "Parents and carers")).to_be_visible()
    page.get_by_role("button", name="Add a parent or carer").click()
    row = page.get_by_role("group", name="Parent or carer 1")
    row.get_by_label("Parent or carer", exact=True).select_option(label=f"{GIVEN_PARENT} {FAMILY}")
    row.get_by_label("Relationship to the child or children").fill("Mum")
    row.get_by_role("group", name="Do they have parental responsibility?").get_by_label(
        "Yes", exact=True
    ).check()
    row.get_by_role("group", name="Do they live with the child or children?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your answers to ‘Parents and carers’ are saved"
    )

    # -- later: the overview again, the task is in progress, resume where they left off -------
    page.goto(overview_url)
    page.reload()
    task = notification_task(page)
    expect(task.locator(".govuk-task-list__status")).to_have_text("In progress")
    task.locator("a.govuk-task-list__link").click()
    # the document's own task list: the sections done so far, and Continue where they left off
    sections = page.locator(".govuk-task-list__item")
    expect(sections.filter(has_text="Safety check")).to_contain_text("Completed")
    expect(sections.filter(has_text="Parents and carers")).to_contain_text("Completed")
    expect(sections.filter(has_text="Household")).to_contain_text("Not yet started")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Parents and carers")).to_be_visible()  # the section they left
    page.get_by_role("link", name="Back to the case").click()
    notification_task(page).locator("a.govuk-task-list__link").click()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Parents and carers")).to_be_visible()
    save_and_continue(page)

    # 6. Other significant people: none
    expect(heading(page, "Other significant people")).to_be_visible()
    save_and_continue(page)
    # 7. Household
    expect(heading(page, "Household")).to_be_visible()
    page.get_by_label("About the household").fill("Mum and Amelia live in a two-bedroom flat.")
    save_and_continue(page)
    # 8. Agencies
    expect(heading(page, "Agencies already involved")).to_be_visible()
    page.get_by_role("group", name=re.compile("team around the family")).get_by_label(
        "No", exact=True
    ).check()
    save_and_continue(page)
    # 9. Reason: checkboxes, "Other" reveals a text field, character counts
    expect(heading(page, "Reason for the request")).to_be_visible()
    needs = page.get_by_role("group", name="What are the needs?")
    needs.get_by_label("School attendance").check()
    other = page.get_by_label("Other need")
    expect(other).to_be_hidden()
    needs.get_by_label("Other", exact=True).check()
    expect(other).to_be_visible()
    other.fill("Housing worries")
    page.get_by_label("What is the concern?").fill("Amelia has missed many Mondays this term.")
    page.get_by_label("What is going well for the family?").fill("Mum is warm and engaged.")
    page.get_by_label("What does the family want to change?").fill("Get Amelia to school.")
    save_and_continue(page)
    # 10. Early Help Hub
    expect(heading(page, "Early Help Hub")).to_be_visible()
    page.get_by_label("Checks made").fill("Case system: not known. Education: as above.")
    page.get_by_role("group", name=re.compile("known to children's social care")).get_by_label(
        "No", exact=True
    ).check()
    decision = page.get_by_role("group", name="Hub decision")
    # Shown for two of the decisions, so it stays on the page rather than being revealed
    # under one option (GOV.UK nests a revealed question under a single option).
    team = page.get_by_label("Team allocated")
    decision.get_by_label("Allocate to locality team - level 2").check()
    expect(team).to_be_visible()
    team.fill("North locality")
    hub_date = page.get_by_role("group", name="Date of decision")
    for box, value in (("Day", "3"), ("Month", "3"), ("Year", "2025")):
        hub_date.get_by_label(box, exact=True).fill(value)
    save_and_continue(page)

    # -- check your answers, complete ------------------------------------------------------------
    expect(heading(page, "Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("28 February 2025")
    expect(page.locator("main")).to_contain_text("North locality")
    shot(page, "flow-check-answers")
    page.get_by_role("button", name="Complete Early Help Notification").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Early Help Notification completed"
    )
    task = notification_task(page)
    expect(task.locator(".govuk-task-list__status")).to_have_text("Completed")

    # -- download the PDF ------------------------------------------------------------------------
    shot(page, "flow-completed-overview")
    # From the keyboard: a mouse click on this link is caught by the task's own link (see
    # test_download_link_in_the_task_list_takes_a_mouse_click below).
    with page.expect_download() as download_info:
        task.get_by_role("link", name=re.compile(r"^professional copy \(PDF\)")).focus()
        page.keyboard.press("Enter")
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    name = download.suggested_filename
    assert name.endswith(".pdf"), name
    assert reference in name, name
    for person in NAMES:
        assert person.lower() not in name.lower(), name

    assert time.monotonic() - started < 60, "the flow took longer than a minute"


def test_download_link_in_the_task_list_takes_a_mouse_click(
    page_as: Callable[[str], Page],
) -> None:
    page = page_as(PRACTITIONER)  # the example case is allocated to them
    page.goto("/")
    page.get_by_role("link", name="EH-2026-0101").click()  # an example case, all completed
    link = page.get_by_role("link", name=re.compile(r"^professional copy \(PDF\)")).first
    box = link.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = page.evaluate(
        "([x, y]) => { const a = document.elementFromPoint(x, y).closest('a');"
        " return a ? a.getAttribute('href') : null; }",
        [x, y],
    )
    assert hit == link.get_attribute("href"), f"a click on the download link opens {hit}"
    with page.expect_download(timeout=20_000) as download_info:
        page.mouse.click(x, y)
    assert download_info.value.suggested_filename.endswith(".pdf")


def _new_case(page: Page) -> None:
    page.goto("/cases/new")
    page.get_by_role("button", name="Create case").click()
    expect(heading(page, "Case overview")).to_be_visible()


def test_start_buttons_in_the_task_list_look_like_links(page_as: Callable[[str], Page]) -> None:
    """The task list starts a document with a POST button (class ehdocs-link-button): it must
    look like the task list's links, not a grey native button."""
    page = page_as(HUB_ADVISER)
    _new_case(page)
    shot(page, "new-case-overview")
    start = page.get_by_role("button", name="Early Help Notification")
    style = start.evaluate(
        "b => { const s = getComputedStyle(b);"
        " return [s.backgroundColor, s.borderTopStyle, s.textDecorationLine]; }"
    )
    assert style[0] == "rgba(0, 0, 0, 0)", style  # no button face
    assert style[1] == "none", style  # no button border
    assert "underline" in style[2], style  # a link's underline


def test_overview_names_repeatable_documents_in_plain_english(
    page_as: Callable[[str], Page],
) -> None:
    """Once read 'Add an taf review minutes': a wrong article, and the acronym lower-cased."""
    page = page_as(HUB_ADVISER)
    _new_case(page)
    tasks = page.locator(".govuk-task-list").inner_text()
    assert "an taf" not in tasks.lower(), tasks
    assert "TAF review minutes" in tasks, tasks
    assert "Early Help Notification" in tasks, tasks


def test_an_empty_group_says_so_in_plain_english(page_as: Callable[[str], Page]) -> None:
    page = page_as(HUB_ADVISER)
    _new_case(page)
    page.get_by_role("button", name="Early Help Notification").click()
    doc = page.url.rsplit("/sections/", 1)[0]
    page.goto(f"{doc}/sections/children")
    expect(page.locator("#children-children")).to_contain_text("added yet")
    page.goto(f"{doc}/sections/agencies")
    expect(page.locator("#agencies-involved")).to_contain_text("added yet")
    for section in ("children", "agencies"):
        page.goto(f"{doc}/sections/{section}")
        text = page.locator("main").inner_text()
        assert "childs" not in text and "agencys" not in text, text

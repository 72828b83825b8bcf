"""One document end to end in Chromium, as a practitioner does it (#11): a new Early Help Plan
that starts with the last plan's goals and actions carried forward, its task list, Enter in a
row's box, Change from Check your answers and back, and completing it; axe on each page."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .accounts import PRACTITIONER
from .test_axe import report, violations
from .test_notification_flow import heading, shot

CASE = "EH-2026-0101"  # the single-parent example: a completed plan with goals and actions


def _clean(page: Page, axe_source: str, name: str) -> None:
    shot(page, f"plan-journey-{name}")
    found = violations(page, axe_source)
    assert not found, report(name, page, found)


def test_a_new_plan_from_the_last_one_to_completed(
    page_as: Callable[[str], Page], axe_source: str
) -> None:
    page = page_as(PRACTITIONER)
    page.goto("/cases/")
    page.get_by_role("link", name=CASE, exact=True).click()
    expect(heading(page, "The Hancock family")).to_be_visible()  # loaded, with its styles
    page.wait_for_load_state("load")
    overview = page.url
    _clean(page, axe_source, "overview")
    page.get_by_role("button", name=re.compile("Early Help Plan")).last.click()

    # 1. About this plan: the lead practitioner is carried forward, marked, and editable
    expect(heading(page, "About this plan")).to_be_visible()
    expect(page.locator("[data-carried]").first).to_contain_text("Carried forward")
    lead = page.get_by_label("Lead practitioner")
    expect(lead).not_to_have_value("")
    # agreed before the carried actions fall due (a due date before it is refused at Complete)
    for label, day, month in (
        ("Date the plan was agreed", "1", "10"),
        ("Date of the next review", "20", "11"),
    ):
        group = page.get_by_role("group", name=re.compile(label))
        group.get_by_label("Day", exact=True).fill(day)
        group.get_by_label("Month", exact=True).fill(month)
        group.get_by_label("Year", exact=True).fill("2026")
    page.get_by_role("button", name="Save and continue").click()

    # 2. Family goals: carried forward from the last plan
    expect(heading(page, "Family goals")).to_be_visible()
    expect(page.locator("[data-carried]").first).to_contain_text("carried forward from")
    _clean(page, axe_source, "goals-carried")
    page.get_by_role("button", name="Save and continue").click()

    # 3. Actions, carried too: Enter in a row's box saves the page and keeps every row
    expect(heading(page, "Actions")).to_be_visible()
    expect(page.locator("[data-carried]").first).to_contain_text("Carried forward")
    actions = page.url
    rows = page.locator("input[name='actions-actions-rows']").input_value()
    assert int(rows) >= 2, rows
    page.locator("input[type=text][name^='actions-actions-0-']").first.focus()
    page.keyboard.press("Enter")
    expect(heading(page, "Contingency plan")).to_be_visible()
    page.goto(actions)
    expect(page.locator("input[name='actions-actions-rows']")).to_have_value(rows)
    doc = re.sub(r"/sections/.*$", "", page.url)

    # 4. The document's task list: what is done, what is not
    page.goto(doc)
    expect(heading(page, "Early Help Plan")).to_be_visible()
    statuses = page.locator(".govuk-task-list__status").all_inner_texts()
    assert any("Completed" in s for s in statuses), statuses
    _clean(page, axe_source, "task-list")

    # 5. The rest with Continue, to Check your answers
    page.get_by_role("link", name="Contingency plan").click()
    expect(heading(page, "Contingency plan")).to_be_visible()
    if not page.get_by_label(re.compile("things get worse")).input_value():
        page.get_by_label(re.compile("things get worse")).fill("Call the lead practitioner.")
    page.get_by_role("button", name="Save and continue").click()
    expect(heading(page, "Visits")).to_be_visible()
    page.get_by_role("button", name="Save and continue").click()
    expect(heading(page, "Check your answers")).to_be_visible()
    _clean(page, axe_source, "check")

    # 6. Change from Check your answers comes back to Check your answers
    page.get_by_role("link", name=re.compile("^Change Contingency plan")).click()
    expect(heading(page, "Contingency plan")).to_be_visible()
    page.get_by_label(re.compile("things get worse")).fill("Call the lead practitioner today.")
    page.get_by_role("button", name="Save and continue").click()
    expect(heading(page, "Check your answers")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Call the lead practitioner today.")

    # 7. Complete it: the overview says so
    page.get_by_role("button", name=re.compile("^Complete")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Early Help Plan completed")
    assert page.url == overview

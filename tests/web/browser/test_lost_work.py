"""Work that must not be lost, in Chromium: Enter in a row's box saves the page and keeps the
row (it used to press the first button of the form, "Remove …")."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from .accounts import HUB_ADVISER, SignedIn
from .test_axe import report, violations
from .test_notification_flow import shot


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture(scope="module")
def draft(signed_in: SignedIn) -> Iterator[str]:
    """A new case with a child and a parent, and a notification just started: its path."""
    ctx = signed_in.context(HUB_ADVISER)
    page = ctx.new_page()
    page.goto("/cases/")
    page.get_by_role("button", name="Create a new case").click()
    page.get_by_label("Family name (optional)").fill("Enterkey")
    page.get_by_role("button", name="Create case").click()
    case = _path(page.url)
    for given, category in (("Ada", "Child or young person"), ("Bea", "Parent or carer")):
        page.goto(f"{case}/records/person/new")
        page.get_by_label("First name").fill(given)
        page.get_by_role("group", name="Who is this person?").get_by_label(category).check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Person saved")
    page.goto(case)
    page.get_by_role("button", name="Early Help Notification").click()
    expect(page).to_have_url(re.compile(r"/sections/safety$"))
    doc = _path(page.url).rsplit("/sections/", 1)[0]
    ctx.close()
    yield doc


def test_enter_in_a_rows_box_saves_and_keeps_the_row(signed_in: SignedIn, draft: str) -> None:
    ctx = signed_in.context(HUB_ADVISER)
    try:
        page: Page = ctx.new_page()
        page.goto(f"{draft}/sections/parents_carers")
        page.get_by_role("button", name="Add a parent or carer").click()
        row = page.get_by_role("group", name="Parent or carer 1")
        row.get_by_label("Parent or carer", exact=True).select_option(label="Bea")
        box = row.get_by_label("Relationship")
        box.fill("Mum to Ada")
        box.press("Enter")
        # Enter did what "Save and continue" does: the next part, not the same page less a row
        expect(page).not_to_have_url(re.compile(r"/sections/parents_carers"))
        page.goto(f"{draft}/sections/parents_carers")
        row = page.get_by_role("group", name="Parent or carer 1")
        expect(row.get_by_label("Relationship")).to_have_value("Mum to Ada")
        # the hidden copy is no one's tab stop and no screen reader's button
        expect(page.get_by_role("button", name="Save and continue")).to_have_count(1)
    finally:
        ctx.close()


def test_a_stale_save_shows_both_answers_and_the_user_chooses(
    signed_in: SignedIn, draft: str, axe_source: str
) -> None:
    """Two browser contexts on one page: the second to save sees what the first saved beside
    what they typed, cannot save without choosing, and chooses."""
    first, second = signed_in.context(HUB_ADVISER), signed_in.context(HUB_ADVISER)
    try:
        mine: Page = first.new_page()
        theirs: Page = second.new_page()
        url = f"{draft}/sections/referrer"
        mine.goto(url)
        theirs.goto(url)
        theirs.get_by_label("Your name").fill("Bea Brown")
        theirs.get_by_role("button", name="Save and come back later").click()
        expect(theirs.locator(".govuk-notification-banner")).to_contain_text("are saved")

        mine.get_by_label("Your name").fill("Ann Able")
        mine.get_by_role("button", name="Save and continue").click()
        expect(mine.get_by_role("alert")).to_contain_text(
            "Someone else saved these answers after you opened this page"
        )
        question = mine.get_by_role("group", name="Your name", exact=True)
        expect(question).to_contain_text("What you typed")
        expect(question).to_contain_text("Ann Able")
        expect(question).to_contain_text("Bea Brown")
        expect(mine.get_by_label("Your name", exact=True)).to_have_value("Ann Able")
        shot(mine, "conflict")
        found = violations(mine, axe_source)
        assert not found, report("conflict page", mine, found)

        mine.get_by_role("button", name="Save and continue").click()  # without choosing
        expect(mine.get_by_role("alert")).to_contain_text(
            "Choose whether to keep your answer or theirs to ‘Your name’"
        )
        mine.get_by_role("group", name="Your name", exact=True).get_by_label(
            "Use what they saved"
        ).check()
        mine.get_by_role("button", name="Save and continue").click()
        expect(mine).not_to_have_url(re.compile(r"/sections/referrer"))
        mine.goto(url)
        expect(mine.get_by_label("Your name", exact=True)).to_have_value("Bea Brown")
    finally:
        first.close()
        second.close()

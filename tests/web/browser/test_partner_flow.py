"""A partner without an account, in Debian's Chromium: asks for a link, reads it from the real
SMTP catcher the service sends through, fills in the notification, sends it, sees the
confirmation; the hub's queue shows it from a verified sender. axe runs on every new page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.mailservers import SmtpCatcher

from .accounts import add_account, set_up_and_sign_in
from .conftest import STEP_TIMEOUT_MS, running_service
from .test_axe import report, violations

SCHOOL = "teacher@school.sch.uk"
HUB = ("hub.partner-flow@council.example", "Hub Adviser", "wren-ladle-cobalt-4")


@dataclass(frozen=True)
class Served:
    url: str
    mail: SmtpCatcher
    data_dir: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`ehdocs serve` sending its mail to a real SMTP catcher on loopback."""
    data_dir = tmp_path_factory.mktemp("ehdocs-partner")
    with SmtpCatcher() as mail:
        settings = {"EHDOCS_SMTP_URL": mail.url, "EHDOCS_MAIL_FROM": "earlyhelp@council.example"}
        with running_service(data_dir, settings) as url:
            yield Served(url, mail, data_dir)


def no_violations(page: Page, axe_source: str, name: str) -> None:
    found = violations(page, axe_source)
    assert not found, report(name, page, found)


def test_a_partner_asks_for_a_link_fills_and_sends_a_notification(
    page: Page, browser: Browser, served: Served, axe_source: str
) -> None:
    page.goto(f"{served.url}/partner/")
    no_violations(page, axe_source, "partner start")
    page.get_by_label("Your work e-mail address").fill("someone@gmail.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Use your work e-mail address")
    no_violations(page, axe_source, "partner start with an error")

    page.get_by_label("Your work e-mail address").fill(SCHOOL)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")
    no_violations(page, axe_source, "link sent")
    (caught,) = served.mail.wait_for(1)
    link = re.search(r"http://\S+/partner/sign-in/\S+", caught.message.get_content())
    assert link is not None

    page.goto(link.group(0))
    no_violations(page, axe_source, "continue with the link")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/partner/notification/safety$"))
    no_violations(page, axe_source, "partner section")

    safety = page.get_by_role("group", name=re.compile("significant harm"))
    safety.get_by_label("No", exact=True).check()
    page.get_by_label("2 - Universal Plus").check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("group", name=re.compile("given consent")).get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Who gave consent?").fill("Jo Bloggs")
    page.get_by_role("button", name="Save and continue").click()

    today = dt.date.today()
    page.get_by_label("Your name").fill("Pat Teacher")
    page.get_by_label("Your role").fill("Designated safeguarding lead")
    page.get_by_label("Your agency or service").fill("Hill School")
    page.get_by_label("Your phone number").fill("01632 960 001")
    page.get_by_label("Your email address").fill(SCHOOL)
    date = page.get_by_role("group", name="Date of request")
    for box, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        date.get_by_label(box, exact=True).fill(str(value))
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("button", name="Add a child").click()
    page.get_by_label("Child or young person", exact=True).fill("Riley Bloggs")
    page.get_by_label("Child or young person: date of birth").fill("18/04/2017")
    no_violations(page, axe_source, "partner section with a child written by name")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("button", name="Add a parent or carer").click()
    page.get_by_label("Parent or carer", exact=True).fill("Jo Bloggs")
    page.get_by_label("Relationship to the child or children").fill("Mum")
    page.get_by_role("group", name="Do they have parental responsibility?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("group", name="Do they live with the child or children?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()  # other significant people
    page.get_by_role("button", name="Save and continue").click()  # household
    page.get_by_role("group", name=re.compile("team around the family")).get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("School attendance").check()
    page.get_by_label("What is the concern?").fill("Often late and tired")
    page.get_by_label("What is going well for the family?").fill("Loves football")
    page.get_by_label("What does the family want to change?").fill("Mornings")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.locator("main")).to_contain_text("Riley Bloggs")
    no_violations(page, axe_source, "partner check answers")
    page.get_by_role("button", name="Send to Early Help Hub").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Request sent")
    reference = re.search(r"HUB-[0-9A-F]{8}", page.locator(".govuk-panel").inner_text())
    assert reference is not None
    no_violations(page, axe_source, "partner confirmation")

    page.get_by_role("link", name="See what you have sent").click()
    expect(page.locator("main")).to_contain_text(reference.group(0))
    expect(page.locator("main")).to_contain_text("Received")
    no_violations(page, axe_source, "what you have sent")

    # The link works once.
    page.goto(link.group(0))
    expect(page.locator("h1")).to_have_text("This link has already been used")
    no_violations(page, axe_source, "a used link")

    # In the hub's queue, from a verified sender: a hub adviser signs in to see it (an
    # account of this service's own: it has no demo accounts).
    add_account(served.data_dir, HUB[0], HUB[1], "hub_adviser", HUB[2])
    hub = browser.new_context(base_url=served.url, locale="en-GB")
    hub.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = hub.new_page()
        set_up_and_sign_in(page, HUB[0], HUB[2])
        page.goto(f"{served.url}/hub/")
        row = page.get_by_role("row", name=re.compile(reference.group(0)))
        expect(row).to_contain_text("Verified sender")
    finally:
        hub.close()

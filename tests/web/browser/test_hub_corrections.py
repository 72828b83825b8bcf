"""An adviser takes chosen answers of a corrected form into a case's draft notification, in
Chromium (#16); the submission page with the corrected version, and the confirmation asked
before a completed notification changes, are axe-clean."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ehdocs.case.io import read_case_file
from ehdocs.ingest.setup import ingestor_from_config
from ehdocs.storage import get_storage
from ehdocs.storage.config import from_environment
from tests.ingest.conftest import close_app, hub_app
from tests.ingest.test_replies import answer
from tests.web.test_hub import RILEY, fill

from .accounts import HUB_ADVISER
from .test_axe import report, violations


def _form(page: Page, child: str, born: str, concern: str, phone: str) -> bytes:
    blank = page.request.get("/forms/notification.pdf").body()
    return fill(
        blank,
        {
            "referrer__name": "Sam Visitor",
            "referrer__phone": phone,
            "children__children__0__child": child,
            "children__children__0__child__date_of_birth": born,
            "reason__concern": concern,
        },
    )


def _upload(page: Page, data: bytes) -> None:
    page.goto("/hub/upload")
    page.get_by_label("Filled-in forms").set_input_files(
        files=[{"name": "corrected.pdf", "mimeType": "application/pdf", "buffer": data}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("h1")).to_have_text("Early Help Notification")


def test_the_adviser_takes_chosen_answers_of_a_corrected_version(
    page_as: Callable[[str], Page], axe_source: str
) -> None:
    page = page_as(HUB_ADVISER)
    # A case the hub made, with the child and a notification in progress.
    page.goto("/cases/")
    page.get_by_role("button", name="Create a new case").click()
    page.get_by_label("Family name (optional)").fill("Mergeton")
    page.get_by_role("button", name="Create case").click()
    case_url = re.sub(r"^https?://[^/]+", "", page.url)
    page.goto(f"{case_url}/records/person/new")
    page.get_by_label("First name").fill("Corrie")
    page.get_by_label("Last name").fill("Mergeton")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("5")
    born.get_by_label("Month").fill("6")
    born.get_by_label("Year").fill("2016")
    page.get_by_role("group", name="Who is this person?").get_by_label(
        "Child or young person"
    ).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Person saved")
    page.goto(case_url)
    page.get_by_role("button", name="Early Help Notification").click()
    expect(page).to_have_url(re.compile(r"/sections/safety$"))
    doc_url = re.sub(r"^https?://[^/]+", "", page.url).rsplit("/sections/", 1)[0]

    # The partner's form, sent again with the concern and a phone number filled in.
    _upload(page, _form(page, "Corrie Mergeton", "05/06/2016", "Not sleeping", "01632 960 222"))
    panel = page.get_by_role("heading", name=re.compile("A corrected version of the Early Help"))
    expect(panel).to_be_visible()
    found = violations(page, axe_source)
    assert not found, report("hub submission with a corrected version", page, found)
    answers = page.get_by_role("group", name="Answers that differ")
    concern = answers.get_by_label("Reason for the request, What is the concern?")
    expect(answers.get_by_text("This version: Not sleeping")).to_be_visible()
    concern.check()
    page.get_by_role("button", name="Take the selected answers").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 answer from the corrected version"
    )
    expect(page).to_have_url(re.compile(re.escape(case_url) + "$"))
    # The notification has the chosen answer, and not the other.
    page.goto(f"{doc_url}/sections/reason")
    expect(page.get_by_label("What is the concern?")).to_have_value("Not sleeping")
    page.goto(f"{doc_url}/sections/referrer")
    expect(page.get_by_label("Your phone number")).to_have_value("")


def _completed_case(data_dir: Path) -> None:
    """Riley's example case under another name, its notification completed, with no team (the
    hub's), written to the live service's database."""
    raw = read_case_file(RILEY)
    raw["reference"] = "EH-2026-0909"
    for person in raw["people"]:
        if person.get("given_name") == "Riley":
            person["given_name"], person["family_name"] = "Casey", "Confirmer"
            person["date_of_birth"] = "2016-07-08"
    app = hub_app(data_dir)
    try:
        get_storage(app).cases.create(raw)
    finally:
        close_app(app)


def test_replies_and_the_confirmation_for_a_completed_notification_are_axe_clean(
    page_as: Callable[[str], Page],
    axe_source: str,
    live_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _completed_case(live_data_dir)
    page = page_as(HUB_ADVISER)
    _upload(page, _form(page, "Casey Confirmer", "08/07/2016", "Worse this term", ""))
    reference = page.locator(".govuk-caption-l").first.inner_text().split()[-1]
    expect(page.get_by_role("heading", name=re.compile("case EH-2026-0909"))).to_be_visible()
    answers = page.get_by_role("group", name="Answers that differ")
    answers.get_by_label("Reason for the request, What is the concern?").check()
    page.get_by_role("button", name="Take the selected answers").click()
    expect(page.locator("h1")).to_have_text("Change the completed Early Help Notification?")
    found = violations(page, axe_source)
    assert not found, report("change a completed notification?", page, found)
    page.get_by_role("link", name="No, go back").click()  # nothing changed
    expect(page.locator("h1")).to_have_text("Early Help Notification")

    # A reply by e-mail with no form, quoting the reference: shown on the submission.
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(live_data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("EHDOCS_MAIL_FROM", "earlyhelp@council.example")
    with ingestor_from_config(from_environment()) as hub:
        hub.receive_message(
            answer(
                "nurse@health.example",
                ident="axe-reply",
                subject=f"RE: {reference}",
                plain=None,
                html="<p>Casey&#39;s mum has a new number.</p><p>Thanks</p>",
            ),
            source="imap",
        )
    page.reload()
    expect(page.get_by_role("heading", name="Replies (1)")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Casey's mum has a new number.")
    found = violations(page, axe_source)
    assert not found, report("hub submission with a reply", page, found)

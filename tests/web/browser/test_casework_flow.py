"""Case work over time (#13), in Chromium as the three people do it: the hub sends a case to a
locality team, its manager gives it to a worker from the Team page, the worker sees the first
visit due on My work, records the visit (with the keyboard) and sees it met, and the manager
records and signs off management oversight. axe runs on every page of the journey."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .accounts import HUB_ADVISER, MANAGER, PRACTITIONER
from .test_axe import report, violations

CASE = "EH-2026-0102"  # an example case with the hub (the blended family), no visit yet
TEAM = "North locality team"


def _clean(page: Page, axe_source: str, name: str) -> None:
    page.wait_for_load_state("load")
    found = violations(page, axe_source)
    assert not found, report(name, page, found)


def _choose(page: Page, question: str, answer: str) -> None:
    """Pick an answer whether the form shows the question as radios or as a select."""
    radios = page.get_by_role("group", name=question, exact=True)
    if radios.count():
        radios.get_by_label(answer, exact=True).check()
    else:
        page.get_by_label(question, exact=True).select_option(label=answer)


def _date(page: Page, group: str, day: dt.date) -> None:
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day", exact=True).fill(str(day.day))
    fields.get_by_label("Month", exact=True).fill(str(day.month))
    fields.get_by_label("Year", exact=True).fill(str(day.year))


def test_allocation_a_visit_and_oversight_from_my_work_and_team(
    page_as: Callable[[str], Page], axe_source: str
) -> None:
    today = dt.date.today()

    hub = page_as(HUB_ADVISER)
    hub.goto("/cases/")
    hub.get_by_role("link", name=CASE, exact=True).click()
    hub.get_by_role("link", name="Allocate the case").click()
    _clean(hub, axe_source, "allocate")
    hub.get_by_label("Team and worker").select_option(label=f"{TEAM}: not yet a worker")
    hub.get_by_role("button", name="Save").click()
    expect(hub.get_by_role("heading", level=1)).to_have_text("Cases")  # no longer the hub's
    expect(hub.get_by_text(f"Case {CASE} allocated to {TEAM}")).to_be_visible()

    manager = page_as(MANAGER)
    manager.goto("/cases/")
    manager.get_by_role("link", name="Team", exact=True).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text("Team")
    _clean(manager, axe_source, "team")
    manager.get_by_role("link", name=f"Allocate case {CASE}").click()
    manager.get_by_label("Team and worker").select_option(
        label=f"{TEAM}: Pat Morgan (practitioner@demo.example)"
    )
    manager.get_by_role("button", name="Save").click()
    expect(manager.get_by_text(f"Case {CASE} allocated to {TEAM}: Pat Morgan")).to_be_visible()
    allocation = manager.locator("#allocation + .govuk-summary-list")
    expect(allocation).to_contain_text("Pat Morgan")
    expect(allocation.get_by_role("link", name="Transfer the case")).to_be_visible()
    manager.get_by_role("link", name="Team", exact=True).click()
    expect(manager.get_by_role("row", name=re.compile("Pat Morgan"))).to_be_visible()

    pat = page_as(PRACTITIONER)
    pat.goto("/cases/")
    pat.get_by_role("link", name="My work").click()
    _clean(pat, axe_source, "my work")
    card = pat.locator(".govuk-summary-card", has_text=f"Case {CASE}")
    expect(card).to_contain_text("First visit")
    card.get_by_role("link", name=f"Open case {CASE}").click()
    expect(pat.get_by_role("row", name=re.compile("First visit"))).to_contain_text("Due")
    pat.get_by_role("link", name=re.compile("View and change.*Case note")).click()
    pat.get_by_role("button", name="Add case note").click()
    _clean(pat, axe_source, "new case note")
    _choose(pat, "Kind of contact", "Home visit")
    _date(pat, "Date it happened", today)
    pat.get_by_label("What happened").fill("Saw the children at home; talked about mornings.")
    _choose(pat, "Can this note appear in the family's copy?", "No")
    pat.get_by_role("group", name="Can this note appear in the family's copy?").get_by_label(
        "No", exact=True
    ).focus()
    pat.keyboard.press("Tab")  # on from the last answer to the main button, as a person does
    for _ in range(12):
        if pat.evaluate("document.activeElement.textContent.trim()") == "Save":
            break
        pat.keyboard.press("Tab")
    pat.keyboard.press("Enter")
    pat.wait_for_url(re.compile(r"/records/case_note$"))
    pat.get_by_role("link", name="My work").click()
    card = pat.locator(".govuk-summary-card", has_text=f"Case {CASE}")
    expect(card).not_to_contain_text("First visit")  # met
    expect(card).to_contain_text("Next visit")
    card.get_by_role("link", name=f"Open case {CASE}").click()
    expect(pat.get_by_role("row", name=re.compile("First visit"))).to_contain_text("Met")

    manager.goto("/cases/")
    manager.get_by_role("link", name=CASE, exact=True).click()
    manager.get_by_role("link", name=re.compile("View and change.*Management oversight")).click()
    manager.get_by_role("button", name="Add management oversight").click()
    _choose(manager, "Kind of note", "Management oversight")
    _choose(manager, "Point in the work", "After the first visit")
    _date(manager, "Date", today)
    manager.get_by_label("Management direction and reflection").fill(
        "Visit done in time. Next: assessment with school input."
    )
    manager.get_by_label("Manager").fill("manager@demo.example")
    manager.get_by_role("group", name="Signed off by the manager?").get_by_label("Yes").check()
    manager.get_by_role("button", name="Save").click()
    expect(manager.locator(".govuk-error-summary")).to_have_count(0)
    row = manager.get_by_role("row", name=re.compile("After the first visit"))
    expect(row).to_contain_text(f"{today.day} {today:%B %Y}")
    row.get_by_role("link", name="Change Management oversight").click()
    _clean(manager, axe_source, "oversight note, signed off")
    expect(manager.get_by_label("Management direction and reflection")).to_have_value(
        "Visit done in time. Next: assessment with school input."
    )
    stamp = manager.locator(".govuk-summary-list__row", has_text="Signed off")
    expect(stamp).to_contain_text(f"{today.day} {today:%B %Y} at ")

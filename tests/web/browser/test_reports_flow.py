"""A team manager runs the performance report with the keyboard only, in Chromium: from the
menu to the figures and a download, and a practitioner has no such menu entry."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .accounts import MANAGER, PRACTITIONER


def test_a_manager_runs_the_report_with_the_keyboard(page_as: Callable[[str], Page]) -> None:
    page = page_as(MANAGER)
    page.goto("/cases/")
    page.get_by_role("link", name="Performance").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance report")
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day", exact=True).focus()
    for value in ("1", "1", "2026"):  # day, month, year: typed and tabbed, as a person does
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    end = page.get_by_role("group", name="End date")
    for box, value in (("Day", "30"), ("Month", "11"), ("Year", "2026")):
        end.get_by_label(box, exact=True).fill(value)
    page.get_by_role("button", name="Show the report").focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", level=2, name=re.compile("1 January 2026 to 30 November 2026"))
    ).to_be_visible()
    table = page.get_by_role("table", name="Requests by who made them")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader").first).not_to_be_empty()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("spreadsheet")).click()
    assert (
        download.value.suggested_filename == "early-help-performance-2026-01-01-to-2026-11-30.xlsx"
    )


def test_a_practitioner_has_no_report(page_as: Callable[[str], Page]) -> None:
    page = page_as(PRACTITIONER)
    page.goto("/cases/")
    expect(page.get_by_role("link", name="Performance")).to_have_count(0)
    response = page.goto("/reports/")
    assert response is not None and response.status == 403

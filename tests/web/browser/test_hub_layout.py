"""The hub submission page in Chromium (issue 11): the decision is where the adviser needs it,
near the top of a long page, not after every answer the file holds."""

from __future__ import annotations

import io
from collections.abc import Callable

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.web.test_hub import fill

from .accounts import HUB_ADVISER

LONG = (
    "Riley is often late and tired; the school has seen this since September and the family "
    "has asked for help with routines, sleep and the morning run to school. "
) * 4


def _every_box_filled(page: Page) -> bytes:
    """The blank notification with every text box written in, as a thorough referrer does."""
    blank = page.request.get("/forms/notification.pdf").body()
    fields = PdfReader(io.BytesIO(blank)).get_fields() or {}
    values: dict[str, str] = {}
    for name, spec in fields.items():
        if spec.get("/FT") != "/Tx" or name.startswith("hub__"):
            continue
        if name.endswith("date_of_birth") or name.endswith("__date") or "date" in name:
            values[name] = "18/04/2017"
        elif "email" in name:
            values[name] = "sam.visitor@school.example"
        elif "phone" in name:
            values[name] = "01632 960 001"
        else:
            values[name] = LONG if int(spec.get("/Ff", 0)) & 4096 else "Riley Hancok"
    return fill(blank, values)


def test_the_decision_comes_before_the_answers_read_from_the_file(
    page_as: Callable[[str], Page],
) -> None:
    page = page_as(HUB_ADVISER)
    page.set_viewport_size({"width": 1280, "height": 900})
    data = _every_box_filled(page)
    page.goto("/hub/upload")
    page.get_by_label("Filled-in forms").set_input_files(
        files=[{"name": "referral.pdf", "mimeType": "application/pdf", "buffer": data}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("h1")).to_have_text("Early Help Notification")
    height = page.evaluate("document.documentElement.scrollHeight")
    decision = page.get_by_role("group", name="Which case does this belong to?")
    box = decision.bounding_box()
    accept = page.get_by_role("button", name="Accept").bounding_box()
    answers = page.get_by_role("heading", name="About you").bounding_box()
    assert box is not None and accept is not None and answers is not None
    print(f"hub submission page: {height} px tall; the decision at {box['y']:.0f} px")
    # The whole decision comes before the answers as read, and the decision starts within
    # the first three screens, after the 17 problems this file has.
    assert box["y"] < 2500, (height, box)
    assert accept["y"] < answers["y"], (accept, answers)
    # A skip link near the top goes to it.
    page.get_by_role("link", name="Go to the decision").click()
    expect(page).to_have_url(page.url.split("#")[0] + "#decide")
    # Dates read from the file are dates, in one format.
    text = page.locator("main").inner_text()
    assert "18 April 2017" in text
    assert "18/04/2017" not in text and "2017-04-18" not in text

"""Signing in with a local account in a real browser: the password, then a code from an
authenticator app (worked out here with pyotp, as the app would), and out again."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .accounts import CODE_PAGE, PRACTITIONER, SET_UP_PAGE, add_account, code_for, enter_password


def test_a_practitioner_signs_in_with_a_code_and_lands_where_they_were_going(page: Page) -> None:
    page.goto("/sign-in?next=/hub/")
    expect(page.locator(".ehdocs-header__name")).to_have_count(0)

    enter_password(page, PRACTITIONER)
    # A code not used yet: other tests sign in as this account too (a code is good once).
    page.get_by_label(CODE_PAGE).fill(code_for(PRACTITIONER))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/hub/$"))
    expect(page.locator(".ehdocs-header__name")).to_have_text("Pat Morgan")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    expect(page.locator(".ehdocs-header__name")).to_have_count(0)


def test_a_new_account_sets_up_its_authenticator_from_the_key_shown(
    page: Page, live_data_dir: Path
) -> None:
    add_account(live_data_dir, "new.starter@council.example", "Noor Starter", "practitioner",
                "plum-kettle-orbit-9")  # fmt: skip

    enter_password(page, "new.starter@council.example", "plum-kettle-orbit-9")
    expect(page.get_by_role("heading", level=1)).to_have_text(SET_UP_PAGE)
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    page.get_by_text("I cannot scan the QR code").click()
    secret = (page.locator(".ehdocs-secret code").text_content() or "").replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(
        code_for("new.starter@council.example", secret)
    )
    page.get_by_role("button", name="Continue").click()

    expect(page.locator(".ehdocs-header__name")).to_have_text("Noor Starter")
    expect(page).to_have_url(re.compile(r"/cases/$"))

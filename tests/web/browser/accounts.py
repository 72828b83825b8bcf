"""Signing in, as a person does in the browser: the demo accounts made by
`ehdocs serve --load-examples`, or accounts added with `ehdocs users add` to the live server's
database. Codes are worked out here from the account's secret, as an authenticator app does."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from ehdocs.access import demo, totp

from .conftest import REPO, _ehdocs_command

CODE_PAGE = "Enter the code from your authenticator app"
SET_UP_PAGE = "Set up your authenticator app"
# The demo accounts the browser tests sign in as (see ehdocs/access/demo.py).
HUB_ADVISER = "hub.adviser@demo.example"  # the cases with no team; new cases; the hub
PRACTITIONER = "practitioner@demo.example"  # EH-2026-0101 and EH-2026-0103 are theirs
MANAGER = "manager@demo.example"  # the locality team's manager
DPO = "dpo@demo.example"  # audit pages only

_last_step: dict[str, int] = {}  # account -> the step of the last code sent for it


def code_for(email: str, secret: str = demo.TOTP_SECRET) -> str:
    """The code an authenticator app shows, never one already sent for this account (the
    service refuses a code twice). The service takes a code from one step either side of
    now, so the next step's code is sent when this step's is used; only a third sign-in in
    one step waits."""
    now = totp.step_now()
    step = max(now, _last_step.get(email, now - 1) + 1)
    while step > totp.step_now() + totp.VALID_WINDOW:
        time.sleep(0.5)
    _last_step[email] = step
    return totp.code_at(secret, step)


def add_account(data_dir: Path, email: str, name: str, role: str, password: str) -> None:
    """`ehdocs users add` on the live server's database."""
    env = {**os.environ, "EHDOCS_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            *_ehdocs_command(),
            "users",
            "add",
            email,
            "--name",
            name,
            "--role",
            role,
            "--password-stdin",
        ],  # fmt: skip
        input=password + "\n",
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def enter_password(page: Page, email: str, password: str = demo.PASSWORD) -> None:
    """The first step: lands on the code page, or on setting up an authenticator."""
    if "/sign-in" not in page.url:
        page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        [CODE_PAGE if email.endswith("@demo.example") else SET_UP_PAGE]
    )


def sign_in(page: Page, email: str, secret: str = demo.TOTP_SECRET) -> None:
    """Both steps for an account whose authenticator is set up (every demo account's is).
    Each code is good once per account: sign in as one account at most once in 30 seconds."""
    enter_password(page, email)
    page.get_by_label(CODE_PAGE).fill(code_for(email, secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".ehdocs-header__name")).to_be_visible()


def set_up_and_sign_in(page: Page, email: str, password: str) -> str:
    """An account's first sign-in: the password, then its authenticator set up from the key
    shown. Returns the key."""
    enter_password(page, email, password)
    page.get_by_text("I cannot scan the QR code").click()
    secret = (page.locator(".ehdocs-secret code").text_content() or "").replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(code_for(email, secret))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".ehdocs-header__name")).to_be_visible()
    return secret


class SignedIn:
    """Browser contexts signed in as a demo account. Each account signs in once per test
    session; its cookies (Playwright's storage state) are reused by every later context."""

    def __init__(self, browser: Browser, base_url: str, folder: Path, timeout_ms: float) -> None:
        self.browser, self.base_url, self.folder = browser, base_url, folder
        self.timeout_ms = timeout_ms
        self.states: dict[str, Path] = {}

    def _new(self, state: Path | None = None) -> BrowserContext:
        ctx = self.browser.new_context(
            base_url=self.base_url, accept_downloads=True, locale="en-GB", storage_state=state
        )
        ctx.set_default_timeout(self.timeout_ms)
        return ctx

    def state(self, email: str) -> Path:
        if email not in self.states:
            ctx = self._new()
            try:
                sign_in(ctx.new_page(), email)
                path = self.folder / f"{email}.json"
                ctx.storage_state(path=str(path))
            finally:
                ctx.close()
            self.states[email] = path
        return self.states[email]

    def context(self, email: str) -> BrowserContext:
        """A new context, signed in as this account (close it when done)."""
        return self._new(self.state(email))

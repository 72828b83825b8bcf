"""Signing in, as a person does in the browser: the demo accounts made by
`ehdocs serve --load-examples`, or accounts added with `ehdocs users add` to the live server's
database. Codes are worked out here from the account's secret, as an authenticator app does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyotp
from playwright.sync_api import Page, expect

from ehdocs.access import demo

from .conftest import REPO, _ehdocs_command

CODE_PAGE = "Enter the code from your authenticator app"
SET_UP_PAGE = "Set up your authenticator app"


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
    page.get_by_label(CODE_PAGE).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".ehdocs-header__name")).to_be_visible()

"""Single sign-on in Debian's Chromium: the service (`ehdocs serve`, example-council profile)
and a real OpenID provider (oidc-provider-mock) both on loopback, the provider's own page
filled in as a person would."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.oidc_provider import OidcProvider, oidc_provider  # noqa: F401

from .conftest import STEP_TIMEOUT_MS, running_service
from .test_axe import report, violations
from .test_notification_flow import shot


@pytest.fixture(scope="module")
def sso_service(
    tmp_path_factory: pytest.TempPathFactory,
    oidc_provider: OidcProvider,  # noqa: F811
) -> Iterator[tuple[str, Path]]:
    """(base URL, database file) of a service that signs people in with the provider."""
    data = tmp_path_factory.mktemp("ehdocs-sso")
    settings = {
        "EHDOCS_PROFILE": "example-council",
        "EHDOCS_OIDC_ISSUER": oidc_provider.url,
        "EHDOCS_OIDC_CLIENT_ID": "ehdocs-browser",
        "EHDOCS_OIDC_CLIENT_SECRET": "a-client-secret-for-the-browser-test",
    }
    with running_service(data, settings) as url:
        yield url, data / "ehdocs.sqlite3"


@pytest.fixture
def sso_page(browser: Browser, sso_service: tuple[str, Path]) -> Iterator[Page]:
    ctx: BrowserContext = browser.new_context(base_url=sso_service[0], locale="en-GB")
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def authorize_at_the_provider(page: Page, provider: OidcProvider, sub: str) -> None:
    assert page.url.startswith(provider.url + "/oauth2/authorize?"), page.url
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_a_person_signs_in_with_their_council_account(
    sso_page: Page,
    sso_service: tuple[str, Path],
    oidc_provider: OidcProvider,  # noqa: F811
    axe_source: str,
) -> None:
    page = sso_page
    base, database = sso_service
    sub = f"browser-{uuid.uuid4().hex[:10]}"
    email = f"{sub}@council.example"
    oidc_provider.set_user(sub, {"email": email, "name": "Robin Browser", "groups": ["Finance"]})

    # Not set up yet: the provider knows the person, ehdocs has no role for their groups.
    page.goto("/sign-in/sso")
    authorize_at_the_provider(page, oidc_provider, sub)
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in")
    expect(page.get_by_text("Your account is not set up for this service")).to_be_visible()
    shot(page, "sso-refused")
    found = violations(page, axe_source)
    assert not found, report("the single sign-on refusal page", page, found)

    # The administrator adds them to the hub's group at the provider; they try again.
    oidc_provider.set_user(
        sub, {"email": email, "name": "Robin Browser", "groups": ["EH-Hub", "Finance"]}
    )
    page.get_by_role("button", name="Sign in with your council account").click()
    shot(page, "sso-provider")
    authorize_at_the_provider(page, oidc_provider, sub)

    expect(page).to_have_url(f"{base}/cases/")
    shot(page, "sso-signed-in")
    with sqlite3.connect(database) as db:
        [(user_id, role)] = db.execute(
            "SELECT id, role FROM users WHERE oidc_subject = ?", (sub,)
        ).fetchall()
        teams = db.execute(
            "SELECT t.name FROM teams t JOIN team_members m ON m.team_id = t.id"
            " WHERE m.user_id = ?",
            (user_id,),
        ).fetchall()
        live = db.execute(
            "SELECT count(*) FROM user_sessions WHERE user_id = ? AND stage = 'full'"
            " AND ended_at IS NULL",
            (user_id,),
        ).fetchone()
    assert role == "hub_adviser"
    assert teams == [("Family Help Front Door",)]
    assert live == (1,)
    cookies = {c["name"] for c in page.context.cookies(base)}
    assert "ehdocs_session" in cookies

"""Signing in with a local account and out again, on SQLite and PostgreSQL: the two steps,
the same message for every refusal, lockout, rate limits, codes never used twice, new session
tokens, timeouts, sign-out and disabled accounts ending sessions on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select, update

from ehdocs.access import accounts, passwords, totp
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, User, UserSession, now
from ehdocs.web.views.auth import SIGN_IN_ERROR, safe_next
from tests.web.conftest import QualityClient

EMAIL, NAME, PASSWORD = "pat.morgan@council.example", "Pat Morgan", "plum-kettle-orbit-9"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
COOKIE = "ehdocs_session"


@pytest.fixture
def client(anonymous: QualityClient) -> QualityClient:
    """Nobody signed in: these tests sign in (or ask for a link) themselves."""
    return anonymous


@pytest.fixture
def account(app: Flask) -> accounts.Account:
    """A practitioner whose authenticator is set up (with SECRET)."""
    with app.app_context():
        return accounts.create(EMAIL, NAME, "practitioner", PASSWORD, totp_secret=SECRET)


def code(step_offset: int = 0) -> str:
    return totp.code_at(SECRET, totp.step_now() + step_offset)


def password_step(client, email=EMAIL, password=PASSWORD, next_=None):
    page = client.page("/sign-in" + (f"?next={next_}" if next_ else ""))
    return client.submit("/sign-in", {"email": email, "password": password}, page=page)


def sign_in(client, step_offset: int = 0, next_=None):
    response = password_step(client, next_=next_)
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in/code"
    return client.submit("/sign-in/code", {"code": code(step_offset)})


def signed_in_name(client) -> str | None:
    """The name in the header (of the public blank forms page, which anyone may open), or None
    when nobody is signed in."""
    page = client.page("/forms")
    names = page.all("span", "ehdocs-header__name")
    return "".join(names[0].itertext()) if names else None


def audit_rows(app: Flask) -> list[AuditEntry]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def session_rows(app: Flask) -> list[UserSession]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(UserSession).order_by(UserSession.created_at)))


def user_row(app: Flask) -> User:
    with get_storage(app).sessions() as db:
        user = db.scalar(select(User).where(User.email == EMAIL))
        assert user is not None
        return user


# -- signing in ----------------------------------------------------------------------------


def test_a_password_then_a_code_signs_in_and_the_header_names_the_person(app, client, account):
    assert signed_in_name(client) is None

    response = sign_in(client)

    assert response.status_code == 302 and response.headers["Location"] == "/cases/"
    assert signed_in_name(client) == NAME
    header = client.page("/cases/").one("form", "ehdocs-header__account")
    assert header.get("action") == "/sign-out"
    signed = [(e.action, e.outcome, e.actor, e.actor_id) for e in audit_rows(app)]
    assert ("sign_in", "ok", EMAIL, account.id) in signed
    assert user_row(app).last_sign_in_at is not None


def test_the_password_alone_opens_nothing(app, client, account):
    response = password_step(client)

    assert response.headers["Location"] == "/sign-in/code"
    assert signed_in_name(client) is None
    assert [r.stage for r in session_rows(app)] == ["password"]


def test_an_unknown_address_and_a_wrong_password_get_the_same_words(app, client, account, parse):
    unknown = parse(password_step(client, email="nobody@council.example"))
    wrong = parse(password_step(client, password="not-the-password-at-all"))

    assert unknown.response.status_code == wrong.response.status_code == 200
    assert unknown.error_summary == wrong.error_summary == [(SIGN_IN_ERROR, "#email")]
    assert unknown.title == wrong.title == "Error: Sign in – Early help documents – Default council"
    assert session_rows(app) == []
    refused = [(e.actor, e.outcome, e.detail) for e in audit_rows(app) if e.action == "sign_in"]
    assert refused == [
        ("anonymous", "refused", "unknown account"),
        (EMAIL, "refused", "wrong password"),
    ]


def test_no_audit_entry_holds_the_password_or_the_code(app, client, account):
    password_step(client, password="my-wrong-guess-123")
    sign_in(client)

    every_value = " ".join(
        str(getattr(e, c.name)) for e in audit_rows(app) for c in AuditEntry.__table__.columns
    )
    assert "my-wrong-guess-123" not in every_value and PASSWORD not in every_value
    assert code() not in every_value


def test_empty_fields_are_asked_for(client, parse):
    page = parse(password_step(client, email="", password=""))

    assert page.error_summary == [
        ("Enter your e-mail address", "#email"),
        ("Enter your password", "#password"),
    ]


def test_five_failures_lock_the_account_for_15_minutes_in_the_same_words(
    app, client, account, parse
):
    for _ in range(accounts.LOCK_AFTER):
        password_step(client, password="a-wrong-password-again")

    locked = parse(password_step(client))  # the right password, now refused

    assert locked.error_summary == [(SIGN_IN_ERROR, "#email")]
    until = user_row(app).locked_until
    assert until is not None
    assert dt.timedelta(minutes=14) < until - now() <= dt.timedelta(minutes=15)
    actions = [(e.action, e.detail) for e in audit_rows(app)]
    assert actions.count(("lockout", "5 failed attempts: locked for 15 minutes")) == 1
    assert actions[-1] == ("sign_in", "account locked")

    with get_storage(app).sessions() as db, db.begin():  # 15 minutes later
        db.execute(update(User).values(locked_until=now() - dt.timedelta(seconds=1)))
    assert sign_in(client).headers["Location"] == "/cases/"


def test_wrong_codes_count_towards_the_lockout_too(app, client, account):
    password_step(client)
    for _ in range(accounts.LOCK_AFTER):
        client.submit("/sign-in/code", {"code": "000000" if code() != "000000" else "111111"})

    refused = client.submit("/sign-in/code", {"code": code()})

    assert refused.status_code == 200  # the right code, refused: the account is locked
    assert user_row(app).locked_until is not None
    assert signed_in_name(client) is None


def test_the_right_password_alone_does_not_clear_the_count_of_failures(app, client, account):
    for _ in range(accounts.LOCK_AFTER - 1):
        password_step(client, password="a-wrong-password-again")
    password_step(client)  # right: someone who has the password may not guess codes for ever

    client.submit("/sign-in/code", {"code": "000000" if code() != "000000" else "111111"})

    assert user_row(app).locked_until is not None


def test_a_wrong_code_is_refused_and_a_used_code_never_works_again(app, client, account, parse):
    password_step(client)
    wrong = parse(client.submit("/sign-in/code", {"code": "12345"}))
    assert wrong.error_summary == [
        ("Enter the correct 6-digit code from your authenticator app", "#code")
    ]
    assert client.submit("/sign-in/code", {"code": code()}).status_code == 302
    client.submit("/sign-out", form_action="/sign-out", page=client.page("/cases/"))

    password_step(client)
    reused = client.submit("/sign-in/code", {"code": code()})  # seen over a shoulder

    assert reused.status_code == 200 and signed_in_name(client) is None
    assert ("sign_in", "code used before") in [(e.action, e.detail) for e in audit_rows(app)]
    assert client.submit("/sign-in/code", {"code": code(+1)}).status_code == 302
    assert signed_in_name(client) == NAME


def test_a_new_account_sets_up_its_authenticator_before_it_is_let_in(app, client, parse):
    with app.app_context():
        accounts.create(EMAIL, NAME, "hub_adviser", PASSWORD)

    assert password_step(client).headers["Location"] == "/sign-in/set-up-code"
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in/set-up-code"
    page = client.page("/sign-in/set-up-code")
    qr = page.one("{http://www.w3.org/2000/svg}svg")
    assert qr.get("role") == "img" and qr.get("aria-label")
    secret = "".join(page.one("code").itertext()).replace(" ", "")
    assert secret == user_row(app).totp_secret and len(secret) == 32
    assert signed_in_name(client) is None

    wrong = parse(client.submit("/sign-in/set-up-code", {"code": "000000"}, page=page))
    assert wrong.error_summary and user_row(app).totp_confirmed_at is None
    right = client.submit("/sign-in/set-up-code", {"code": totp.current_code(secret)})

    assert right.headers["Location"] == "/cases/"
    assert signed_in_name(client) == NAME
    assert user_row(app).totp_confirmed_at is not None
    assert "mfa_enrolled" in [e.action for e in audit_rows(app)]


def test_the_set_up_page_is_not_there_for_an_account_that_has_an_authenticator(client, account):
    password_step(client)

    assert client.get("/sign-in/set-up-code").headers["Location"] == "/sign-in/code"
    assert client.post("/sign-in/set-up-code", data={}).status_code == 400  # no CSRF token


def test_the_code_pages_need_the_password_first(client, account):
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"
    assert client.get("/sign-in/set-up-code").headers["Location"] == "/sign-in"


# -- where to go next ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "//evil.example/cases",
        "https://evil.example/",
        "http:/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/cases\\..\\",
        "/\t/evil.example",
        "javascript:alert(1)",
        "cases/",
        "/sign-out",
        "",
        None,
    ],
)
def test_next_is_refused_unless_a_path_within_the_service(value):
    assert safe_next(value) is None


def test_next_keeps_a_path_within_the_service():
    assert safe_next("/cases/3?tab=people") == "/cases/3?tab=people"


@pytest.mark.parametrize(
    ("next_", "landing"),
    [("/hub/", "/hub/"), ("//evil.example/", "/cases/"), ("https://x.example", "/cases/")],
)
def test_after_signing_in_next_leads_only_within_the_service(client, account, next_, landing):
    assert sign_in(client, next_=next_).headers["Location"] == landing


# -- sessions --------------------------------------------------------------------------------


def test_signing_in_gives_a_new_token_and_the_old_one_opens_nothing(app, client, account):
    password_step(client)
    waiting_cookie = client.get_cookie(COOKIE)
    assert waiting_cookie is not None
    waiting = waiting_cookie.value

    client.submit("/sign-in/code", {"code": code()})
    full = client.get_cookie(COOKIE)

    assert full is not None and full.value != waiting
    rows = session_rows(app)
    assert [(r.stage, r.ended_at is None) for r in rows] == [("password", False), ("full", True)]
    client.set_cookie(COOKIE, waiting)  # the cookie from before, replayed
    assert signed_in_name(client) is None
    assert client.get("/sign-in/code").headers["Location"] == "/sign-in"


def test_sign_out_ends_the_session_on_the_server(app, client, account):
    sign_in(client)
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None

    response = client.submit("/sign-out", form_action="/sign-out", page=client.page("/cases/"))

    assert response.headers["Location"] == "/sign-in"
    assert "You have signed out." in client.page("/sign-in").banners[0]
    assert all(r.ended_at is not None for r in session_rows(app))
    client.set_cookie(COOKIE, cookie.value)  # replayed after signing out
    assert signed_in_name(client) is None
    assert [e.action for e in audit_rows(app)][-1] == "sign_out"


def test_sign_out_is_a_post(client, account):
    sign_in(client)

    assert client.get("/sign-out").status_code == 405
    assert signed_in_name(client) == NAME


def test_a_session_ends_after_the_idle_time(app, client, account):
    sign_in(client)
    assert app.config["SESSION_IDLE_MINUTES"] == 30  # from the default profile
    idle = dt.timedelta(minutes=30, seconds=5)
    with get_storage(app).sessions() as db, db.begin():
        db.execute(update(UserSession).values(last_seen_at=now() - idle))

    assert signed_in_name(client) is None
    assert session_rows(app)[-1].ended_at is not None


def test_activity_keeps_a_session_alive_and_its_time_is_written_at_most_once_a_minute(
    app, client, account
):
    sign_in(client)
    with get_storage(app).sessions() as db, db.begin():
        db.execute(update(UserSession).values(last_seen_at=now() - dt.timedelta(minutes=29)))
    assert signed_in_name(client) == NAME  # 29 minutes idle: still signed in, and seen now
    seen = session_rows(app)[-1].last_seen_at
    assert now() - seen < dt.timedelta(seconds=30)

    assert signed_in_name(client) == NAME  # a second later: not written again
    assert session_rows(app)[-1].last_seen_at == seen


def test_a_session_ends_after_the_longest_time_however_busy(app, client, account):
    sign_in(client)
    assert app.config["SESSION_MAX_HOURS"] == 12
    assert signed_in_name(client) == NAME  # last seen just now
    with get_storage(app).sessions() as db, db.begin():
        db.execute(update(UserSession).values(created_at=now() - dt.timedelta(hours=12, minutes=1)))

    assert signed_in_name(client) is None


def test_a_disabled_account_is_signed_out_at_its_next_request(app, client, account):
    sign_in(client)
    with get_storage(app).sessions() as db, db.begin():  # disabled in the database itself
        db.execute(update(User).values(disabled=True))

    assert signed_in_name(client) is None
    assert session_rows(app)[-1].ended_at is not None
    assert password_step(client).status_code == 200  # and cannot sign in again


def test_disabling_an_account_ends_all_its_sessions(app, client, account):
    sign_in(client)
    with app.app_context():
        accounts.disable(EMAIL, actor="system:test")

    assert all(r.ended_at is not None for r in session_rows(app))
    assert signed_in_name(client) is None


def test_signed_in_the_sign_in_page_goes_on(client, account):
    sign_in(client)

    assert client.get("/sign-in?next=/hub/").headers["Location"] == "/hub/"


# -- hashes and limits -----------------------------------------------------------------------


def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(app, client, account):
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with get_storage(app).sessions() as db, db.begin():
        db.execute(update(User).values(password_hash=old))

    password_step(client)

    renewed = user_row(app).password_hash
    assert renewed != old and renewed is not None
    assert not passwords.needs_rehash(renewed) and passwords.verify(renewed, PASSWORD)


def test_password_attempts_are_rate_limited_per_address(app, client, parse):
    page = client.page("/sign-in")
    for _ in range(10):
        client.submit("/sign-in", {"email": "someone@council.example", "password": ""}, page=page)

    limited = parse(
        client.submit("/sign-in", {"email": "someone@council.example", "password": ""}, page=page)
    )

    assert limited.response.status_code == 429
    assert limited.h1 == "Too many attempts"
    assert client.get("/sign-in").status_code == 200  # reading the page is not limited


def test_the_session_times_come_from_the_council_profile(make_app, tmp_path):
    folder = tmp_path / "short-sessions"
    folder.mkdir()
    (folder / "profile.yaml").write_text(
        "name: Short Sessions Council\nsessions:\n  idle_minutes: 10\n  absolute_hours: 4\n",
        encoding="utf-8",
    )

    app = make_app("sqlite", PROFILE=str(folder))

    assert (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_MAX_HOURS"]) == (10, 4)

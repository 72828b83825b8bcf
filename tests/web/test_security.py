"""The web service's security promises (docs: SECURITY.md, "Web" and "Data"): CSRF on every
change, headers, the session cookie, refusing to start unsafely, size limits, error pages
without internals, user text escaped, and a private, durable SQLite file."""

from __future__ import annotations

import io
import json
import re
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from ehdocs.errors import ConfigError
from ehdocs.storage import CaseStore, get_storage
from ehdocs.web import create_app
from tests.factories import make_case
from tests.web.accounts import hub_client

if TYPE_CHECKING:
    from tests.web.conftest import Page, QualityClient

Parse = Callable[[TestResponse], "Page"]
NAMES = ("Sam", "Kerry", "Morgan")  # the people of make_case()
STRONG_KEY = secrets.token_hex(32)


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """These tests are about the web layer: SQLite is enough."""
    return make_app("sqlite")


@pytest.fixture
def case_id(app: Flask) -> int:
    return get_storage(app).cases.create(make_case()).id


def session_of(app: Flask, response: TestResponse) -> dict[str, Any] | None:
    """The Flask session a response sets, decoded (it is signed, not encrypted)."""
    name = app.config["SESSION_COOKIE_NAME"]
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            value = header.split(";", 1)[0].split("=", 1)[1]
            serializer = app.session_interface.get_signing_serializer(app)  # type: ignore
            assert serializer is not None
            decoded: dict[str, Any] = serializer.loads(value)
            return decoded
    return None


def cookie_header(response: TestResponse, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[0]


# -- CSRF ---------------------------------------------------------------------------------------


def test_a_new_case_without_a_csrf_token_is_refused(
    client: QualityClient, parse: Parse, app: Flask
) -> None:
    response = client.post("/cases/new", data={"reference": "EH-1", "family_name": "Okonjo"})
    assert response.status_code == 400
    page = parse(response)
    assert page.h1 == "Sorry, there is a problem with your request"
    assert "Your session has expired or the page was out of date" in page.text
    assert get_storage(app).cases.list() == []


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("documents/n1/sections/referrer", {"referrer-name": "Changed", "action": "continue"}),
        ("documents/n1/check", {}),
        ("documents/new/plan", {}),
        ("records/person/new", {"person-given_name": "New", "person-category": "child"}),
        ("records/person/p1", {"person-given_name": "Changed", "person-category": "child"}),
        ("records/person/c1/remove", {}),
    ],
)
def test_every_change_needs_a_csrf_token(
    client: QualityClient, app: Flask, case_id: int, path: str, fields: dict[str, str]
) -> None:
    before = get_storage(app).cases.get(case_id)
    for token in (None, "not-a-token"):
        data = {**fields, "version": str(before.version)}
        if token is not None:
            data["csrf_token"] = token
        response = client.post(f"/cases/{case_id}/{path}", data=data)
        assert response.status_code == 400, (path, token)
    after = get_storage(app).cases.get(case_id)
    assert (after.version, after.raw) == (before.version, before.raw)


def test_a_token_from_another_session_is_refused(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    theirs = hub_client(app).page("/cases/new").csrf_token
    response = client.post("/cases/new", data={"csrf_token": theirs, "reference": "EH-9"})
    assert response.status_code == 400
    assert len(get_storage(app).cases.list()) == 1


def test_a_post_without_the_answers_fingerprint_is_refused(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    url = f"/cases/{case_id}/documents/n1/sections/referrer"
    response = client.submit(url, {"answers": None, "referrer-name": "Changed"}, action="continue")
    assert response.status_code == 400
    assert get_storage(app).cases.get(case_id).version == 1


# -- headers --------------------------------------------------------------------------------------


CASE_PAGES = [
    "/cases/",
    "/cases/new",
    "/cases/{id}",
    "/cases/{id}/records/person",
    "/cases/{id}/records/person/c1",
    "/cases/{id}/documents/n1/sections/referrer",
    "/cases/{id}/documents/n1/check",
    "/cases/999999",
]


@pytest.mark.parametrize("url", CASE_PAGES)
def test_security_headers(client: QualityClient, parse: Parse, case_id: int, url: str) -> None:
    response = client.get(url.format(id=case_id))
    csp = response.headers["Content-Security-Policy"]
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    nonces = re.findall(r"'nonce-([^']+)'", directives["script-src"])
    assert len(nonces) == 1
    scripts = parse(response).all("script")
    assert scripts, "the layout's scripts"
    for script in scripts:
        assert script.get("nonce") == nonces[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_each_page_has_its_own_nonce(client: QualityClient) -> None:
    first = client.get("/cases/").headers["Content-Security-Policy"]
    second = client.get("/cases/").headers["Content-Security-Policy"]
    assert re.search(r"'nonce-([^']+)'", first) and first != second


@pytest.mark.parametrize("url", CASE_PAGES)
def test_pages_need_no_inline_styles_or_handlers(
    client: QualityClient, parse: Parse, case_id: int, url: str
) -> None:
    """The CSP allows no inline style or script handlers: a page that used one would break."""
    page = parse(client.get(url.format(id=case_id)))
    assert not page.all("style")
    for element in page.root.iter():
        for attribute in element.attrib:
            assert attribute != "style", (element.tag, element.attrib)
            assert not attribute.startswith("on"), (element.tag, attribute)


def test_downloads_are_not_cached(client: QualityClient, case_id: int) -> None:
    response = client.get(f"/cases/{case_id}/documents/n1/family.docx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# -- the session cookie -------------------------------------------------------------------------


def test_session_cookie_flags(client: QualityClient, app: Flask) -> None:
    response = client.get("/cases/new")  # a form: the CSRF secret goes in the session
    header = cookie_header(response, "ehdocs_session")
    flags = [f.strip().lower() for f in header.split(";")[1:]]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # plain http on a developer's machine and in tests


def test_session_cookie_is_secure_in_production(
    monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    monkeypatch.setenv("EHDOCS_ENV", "production")
    app = make_app("sqlite", TESTING=False, ENV_NAME="production", SECRET_KEY=STRONG_KEY)
    client = hub_client(app, base_url="https://ehdocs.example")
    response = client.get("/cases/new", base_url="https://ehdocs.example")
    header = cookie_header(response, "ehdocs_session")
    assert "secure" in [f.strip().lower() for f in header.split(";")]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_secure_when_configured_for_production(
    monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    monkeypatch.delenv("EHDOCS_ENV", raising=False)
    app = make_app("sqlite", TESTING=False, ENV_NAME="production", SECRET_KEY=STRONG_KEY)
    client = hub_client(app, base_url="https://ehdocs.example")
    response = client.get("/cases/new", base_url="https://ehdocs.example")
    header = cookie_header(response, "ehdocs_session")
    assert "secure" in [f.strip().lower() for f in header.split(";")]


def test_session_cookie_holds_no_personal_data(
    client: QualityClient, app: Flask, case_id: int
) -> None:
    """Walk through pages that show, change and flash about people; decode every cookie."""
    sessions = []

    def keep(response: TestResponse) -> TestResponse:
        decoded = session_of(app, response)
        if decoded is not None:
            sessions.append(decoded)
        return response

    base = f"/cases/{case_id}"
    keep(client.get(base))
    keep(client.submit(f"{base}/records/person/p1", {"person-known_as": "Kez"}))
    keep(client.get(f"{base}/records/person"))
    keep(client.submit(f"{base}/documents/n1/sections/referrer", action="later"))
    keep(client.get(base))
    keep(client.submit(f"{base}/records/person/p1/remove"))  # refused: named in a document
    assert sessions, "no session cookie was decoded"
    dumped = json.dumps(sessions, default=str)
    assert "_flashes" in dumped, "flash messages travel in the cookie: they must be checked"
    for name in (*NAMES, "Kez"):
        assert name not in dumped, name


# -- refusing to start unsafely --------------------------------------------------------------------


def _production(tmp_path: Path, **config: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "ENV_NAME": "production",
        "TESTING": False,
        "DEBUG": False,
        "SECRET_KEY": STRONG_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'ehdocs.sqlite3'}",
        "DATA_DIR": tmp_path / "data",
    }
    settings.update(config)
    return settings


@pytest.mark.parametrize(
    "key",
    [
        "",
        "dev",
        "secret",
        "changeme",
        "short-but-random-x9",
        "a" * 64,
        "abababababababababababab" * 2,
    ],
)
def test_production_refuses_a_weak_secret_key(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="EHDOCS_SECRET_KEY"):
        create_app(_production(tmp_path, SECRET_KEY=key))
    assert not (tmp_path / "db").exists(), "refused before touching the database"


def test_production_refuses_debug(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="EHDOCS_DEBUG"):
        create_app(_production(tmp_path, DEBUG=True))


def test_production_refuses_debug_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EHDOCS_DEBUG", "1")
    settings = _production(tmp_path)
    del settings["DEBUG"]
    with pytest.raises(ConfigError):
        create_app(settings)


def test_production_starts_with_a_strong_key(tmp_path: Path) -> None:
    app = create_app(_production(tmp_path))
    try:
        assert app.config["SECRET_KEY"] == STRONG_KEY
        assert not app.debug
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
    finally:
        get_storage(app).close()


def test_development_makes_a_fresh_key_each_start(make_app: Callable[..., Flask]) -> None:
    first = make_app("sqlite", SECRET_KEY="")
    second = make_app("sqlite", SECRET_KEY="")
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]


# -- size limits and error pages -------------------------------------------------------------------


def test_a_huge_post_gets_the_too_big_page(
    client: QualityClient, parse: Parse, app: Flask, case_id: int
) -> None:
    url = f"/cases/{case_id}/documents/n1/sections/referrer"
    page = client.page(url)
    data = {**page.form_data().to_dict(), "referrer-name": "x" * (20 * 1024 * 1024)}
    data["action"] = "continue"
    response = client.post(url, data=data)
    assert response.status_code == 413
    shown = parse(response)  # a page of answers: the refusal talks about answers, not files
    assert shown.h1 == "Your answers are too long to save"
    assert "MB" not in shown.text
    assert get_storage(app).cases.get(case_id).version == 1
    # a file that big is a file too big
    response = client.post(
        url, data={**data, "file": (io.BytesIO(b"x" * 11 * 1024 * 1024), "big.pdf")}
    )
    assert response.status_code == 413
    assert parse(response).h1 == "The file is too big"
    assert "smaller than 10 MB" in parse(response).text


def test_too_many_form_parts_are_refused(client: QualityClient, app: Flask, case_id: int) -> None:
    url = f"/cases/{case_id}/documents/n1/sections/referrer"
    page = client.page(url)
    data: dict[str, Any] = {**page.form_data().to_dict(), "action": "continue"}
    data.update({f"extra-{i}": "x" for i in range(app.config["MAX_FORM_PARTS"] + 10)})
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert get_storage(app).cases.get(case_id).version == 1


def test_a_huge_row_count_is_capped(client: QualityClient, app: Flask, case_id: int) -> None:
    url = f"/cases/{case_id}/documents/n1/sections/significant_others"
    response = client.submit(url, {"significant_others-significant_others-rows": "999999999"})
    assert response.status_code in (200, 302)
    data = get_storage(app).cases.get(case_id).raw["documents"][0]["data"]
    assert len(data.get("significant_others", {}).get("significant_others", [])) <= 200


@pytest.mark.parametrize("testing", [True, False])
def test_an_unexpected_error_shows_no_internals(
    monkeypatch: pytest.MonkeyPatch,
    make_app: Callable[..., Flask],
    parse: Parse,
    caplog: pytest.LogCaptureFixture,
    testing: bool,
) -> None:
    app = make_app("sqlite", TESTING=testing, ENV_NAME="development")
    get_storage(app).cases.create(make_case())

    def broken(self: CaseStore, *where: Any) -> list[Any]:
        raise RuntimeError("secret detail: Sam Morgan, /srv/ehdocs/db")

    monkeypatch.setattr(CaseStore, "list", broken)
    response = hub_client(app).get("/cases/")
    assert response.status_code == 500
    page = parse(response)
    assert page.h1 == "Sorry, there is a problem with the service"
    for leak in ("Traceback", "RuntimeError", "secret detail", "Sam Morgan", "/srv/", ".py"):
        assert leak not in page.html, leak
    assert response.headers["Cache-Control"] == "no-store"
    assert any("Unexpected error: RuntimeError" in r.getMessage() for r in caplog.records)


# -- user text is escaped ------------------------------------------------------------------------


def test_user_text_is_shown_literally(
    client: QualityClient, parse: Parse, app: Flask, case_id: int
) -> None:
    hostile = "<script>alert(1)</script>{{ 7*7 }}{% raw %}\"'&"
    layout_scripts = len(client.page("/cases/new").all("script"))
    client.submit(f"/cases/{case_id}/records/person/c1", {"person-known_as": hostile})
    assert get_storage(app).cases.get(case_id).raw["people"][0]["known_as"] == hostile
    for url in (f"/cases/{case_id}/records/person/c1",):
        page = client.page(url)
        assert page.value("person-known_as") == hostile
        assert len(page.all("script")) == layout_scripts
        assert "49" not in (page.value("person-known_as") or "")
    client.submit(
        f"/cases/{case_id}/documents/n1/sections/referrer",
        {"referrer-agency": hostile},
        action="later",
    )
    check = client.page(f"/cases/{case_id}/documents/n1/check")
    assert hostile in check.text
    assert len(check.all("script")) == layout_scripts


# -- SQLite --------------------------------------------------------------------------------------


def test_sqlite_file_is_private(app: Flask, case_id: int) -> None:
    database = Path(make_url(app.config["DATABASE_URL"]).database or "")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    for extra in ("-wal", "-shm"):
        companion = database.with_name(database.name + extra)
        if companion.exists():
            assert stat.S_IMODE(companion.stat().st_mode) & 0o077 == 0, companion


def test_sqlite_pragmas(app: Flask) -> None:
    engine = get_storage(app).engine
    with engine.connect() as connection:

        def pragma(name: str) -> Any:
            return connection.execute(text(f"PRAGMA {name}")).scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 15000

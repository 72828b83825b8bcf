"""EHDOCS_ENV: matched whatever its spelling, refused when unknown; production's protections
(Secure cookie, HSTS, no development server, no demo data, no test-only files) always hold."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from ehdocs.errors import ConfigError
from ehdocs.web import create_app
from ehdocs.web.environment import environment_name
from tests.web.accounts import hub_client

STRONG_KEY = secrets.token_hex(32)


@pytest.mark.parametrize("spelling", ["production", "Production", "PRODUCTION", " prod ", "live"])
def test_production_whatever_its_spelling_has_secure_cookies_and_hsts(
    spelling: str, monkeypatch: pytest.MonkeyPatch, make_app: Callable[..., Flask]
) -> None:
    monkeypatch.setenv("EHDOCS_ENV", spelling)
    app = make_app("sqlite", TESTING=False, ENV_NAME=spelling, SECRET_KEY=STRONG_KEY)
    assert app.config["ENV_NAME"] == "production"
    client = hub_client(app, base_url="https://ehdocs.example")
    response = client.get("/cases/new", base_url="https://ehdocs.example")
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("ehdocs_session=")
    )
    assert "secure" in [f.strip().lower() for f in cookie.split(";")]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_cookie_cannot_be_configured_insecure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path))
    app = create_app(
        {
            "ENV_NAME": "Production",
            "SECRET_KEY": STRONG_KEY,
            "SESSION_COOKIE_SECURE": False,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("value", ["prodution", "productoin", "qa", "Live-ish"])
def test_an_unknown_environment_is_refused(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EHDOCS_ENV", value)
    with pytest.raises(ConfigError) as refused:
        create_app()
    message = str(refused.value)
    assert value in message and "production" in message and "development" in message


def test_names_are_matched_whatever_their_spelling() -> None:
    assert environment_name(None) == "development"
    assert environment_name("") == "development"
    assert environment_name("Development") == "development"
    assert environment_name("TEST") == "test"
    assert environment_name("Staging") == "staging"


def test_serve_refuses_the_development_server_in_production(
    run_cli: Callable[..., object], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("EHDOCS_ENV", "Production")
    monkeypatch.setenv("EHDOCS_SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)

    served = run_cli("serve", "--port", "1")
    examples = run_cli("serve", "--load-examples", "--port", "1")

    assert served.code == 1  # type: ignore[attr-defined]
    assert "never for a live service" in served.err  # type: ignore[attr-defined]
    assert "gunicorn" in served.err  # type: ignore[attr-defined]
    assert examples.code == 1  # type: ignore[attr-defined]
    assert "never for a live service" in examples.err  # type: ignore[attr-defined]
    assert "Loaded example case" not in examples.out  # type: ignore[attr-defined]


@pytest.mark.parametrize("env_name", ["development", "staging", "production"])
def test_test_only_files_are_served_only_to_tests(
    env_name: str, make_app: Callable[..., Flask]
) -> None:
    axe = Path(__file__).resolve().parents[2] / "ehdocs/web/static/build/test/axe.min.js"
    if not axe.exists():
        pytest.skip("built assets missing: run script/build-assets")
    live = make_app("sqlite", TESTING=False, ENV_NAME=env_name, SECRET_KEY=STRONG_KEY)
    assert live.test_client().get("/static/build/test/axe.min.js").status_code == 404
    assert live.test_client().get("/static/build/ehdocs.css").status_code == 200
    testing = make_app("sqlite")
    assert testing.test_client().get("/static/build/test/axe.min.js").status_code == 200

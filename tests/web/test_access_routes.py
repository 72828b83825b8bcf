"""Every route has a rule in the access policy; what happens to a request without one, and to a
request from someone not signed in."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.access.policy import rule_of
from ehdocs.errors import ConfigError
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry
from ehdocs.web import create_app
from tests.web.accounts import hub_client
from tests.web.conftest import QualityClient


def unruled(app: Flask) -> list[str]:
    return sorted(
        {
            r.endpoint
            for r in app.url_map.iter_rules()
            if r.endpoint != "static" and rule_of(app.view_functions[r.endpoint]) is None
        }
    )


def test_every_route_has_a_rule(make_app: Callable[..., Flask]) -> None:
    app = make_app("sqlite")
    assert len(list(app.url_map.iter_rules())) > 20
    assert unruled(app) == []


def test_a_route_without_a_rule_is_found_and_refused(make_app: Callable[..., Flask]) -> None:
    app = make_app("sqlite")
    app.add_url_rule("/forgotten", "forgotten", lambda: "case content")
    assert unruled(app) == ["forgotten"]
    response = hub_client(app).get("/forgotten")
    assert response.status_code == 403
    assert "case content" not in response.get_data(as_text=True)
    with get_storage(app).sessions() as db:
        last = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.action, last.outcome) == ("route.no_rule", "refused")


def test_public_pages_need_no_sign_in(anonymous: QualityClient) -> None:
    for url in ("/forms", "/forms/notification.docx", "/health", "/healthz", "/accessibility"):
        assert anonymous.get(url).status_code == 200, url
    assert anonymous.get("/static/favicon.svg").status_code == 200
    assert anonymous.get("/health").get_data(as_text=True) == "ok"


def test_a_page_sends_someone_not_signed_in_to_sign_in(anonymous: QualityClient) -> None:
    for url, back in (("/cases/", "/cases/"), ("/hub/?show=handled", "/hub/%3Fshow%3Dhandled")):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/sign-in?next={back}"


def test_a_post_from_someone_not_signed_in_is_refused(make_app: Callable[..., Flask]) -> None:
    app = make_app("sqlite", WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/cases/new", data={"reference": "EH-1"})
    assert response.status_code == 401
    assert get_storage(app).cases.list() == []
    with get_storage(app).sessions() as db:
        last = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert (last.actor, last.action, last.outcome) == ("anonymous", "case.create", "refused")


def test_access_checks_cannot_be_switched_off_in_production(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be switched off outside development"):
        create_app(
            {
                "ENV_NAME": "production",
                "SECRET_KEY": secrets.token_hex(32),
                "DATA_DIR": str(tmp_path),
                "ACCESS_CHECKS": False,
            }
        )

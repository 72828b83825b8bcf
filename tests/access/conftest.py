"""Access fixtures: the web apps (SQLite and PostgreSQL) and a real OIDC provider on loopback."""

from __future__ import annotations

from tests.oidc_provider import oidc_provider  # noqa: F401
from tests.web.conftest import app, app_builder, make_app, parse, pg_server  # noqa: F401

"""The web service's configuration: the shared settings (ehdocs.storage.config) and those only
the web needs (the secret key, cookies, upload limits), checked before the app starts."""

from __future__ import annotations

import os
import secrets
from typing import Any

from ehdocs.errors import ConfigError
from ehdocs.storage import config as shared
from ehdocs.web.environment import DEVELOPMENT, PRODUCTION, environment_name

WEAK_KEYS = {"", "dev", "development", "secret", "changeme", "change-me", "test"}


def from_environment(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    config = shared.from_environment()
    config.update(
        {
            "ENV_NAME": env.get("EHDOCS_ENV"),
            "DEBUG": env.get("EHDOCS_DEBUG", "") == "1",
            "SECRET_KEY": env.get("EHDOCS_SECRET_KEY", ""),
            "MAX_CONTENT_LENGTH": int(env.get("EHDOCS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
            "MAX_FORM_PARTS": 5000,
            "SESSION_COOKIE_NAME": "ehdocs_session",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "PERMANENT_SESSION_LIFETIME": 8 * 3600,
            "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a working day: a long form must not expire mid-way
            # Where sign-in attempts are counted: memory (one process), or e.g. redis://… shared
            # by the processes of one service.
            "RATELIMIT_STORAGE_URI": env.get("EHDOCS_RATELIMIT_STORAGE", "memory://"),
            "TESTING": False,
            # Single sign-on (ehdocs.access.oidc): off unless the issuer is set.
            "OIDC_ISSUER": env.get("EHDOCS_OIDC_ISSUER") or None,
            "OIDC_CLIENT_ID": env.get("EHDOCS_OIDC_CLIENT_ID") or None,
            "OIDC_CLIENT_SECRET": env.get("EHDOCS_OIDC_CLIENT_SECRET") or None,
            "OIDC_SCOPE": env.get("EHDOCS_OIDC_SCOPE") or None,
            # The callback as registered at the provider; default: from the request's host.
            "OIDC_REDIRECT_URI": env.get("EHDOCS_OIDC_REDIRECT_URI") or None,
        }
    )
    config.update(overrides or {})
    # Matched whatever its spelling (Production, PROD…); an unknown name is refused.
    config["ENV_NAME"] = environment_name(config["ENV_NAME"])
    # Worked out after the overrides: a production app always sends its cookie over HTTPS only.
    if config["ENV_NAME"] == PRODUCTION:
        config["SESSION_COOKIE_SECURE"] = True
    config.setdefault("SESSION_COOKIE_SECURE", False)
    return config


def check(config: dict[str, Any]) -> None:
    """Refuse to start outside development with debug on or without a strong secret key."""
    if config["ENV_NAME"] == DEVELOPMENT or config.get("TESTING"):
        if not config["SECRET_KEY"]:
            # A fresh key each start: sessions end on restart, which is fine on a laptop.
            config["SECRET_KEY"] = secrets.token_hex(32)
        return
    if config.get("ACCESS_CHECKS") is False:  # bench/bench_access.py's setting, never live
        raise ConfigError("Access checks cannot be switched off outside development")
    if config["DEBUG"]:
        raise ConfigError(
            "EHDOCS_DEBUG is on outside development: turn it off (debug pages show code and data)"
        )
    key = config["SECRET_KEY"]
    if key.lower() in WEAK_KEYS or len(key) < 32 or len(set(key)) < 10:
        raise ConfigError(
            "Set EHDOCS_SECRET_KEY to a strong random value of at least 32 "
            "characters, e.g. from: python -c 'import secrets; "
            "print(secrets.token_hex(32))'"
        )

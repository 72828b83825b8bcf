"""Rate limits on what can be guessed at (passwords, one-time codes), per client address.

Counts are kept in memory by default: right for one service process. A service run as several
processes sets EHDOCS_RATELIMIT_STORAGE (e.g. redis://…) so they share one count.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# One Limiter for the module, so views can be decorated at import. Its counts live in the
# storage made by the last init_app: one per process in service, a fresh one for each test app.
limiter = Limiter(key_func=get_remote_address)


def init_app(app: Flask) -> None:
    app.config.setdefault("SIGN_IN_RATE_LIMIT", "10 per minute")
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def sign_in_limit() -> str:
    """Attempts at a password or a code from one address (EHDOCS' SIGN_IN_RATE_LIMIT)."""
    return str(current_app.config["SIGN_IN_RATE_LIMIT"])

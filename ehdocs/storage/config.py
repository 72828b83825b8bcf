"""The settings every way in shares (the web service, `ehdocs ingest`, the CLI): where the data
lives, which database, which council profile, and how replies to senders are sent."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def from_environment(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    data_dir = Path(env.get("EHDOCS_DATA_DIR", "instance")).resolve()
    config: dict[str, Any] = {
        "DATA_DIR": data_dir,
        "DATABASE_URL": env.get("DATABASE_URL", f"sqlite:///{data_dir / 'ehdocs.sqlite3'}"),
        "PROFILE": env.get("EHDOCS_PROFILE") or None,
        # Replies to people who send forms to the hub: smtp://host:port, smtps://host:port
        "SMTP_URL": env.get("EHDOCS_SMTP_URL") or None,
        "MAIL_FROM": env.get("EHDOCS_MAIL_FROM") or None,
        # The council's mail server's authserv-id (RFC 8601) in Authentication-Results.
        "MAIL_AUTHSERV_ID": env.get("EHDOCS_MAIL_AUTHSERV_ID") or None,
        # Where people reach the service (https://ehdocs.council.example), for links in e-mails
        # sent outside a request, such as the daily reminders.
        "PUBLIC_URL": env.get("EHDOCS_PUBLIC_URL") or None,
    }
    config.update(overrides or {})
    return config


def received_folder(config: Mapping[str, Any]) -> Path:
    """Where received files are kept until they are handled."""
    return Path(config["DATA_DIR"]) / "received"

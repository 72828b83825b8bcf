"""Ingestion tests: real mail servers on loopback (Dovecot, an aiosmtpd catcher), a real
SQLite file, parser processes really started."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ehdocs.storage import get_storage
from ehdocs.web import create_app
from tests.mailservers import dovecot, smtp_catcher  # noqa: F401

HUB_ADDRESS = "earlyhelp@council.example"
AUTHSERV_ID = "mx.council.example"  # the council's mail server, in Authentication-Results


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The service's data folder (SQLite database, received files), for the CLI and the app."""
    folder = tmp_path / "data"
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("EHDOCS_SMTP_URL", raising=False)
    monkeypatch.setenv("EHDOCS_MAIL_AUTHSERV_ID", AUTHSERV_ID)
    return folder


def hub_app(data_dir: Path, **config: Any) -> Flask:
    settings: dict[str, Any] = {
        "TESTING": True,
        "ENV_NAME": "test",
        "WTF_CSRF_ENABLED": False,
        "DATA_DIR": data_dir,
        "DATABASE_URL": f"sqlite:///{data_dir / 'ehdocs.sqlite3'}",
    }
    settings.update(config)
    return create_app(settings)


def close_app(app: Flask) -> None:
    app.extensions["ehdocs.ingestor"].close()
    get_storage(app).close()

"""The versioned copy of form_schemas (tests/versions/schemas.py), its form sets, and a fresh
database on SQLite and on PostgreSQL (the web suite's server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ehdocs.schema import FormSet, load_formset
from tests.versions.schemas import versioned_schemas
from tests.web.conftest import DATABASES, pg_server  # noqa: F401  (the session's server)


@pytest.fixture(scope="session")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return versioned_schemas(tmp_path_factory.mktemp("versioned") / "form_schemas")


@pytest.fixture(scope="session")
def v3(schemas: Path) -> FormSet:
    """The form set whose notification is at version 3."""
    return load_formset(schema_dir=schemas)


@pytest.fixture(scope="session")
def v1() -> FormSet:
    """Today's forms: the notification at version 1, as the cases were written."""
    return load_formset()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ehdocs.sqlite3'}"
        return
    server = request.getfixturevalue("pg_server")
    name = server.create_database()
    yield server.url(name)
    server.drop_database(name)

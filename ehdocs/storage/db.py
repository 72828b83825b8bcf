"""Database engine and migrations: SQLite by default (WAL, synchronous=FULL, foreign keys,
busy timeout, a private file), PostgreSQL for real deployments; Alembic migrates on start."""

from __future__ import annotations

import fcntl
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _private_file(path: Path) -> None:
    """Create the database file 0600 in a 0700 folder before SQLite does (it would use 0644)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a saved draft survives a power cut
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten, not left
    cursor.execute("PRAGMA busy_timeout=15000")
    # 64 MB of page cache per connection (the default is 2 MB): the performance report reads
    # its index tables whole (bench/bench_report.py: 1.5 s with the default, 1.2 s with this).
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


# A session opened with this execution option starts its SQLite transaction with BEGIN
# IMMEDIATE: it takes the database's write lock before its first read, so what it reads cannot
# change before it writes (the audit chain reads the last hash, then appends after it).
IMMEDIATE = {"ehdocs_sqlite_begin": "IMMEDIATE"}


def _sqlite_begin(connection: Connection) -> None:
    """SQLAlchemy's recipe for pysqlite's transactions, for the sessions that ask for it.

    pysqlite begins a transaction lazily, just before the first INSERT/UPDATE/DELETE, so a
    read that comes first is outside it. Emitting BEGIN IMMEDIATE ourselves starts the
    transaction at once with the write lock held (waiting up to the busy timeout for it);
    pysqlite then sees a transaction open and adds no BEGIN of its own. Other sessions keep
    pysqlite's lazy BEGIN: a deferred BEGIN on every read-then-write transaction would fail
    at once with SQLITE_BUSY when another writer committed in between.
    """
    if connection.get_execution_options().get("ehdocs_sqlite_begin") == "IMMEDIATE":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the schema up to date; a fresh database is created here on first start.

    gunicorn starts several workers at once and each calls this: a lock makes one of them
    migrate while the others wait and then find nothing to do.
    """
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # Held by the session until unlocked: one migrator across all hosts and workers.
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # SQLite lives on one host: a file lock suffices
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


_LOCK_KEY = 0x65686463  # "ehdc"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def sync_rows(session: Session, model: Any, case_id: int, rows: Sequence[dict[str, Any]]) -> None:
    """Make `model`'s rows of one case equal `rows` (dicts of its columns, case_id included),
    changing only the rows that differ: one SELECT, then a DELETE of the rows no longer there
    and an INSERT of the new ones. A save usually adds or changes a row or two of dozens, and
    deleting and inserting all of them costs PostgreSQL index work on every one."""
    if not rows:
        session.execute(delete(model).where(model.case_id == case_id))
        return
    names = [name for name in rows[0] if name != "case_id"]
    columns = [getattr(model, name) for name in names]
    wanted = Counter(tuple(row[name] for name in names) for row in rows)
    stale: list[int] = []
    for found in session.execute(select(model.id, *columns).where(model.case_id == case_id)):
        key = tuple(found[1:])
        if wanted[key] > 0:
            wanted[key] -= 1  # already there: kept as it is
        else:
            stale.append(found[0])
    if stale:
        session.execute(delete(model).where(model.id.in_(stale)))
    new = [{"case_id": case_id, **dict(zip(names, key, strict=True))}
           for key, count in wanted.items() for _ in range(count)]  # fmt: skip
    if new:
        session.execute(insert(model), new)

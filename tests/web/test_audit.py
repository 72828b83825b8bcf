"""The audit trail's hash chain, on SQLite and PostgreSQL: appends one at a time under
concurrency, `verify` and `ehdocs audit verify` find an edited or deleted row, a failure to
write an entry raises and leaves nothing half-done, and on PostgreSQL the web service's role
cannot change the trail (a grant) nor can its owner (a trigger)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import ehdocs.cli
from ehdocs.access import audit
from ehdocs.errors import AuditError
from ehdocs.storage import get_storage
from ehdocs.storage.db import make_engine, session_factory
from ehdocs.storage.models import AuditEntry, Organisation

THREADS, EACH = 4, 50


def _entries(app: Flask) -> list[AuditEntry]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _fill(app: Flask, count: int) -> None:
    with app.app_context():
        for n in range(count):
            audit.record("case.view", case_id=n % 3 + 1, document="n1", actor=f"p{n}@example.org")


def _engine(app: Flask) -> Engine:
    return get_storage(app).engine


def _tamper(app: Flask, sql: str) -> None:
    """Change the table behind the service's back, as someone with the owner's rights can."""
    with _engine(app).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
        connection.exec_driver_sql(sql)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE audit_entries ENABLE TRIGGER USER")


def _cli(app: Flask, *args: str) -> int:
    return ehdocs.cli.main([*args, "--database", app.config["DATABASE_URL"]])


# -- appending --------------------------------------------------------------------------------


def test_concurrent_writers_make_one_chain(app: Flask) -> None:
    failures: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def write(worker: int) -> None:
        try:
            with app.app_context():
                start.wait()
                for n in range(EACH):
                    audit.record("case.view", case_id=n, actor=f"worker{worker}@example.org")
        except BaseException as exc:  # noqa: B036 - reported by the test
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    entries = _entries(app)
    assert len(entries) == THREADS * EACH
    assert len({e.prev_hash for e in entries}) == THREADS * EACH  # no fork in the chain
    assert entries[0].prev_hash == audit.GENESIS
    assert audit.verify(get_storage(app).sessions) is None
    assert [e.at for e in entries] == sorted(e.at for e in entries)


def test_an_entry_names_who_and_what_never_more(app: Flask) -> None:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        audit.record("case.download", case_id=4, document="n1", detail="family, pdf")
    (entry,) = _entries(app)
    assert (entry.actor, entry.address, entry.action, entry.outcome) == (
        "anonymous",
        "192.0.2.7",
        "case.download",
        "ok",
    )
    assert (entry.case_id, entry.document, entry.detail) == (4, "n1", "family, pdf")
    assert entry.hash == audit.entry_hash(entry)


def test_a_detail_long_enough_to_hold_case_content_is_refused(app: Flask) -> None:
    with app.app_context():
        audit.record("break_glass", detail="x" * audit.MAX_DETAIL)
        with pytest.raises(AuditError, match="at most 400"):
            audit.record("break_glass", detail="x" * (audit.MAX_DETAIL + 1))
    assert len(_entries(app)) == 1


# -- a failure to write -------------------------------------------------------------------------

REFUSE_INSERTS = {
    "sqlite": [
        "CREATE TRIGGER no_audit BEFORE INSERT ON audit_entries "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$",
        "CREATE TRIGGER no_audit BEFORE INSERT ON audit_entries "
        "FOR EACH ROW EXECUTE FUNCTION no_audit()",
    ],
}


def _break_audit_inserts(app: Flask) -> None:
    with _engine(app).begin() as connection:
        for statement in REFUSE_INSERTS[connection.dialect.name]:
            connection.exec_driver_sql(statement)


def test_a_failed_entry_raises_and_the_change_it_records_is_not_made(app: Flask) -> None:
    _fill(app, 2)
    _break_audit_inserts(app)
    with app.app_context():
        with pytest.raises(AuditError, match="could not be written"):
            audit.record("case.view", case_id=1)
        with pytest.raises(AuditError), audit.writing() as db:
            db.add(Organisation(name="Made with its audit entry", kind="partner"))
            db.flush()
            audit.record("account.change", detail="organisation added", session=db)
    with get_storage(app).sessions() as db:
        assert db.scalar(select(func.count()).select_from(Organisation)) == 0
        assert db.scalar(select(func.count()).select_from(AuditEntry)) == 2
    assert audit.verify(get_storage(app).sessions) is None


def test_a_change_and_its_entry_are_committed_together(app: Flask) -> None:
    with app.app_context(), audit.writing() as db:
        db.add(Organisation(name="Northtown Academy", kind="partner"))
        audit.record("account.change", detail="organisation added", session=db)
    with get_storage(app).sessions() as db:
        assert db.scalar(select(Organisation.name)) == "Northtown Academy"
        assert db.scalar(select(AuditEntry.action)) == "account.change"


# -- verifying ----------------------------------------------------------------------------------


def test_a_fresh_chain_verifies(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(app, "audit", "verify") == 0
    assert capsys.readouterr().out.strip() == "The audit trail is intact: 0 entries"
    _fill(app, 5)
    assert audit.verify(get_storage(app).sessions) is None
    assert _cli(app, "audit", "verify") == 0
    assert capsys.readouterr().out.strip() == "The audit trail is intact: 5 entries"


def test_a_row_edited_in_the_database_is_named(
    app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(app, 6)
    third = _entries(app)[2]
    _tamper(app, f"UPDATE audit_entries SET actor = 'x@example.org' WHERE id = {third.id}")
    assert audit.verify(get_storage(app).sessions) == third.id
    assert _cli(app, "audit", "verify") == 1
    err = capsys.readouterr().err
    assert f"broken at entry {third.id}, written {third.at:%Y-%m-%d %H:%M:%S} UTC" in err
    assert "content was changed" in err


def test_a_row_edited_with_its_hash_recomputed_is_named_by_the_next(app: Flask) -> None:
    _fill(app, 4)
    entries = _entries(app)
    forged = entries[1]
    forged.actor = "someone.else@example.org"
    _tamper(
        app,
        f"UPDATE audit_entries SET actor = '{forged.actor}', hash = '{audit.entry_hash(forged)}' "
        f"WHERE id = {forged.id}",
    )
    assert audit.verify(get_storage(app).sessions) == entries[2].id


def test_a_deleted_row_is_found(app: Flask, capsys: pytest.CaptureFixture[str]) -> None:
    _fill(app, 5)
    entries = _entries(app)
    _tamper(app, f"DELETE FROM audit_entries WHERE id = {entries[1].id}")
    assert audit.verify(get_storage(app).sessions) == entries[2].id
    assert _cli(app, "audit", "verify") == 1
    assert "does not follow the entry before it" in capsys.readouterr().err


def test_reordered_rows_are_found(app: Flask) -> None:
    _fill(app, 4)
    a, b = _entries(app)[1:3]
    _tamper(app, f"UPDATE audit_entries SET id = -1 WHERE id = {a.id}")
    _tamper(app, f"UPDATE audit_entries SET id = {a.id} WHERE id = {b.id}")
    _tamper(app, f"UPDATE audit_entries SET id = {b.id} WHERE id = -1")
    assert audit.verify(get_storage(app).sessions) == a.id


# -- the export from the shell -------------------------------------------------------------------


def test_export_writes_the_matching_entries_and_is_audited(
    app: Flask, tmp_path: pytest.TempPathFactory
) -> None:
    _fill(app, 6)
    out = tmp_path / "audit.csv"  # type: ignore[operator]
    code = _cli(app, "audit", "export", "--actor", "P1@example.org", "-o", str(out))
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Entry,Time (UTC),Who,Address,Action,Outcome,Case,Document,Detail"
    assert len(lines) == 2 and ",p1@example.org,,case.view,ok,2,n1," in lines[1]
    last = _entries(app)[-1]
    assert (last.action, last.actor, last.detail) == (
        "audit.export",
        "system",
        "csv, from the command line",
    )
    assert audit.verify(get_storage(app).sessions) is None


# -- PostgreSQL: the trigger and the web service's role ------------------------------------------


@pytest.fixture
def pg_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app("postgresql")


@pytest.fixture
def app_role(pg_app: Flask) -> Iterator[str]:
    role = f"ehdocs_web_{uuid.uuid4().hex[:8]}"
    with _engine(pg_app).begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
    yield role
    with _engine(pg_app).begin() as connection:
        connection.exec_driver_sql(f"DROP OWNED BY {role}")
        connection.exec_driver_sql(f"DROP ROLE {role}")


def _as(app: Flask, role: str) -> Engine:
    return make_engine(make_url(app.config["DATABASE_URL"]).set(username=role).render_as_string())


def test_the_owner_cannot_change_or_delete_an_entry(pg_app: Flask) -> None:
    _fill(pg_app, 3)
    for sql in (
        "UPDATE audit_entries SET actor = 'x@example.org'",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries",
    ):
        with pytest.raises(DBAPIError, match="append-only") as raised:
            with _engine(pg_app).begin() as connection:
                connection.execute(text(sql))
        assert isinstance(raised.value.orig, psycopg.errors.InsufficientPrivilege)
    assert len(_entries(pg_app)) == 3


def test_the_web_role_may_only_read_and_add_entries(
    pg_app: Flask, app_role: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(pg_app, 3)
    assert _cli(pg_app, "db", "grant-app-role", app_role) == 0
    assert "never change or delete them" in capsys.readouterr().out
    engine = _as(pg_app, app_role)
    try:
        with pg_app.app_context():  # the service, as its own role, still audits
            audit.record("case.view", case_id=1, sessions=session_factory(engine))
        assert audit.verify(session_factory(engine)) is None
        with engine.begin() as connection:  # and still works with the rest
            connection.execute(text("UPDATE cases SET profile = profile"))
        for sql in (
            "UPDATE audit_entries SET actor = 'x@example.org'",
            "DELETE FROM audit_entries",
            "TRUNCATE audit_entries",
        ):
            with pytest.raises(DBAPIError, match="permission denied for table audit_entries"):
                with engine.begin() as connection:
                    connection.execute(text(sql))
    finally:
        engine.dispose()
    assert len(_entries(pg_app)) == 4
    assert _cli(pg_app, "audit", "verify") == 0  # the owner checks the chain
    assert "intact: 4 entries" in capsys.readouterr().out


def test_a_role_name_is_checked_before_any_grant(
    pg_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(pg_app, "db", "grant-app-role", 'web"; DROP TABLE cases; --') == 2
    assert "is not a database role name" in capsys.readouterr().err
    assert _cli(pg_app, "db", "grant-app-role", "no_such_role") == 2
    assert "were not made" in capsys.readouterr().err


def test_grants_are_refused_on_sqlite(make_app: Callable[..., Flask]) -> None:
    app = make_app("sqlite")
    assert _cli(app, "db", "grant-app-role", "web") == 2

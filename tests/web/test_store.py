"""The case store on SQLite and PostgreSQL: create, read, save with optimistic locking,
validation before anything is written, page drafts, and migrations of a fresh database."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Engine, create_engine, event, inspect, text

from ehdocs.errors import ConflictError, InvalidCaseError, NotFoundError
from ehdocs.storage import CaseStore, get_storage
from ehdocs.storage.db import MIGRATIONS
from ehdocs.storage.models import Base
from tests.factories import make_case


@pytest.fixture
def store(app: Flask) -> CaseStore:
    return get_storage(app).cases


@pytest.fixture
def engine(app: Flask) -> Engine:
    found: Engine = get_storage(app).engine
    return found


def row(engine: Engine, case_id: int) -> tuple[Any, ...]:
    """The stored row as the database holds it, read around the store."""
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT reference, version, data FROM cases WHERE id = :id"), {"id": case_id}
        ).one()
        return tuple(found)


def renamed(raw: dict[str, Any], given_name: str) -> dict[str, Any]:
    changed = copy.deepcopy(raw)
    changed["people"][0]["given_name"] = given_name
    return changed


# -- create, get, save ----------------------------------------------------------------------------


def test_create_and_get(store: CaseStore) -> None:
    created = store.create(make_case())
    assert created.version == 1
    assert created.reference == "EH-2026-0001"
    got = store.get(created.id)
    assert (got.id, got.reference, got.version) == (created.id, "EH-2026-0001", 1)
    assert got.raw == created.raw
    assert got.case.person_name("c1") == "Sam Morgan"
    assert store.find("EH-2026-0001") == got
    assert store.find("EH-0000-0000") is None
    assert [c.id for c in store.list()] == [created.id]


def test_text_round_trips_exactly(store: CaseStore) -> None:
    name = "Zoë-Łucja 李 😀 O’Brien"
    created = store.create(renamed(make_case(), name))
    assert store.get(created.id).raw["people"][0]["given_name"] == name


def test_save_goes_up_one_version_each_time(store: CaseStore, engine: Engine) -> None:
    created = store.create(make_case())
    saved = store.save(created.id, renamed(created.raw, "Samuel"), expected_version=1)
    assert saved.version == 2
    again = store.save(created.id, renamed(saved.raw, "Sammy"), expected_version=2)
    assert again.version == 3
    got = store.get(created.id)
    assert got.version == 3
    assert got.raw["people"][0]["given_name"] == "Sammy"
    assert row(engine, created.id)[1] == 3


def test_list_shows_the_last_changed_first(store: CaseStore) -> None:
    first = store.create(make_case(reference="EH-2026-0001"))
    second = store.create(make_case(reference="EH-2026-0002"))
    store.save(first.id, renamed(first.raw, "Samuel"), expected_version=1)
    assert [c.reference for c in store.list()] == ["EH-2026-0001", "EH-2026-0002"]
    assert second.id != first.id


def test_unknown_case(store: CaseStore) -> None:
    with pytest.raises(NotFoundError):
        store.get(424242)
    with pytest.raises(NotFoundError):
        store.save(424242, make_case(), expected_version=1)


# -- optimistic locking ---------------------------------------------------------------------------


def test_a_stale_save_is_refused_and_changes_nothing(store: CaseStore, engine: Engine) -> None:
    created = store.create(make_case())
    store.save(created.id, renamed(created.raw, "Samuel"), expected_version=1)
    before = row(engine, created.id)
    with pytest.raises(ConflictError, match="Someone else saved changes"):
        store.save(created.id, renamed(created.raw, "Overwritten"), expected_version=1)
    assert row(engine, created.id) == before
    assert store.get(created.id).raw["people"][0]["given_name"] == "Samuel"


def test_a_save_from_the_future_is_refused(store: CaseStore, engine: Engine) -> None:
    created = store.create(make_case())
    before = row(engine, created.id)
    with pytest.raises(ConflictError):
        store.save(created.id, renamed(created.raw, "Samuel"), expected_version=7)
    assert row(engine, created.id) == before


@contextmanager
def save_between_check_and_write(
    store: CaseStore, case_id: int, raw: dict[str, Any]
) -> Iterator[None]:
    """Another save that lands after a save has checked the version but before it writes:
    the race the database's own version check (UPDATE … WHERE version = n) is there for."""
    done = False

    def other_save(session: Any, flush_context: Any, instances: Any) -> None:
        nonlocal done
        if done or not session.dirty:
            return
        done = True
        store.save(case_id, raw, expected_version=store.get(case_id).version)

    event.listen(store.sessions, "before_flush", other_save)
    try:
        yield
    finally:
        event.remove(store.sessions, "before_flush", other_save)
    assert done, "the other save did not run"


def test_a_save_that_loses_a_race_is_refused(store: CaseStore, engine: Engine) -> None:
    created = store.create(make_case())
    with save_between_check_and_write(store, created.id, renamed(created.raw, "Theirs")):
        with pytest.raises(ConflictError):
            store.save(created.id, renamed(created.raw, "Mine"), expected_version=1)
    after = store.get(created.id)
    assert after.version == 2
    assert after.raw["people"][0]["given_name"] == "Theirs"


# -- validation before writing --------------------------------------------------------------------


def test_an_invalid_save_changes_nothing(store: CaseStore, engine: Engine) -> None:
    created = store.create(make_case())
    before = row(engine, created.id)
    broken = renamed(created.raw, "")  # a first name is required
    broken["people"][1]["category"] = "not-a-category"
    with pytest.raises(InvalidCaseError) as caught:
        store.save(created.id, broken, expected_version=1)
    paths = {p.path for p in caught.value.problems}
    assert "people[0].given_name" in paths
    assert "people[1].category" in paths
    assert row(engine, created.id) == before


def test_a_person_still_named_in_a_document_cannot_be_removed(
    store: CaseStore, engine: Engine
) -> None:
    created = store.create(make_case())
    before = row(engine, created.id)
    without = copy.deepcopy(created.raw)
    without["people"] = [p for p in without["people"] if p["id"] != "p1"]
    with pytest.raises(InvalidCaseError):
        store.save(created.id, without, expected_version=1)
    assert row(engine, created.id) == before


def test_an_invalid_case_is_not_created(store: CaseStore, engine: Engine) -> None:
    with pytest.raises(InvalidCaseError):
        store.create(make_case(reference="no spaces allowed"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar() == 0


def test_a_reference_is_used_once(store: CaseStore) -> None:
    store.create(make_case())
    with pytest.raises(InvalidCaseError, match="already a case with this reference"):
        store.create(make_case(family_name="Other"))
    assert len(store.list()) == 1


def test_saving_checks_a_completed_document_in_full(store: CaseStore, engine: Engine) -> None:
    created = store.create(make_case())
    before = row(engine, created.id)
    raw = copy.deepcopy(created.raw)
    del raw["documents"][0]["data"]["referrer"]["phone"]
    with pytest.raises(InvalidCaseError):
        store.save(created.id, raw, expected_version=1, complete=["n1"])
    assert row(engine, created.id) == before


# -- page drafts ---------------------------------------------------------------------------------


def test_page_drafts(store: CaseStore) -> None:
    created = store.create(make_case())
    page = "doc:n1:referrer"
    assert store.get_draft(created.id, page) is None
    store.put_draft(created.id, page, {"date": {"day": "31", "month": "2", "year": "2025"}})
    store.put_draft(created.id, page, {"name": "Ann ✓", "date": {"day": "30"}})
    store.put_draft(created.id, "doc:n1:safety", {"level_of_need": "2"})
    assert store.get_draft(created.id, page) == {"name": "Ann ✓", "date": {"day": "30"}}
    store.drop_draft(created.id, page)
    store.drop_draft(created.id, page)  # dropping twice is fine
    assert store.get_draft(created.id, page) is None
    assert store.get_draft(created.id, "doc:n1:safety") == {"level_of_need": "2"}
    assert store.get(created.id).version == 1  # a draft is not a save of the case


def test_a_draft_needs_its_case(store: CaseStore) -> None:
    with pytest.raises(Exception):  # noqa: B017 - the driver's IntegrityError, per database
        store.put_draft(424242, "doc:n1:referrer", {"name": "Ann"})


# -- migrations ------------------------------------------------------------------------------------


def test_a_fresh_database_is_migrated(app: Flask, engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"cases", "page_drafts", "submissions", "users", "audit_entries"} <= tables
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    (head,) = ScriptDirectory.from_config(config).get_heads()  # one line of migrations
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            (head,)
        ]


def test_the_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_starting_again_keeps_the_data(app: Flask, make_app: Any) -> None:
    """A restart migrates again (nothing to do) and sees every case."""
    created = get_storage(app).cases.create(make_case())
    # the same database as `app` (whichever it is): the given DATABASE_URL wins
    again = make_app(
        "sqlite", DATABASE_URL=app.config["DATABASE_URL"], DATA_DIR=app.config["DATA_DIR"]
    )
    assert get_storage(again).cases.get(created.id).raw == created.raw
    with get_storage(again).engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_each_app_starts_on_an_empty_database(app: Flask, make_app: Any) -> None:
    get_storage(app).cases.create(make_case())
    kind = "postgresql" if app.config["DATABASE_URL"].startswith("postgresql") else "sqlite"
    other = make_app(kind)  # while `app` is still open
    assert other.config["DATABASE_URL"] != app.config["DATABASE_URL"]
    assert get_storage(other).cases.list() == []
    get_storage(other).cases.create(make_case())  # the same reference, in another database
    assert len(get_storage(app).cases.list()) == 1


def test_the_postgresql_server_is_real_and_local(postgres_url: str) -> None:
    assert postgres_url.startswith("postgresql+psycopg://ehdocs@127.0.0.1:")
    assert postgres_url.endswith("/ehdocs_test")
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
            address = connection.execute(text("SELECT host(inet_server_addr())")).scalar()
            listening = connection.execute(text("SHOW listen_addresses")).scalar()
    finally:
        engine.dispose()
    assert str(version).startswith("15")
    assert address == "127.0.0.1"
    assert listening == "127.0.0.1"


def test_a_deleted_case_is_never_served_again(store: CaseStore, engine: Engine) -> None:
    """A case deleted around this store (a retention job, another process) and a new case
    that gets its id: the store must serve the new family, not the deleted one."""
    old = store.create(make_case(reference="EH-2026-0001", family_name="Morgan"))
    store.get(old.id)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM cases WHERE id = :id"), {"id": old.id})
    new = store.create(make_case(reference="EH-2026-0002", family_name="Other"))
    assert new.reference == "EH-2026-0002"
    got = store.get(new.id)
    assert (got.reference, got.raw["family_name"]) == ("EH-2026-0002", "Other")
    assert [c.reference for c in store.list()] == ["EH-2026-0002"]


# -- the rows kept for each case (the report's index, the timescale items) -----------------------

INDEX_TABLES = ("report_facts", "report_children", "report_scores", "report_episodes",
                "case_due_items")  # fmt: skip


def index_rows(engine: Engine, case_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Each index table's rows of the case, read around the store, with their ids where the
    table has them (so a row kept as it was can be told from one deleted and inserted)."""
    with engine.connect() as connection:
        return {
            table: sorted(
                (tuple(r) for r in connection.execute(
                    text(f"SELECT * FROM {table} WHERE case_id = :id"), {"id": case_id}
                )),
                key=repr,
            )
            for table in INDEX_TABLES
        }  # fmt: skip


def contents(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows without their ids (every index table but the episodes starts with one)."""
    return {
        table: sorted((r if table == "report_episodes" else r[1:] for r in found), key=repr)
        for table, found in rows.items()
    }


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def visited(raw: dict[str, Any], day: str) -> dict[str, Any]:
    changed = copy.deepcopy(raw)
    note = {"id": f"v{day}", "kind": "home_visit", "date": day, "summary": "Visit",
            "family_visible": "no"}  # fmt: skip
    changed["case_notes"] = [*changed.get("case_notes", []), note]
    return changed


def test_a_save_changing_no_index_row_writes_none(store: CaseStore, engine: Engine) -> None:
    created = store.create(visited(make_case(), "2026-03-02"))
    before = index_rows(engine, created.id)
    assert before["report_facts"] and before["case_due_items"]
    changed = copy.deepcopy(created.raw)
    changed["family_name"] = "Morgan-Price"  # no fact, no timescale depends on it
    with statements(engine) as seen:
        store.save(created.id, changed, created.version)
    touched = [sql for sql in seen if any(table in sql for table in INDEX_TABLES)]
    assert touched == []
    assert index_rows(engine, created.id) == before


def test_a_save_changes_only_the_index_rows_that_differ(store: CaseStore, engine: Engine) -> None:
    created = store.create(visited(make_case(), "2026-03-02"))
    before = index_rows(engine, created.id)
    with statements(engine) as seen:
        saved = store.save(created.id, visited(created.raw, "2026-03-16"), created.version)
    after = index_rows(engine, created.id)
    # the facts gained the new visit's row; every row that was there is kept, id and all
    assert set(before["report_facts"]) < set(after["report_facts"])
    assert len(after["report_facts"]) > len(before["report_facts"])
    # the children, scores and episode did not change, so they were not even read
    for table in ("report_children", "report_scores", "report_episodes"):
        assert after[table] == before[table]
        assert not any(table in sql for sql in seen)
    # and what is kept is what a rebuild from scratch makes
    store.reindex(saved.id)
    assert contents(index_rows(engine, created.id)) == contents(after)


def test_rows_kept_before_fingerprints_are_put_right(store: CaseStore, engine: Engine) -> None:
    """A case stored before `index_prints` existed (or with rows gone wrong) is compared row by
    row on its next save, not trusted."""
    created = store.create(visited(make_case(), "2026-03-02"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE cases SET index_prints = NULL"))
        connection.execute(text("DELETE FROM case_due_items"))
        connection.execute(
            text("UPDATE report_facts SET day = 1 WHERE case_id = :id"), {"id": created.id}
        )
    changed = copy.deepcopy(created.raw)
    changed["family_name"] = "Morgan-Price"
    saved = store.save(created.id, changed, created.version)
    kept = index_rows(engine, created.id)
    assert kept["case_due_items"]
    store.reindex(saved.id)
    assert contents(index_rows(engine, created.id)) == contents(kept)

"""Retention and legal hold: each rule, a hold (also one placed between the list and the
disposal), a disposal killed half-way and run again, and the deleted data gone from the
database's own files; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from ehdocs.access import audit, rights
from ehdocs.access import retention as rules
from ehdocs.case.io import read_case_file
from ehdocs.case.retention import keeping
from ehdocs.schema import FormSet
from ehdocs.storage import get_storage
from ehdocs.storage.models import (
    AuditEntry,
    CaseRow,
    Disposal,
    PageDraft,
    PartnerLink,
    Submission,
    now,
)
from ehdocs.validation import validate_case

REPO = Path(__file__).resolve().parents[2]
CLOSED = REPO / "examples" / "step-up.json"  # closed 3 Sep 2026; youngest due 28 Dec 2026
OPEN = REPO / "examples" / "single-parent.json"
DUE_DAY = dt.date(2052, 1, 2)  # after the unborn baby's 25th birthday (28 Dec 2051)
SENTINEL = "Zephyrine Quillfeather-Oduya"  # planted in a case, searched for in the raw files


def _raw(path: Path, reference: str, sentinel: bool = False) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
    raw["reference"] = reference
    if sentinel:
        raw["people"][0]["known_as"] = SENTINEL
    return raw


# -- the rules --------------------------------------------------------------------------------


def test_a_closed_case_is_kept_until_the_youngest_childs_25th_birthday(formset: FormSet) -> None:
    case = validate_case(read_case_file(CLOSED), formset).case
    assert case is not None
    kept = keeping(case, formset.profile.retention)
    assert kept.until == dt.date(2051, 12, 28)  # the unborn baby, due 28 December 2026
    assert kept.rule == (
        "Closed on 3 September 2026; kept until the youngest child's 25th birthday"
    )


def test_an_open_case_is_kept_while_it_is_open(formset: FormSet) -> None:
    case = validate_case(read_case_file(OPEN), formset).case
    assert case is not None
    assert keeping(case, formset.profile.retention).until is None


def test_with_no_childs_birth_known_a_closed_case_is_kept_years_from_closure(
    formset: FormSet,
) -> None:
    raw = read_case_file(CLOSED)
    for person in raw["people"]:
        person.pop("date_of_birth", None)
        person.pop("expected_date_of_delivery", None)
        if person.get("category") == "unborn":
            person["category"] = "child"
            person.pop("life_status", None)
    case = validate_case(raw, formset).case
    assert case is not None, validate_case(raw, formset).problems
    kept = keeping(case, {**formset.profile.retention, "closed_case_years": 30})
    assert kept.until == dt.date(2056, 9, 3)
    assert "no child's date of birth is recorded, so kept 30 years from closure" in kept.rule


def test_a_profile_cannot_keep_the_audit_trail_less_than_six_years(copied_schemas: Path) -> None:
    from ehdocs.errors import SchemaError
    from ehdocs.schema import load_formset

    profile = copied_schemas / "profiles" / "default" / "profile.yaml"
    profile.write_text(profile.read_text() + "retention:\n  audit_years: 2\n  draft_day: 3\n")
    with pytest.raises(SchemaError) as raised:
        load_formset(None, copied_schemas)
    message = str(raised.value)
    assert "'audit_years' must be at least 6" in message
    assert "unknown retention setting 'draft_day'" in message


# -- due, held, disposed --------------------------------------------------------------------------


def _world(app: Flask) -> dict[str, int]:
    storage = get_storage(app)
    closed = storage.cases.create(_raw(CLOSED, "EH-2026-0901", sentinel=True))
    kept = storage.cases.create(_raw(CLOSED, "EH-2026-0902"))
    still_open = storage.cases.create(_raw(OPEN, "EH-2026-0903"))
    storage.cases.put_draft(closed.id, "doc:n1:referrer", {"referrer": {"name": SENTINEL}})
    old = dt.datetime(2050, 1, 1)
    data = b"%PDF-1.7 a received file that never became a case"
    digest = storage.blobs.put(data)
    os.utime(storage.blobs.path(digest), (0, 0))  # stored long ago
    with storage.sessions() as db, db.begin():
        db.add(
            Submission(
                reference="HUB-0001", sha256=digest, size=len(data), media="pdf",
                source="upload", status="dismissed", handled_at=old,
            )
        )  # fmt: skip
        db.add(
            Submission(
                reference="HUB-0002", sha256="a" * 64, size=1, media="pdf", source="upload",
                status="accepted", handled_at=old, case_id=closed.id,
            )
        )  # fmt: skip
        db.add(PartnerLink(email="x@school.example", token_hash="b" * 64, expires_at=old,
                           created_at=old))  # fmt: skip
    return {"closed": closed.id, "kept": kept.id, "open": still_open.id}


def test_what_is_due_and_a_hold_that_keeps_a_case(app: Flask, formset: FormSet) -> None:
    storage = get_storage(app)
    ids = _world(app)
    rules.place_hold(storage.sessions, "EH-2026-0902", "Court proceedings", None, "dpo@c.example")
    due = rules.due(storage.sessions, formset, DUE_DAY)
    kinds = {(d.kind, d.reference) for d in due if d.reference}
    assert kinds == {("case", "EH-2026-0901"), ("file", "HUB-0001")}
    counted = {d.kind: d.count for d in due if d.reference is None}
    assert counted["partner_link"] == 1
    assert "audit" not in counted  # nothing is really 6 years old, whatever the day
    assert counted["page_draft"] == 1
    day_before = rules.due(storage.sessions, formset, dt.date(2051, 12, 27))
    assert [d for d in day_before if d.kind == "case"] == []
    held = rules.holds(storage.sessions)
    assert [(h.reference, h.reason) for h in held] == [("EH-2026-0902", "Court proceedings")]
    rules.lift_hold(storage.sessions, held[0].id, "Proceedings ended", None, "dpo@c.example")
    again = {d.reference for d in rules.due(storage.sessions, formset, DUE_DAY) if d.reference}
    assert "EH-2026-0902" in again
    assert ids["open"] not in [d.id for d in rules.due(storage.sessions, formset, DUE_DAY)]


def test_apply_deletes_everything_of_a_case_and_leaves_a_record(
    app: Flask, formset: FormSet
) -> None:
    storage = get_storage(app)
    ids = _world(app)
    rules.place_hold(storage.sessions, "EH-2026-0902", "Complaint", None, "dpo@c.example")
    items = rules.due(storage.sessions, formset, DUE_DAY)
    cache = Path(app.config["DATA_DIR"]) / "cache" / "parts"
    cache.mkdir(parents=True)
    (cache / "abc.pdf").write_bytes(b"a rendered part")
    report = rules.dispose(
        storage.engine, storage.sessions, formset, storage.blobs, cache, items, DUE_DAY
    )
    assert report.skipped == []
    assert report.files_removed == 1
    assert not list(cache.glob("*.pdf"))
    with storage.sessions() as db:
        cases = set(db.scalars(select(CaseRow.reference)))
        assert cases == {"EH-2026-0902", "EH-2026-0903"}
        assert db.scalar(select(func.count()).select_from(PageDraft)) == 0
        assert set(db.scalars(select(Submission.reference))) == set()
        assert db.scalar(select(func.count()).select_from(PartnerLink)) == 0
        records = db.execute(select(Disposal.kind, Disposal.reference, Disposal.rule)).all()
        actions = list(
            db.scalars(select(AuditEntry.detail).where(AuditEntry.action == "retention.dispose"))
        )
    assert ("case", "EH-2026-0901") in {(k, r) for k, r, _ in records}
    assert ("file", "HUB-0001") in {(k, r) for k, r, _ in records}
    assert all(SENTINEL not in (rule or "") for _, _, rule in records)
    assert "case EH-2026-0901" in actions
    assert audit.verify(storage.sessions) is None
    assert ids["closed"] not in [c.id for c in storage.cases.list()]


def test_a_case_put_on_hold_after_the_list_was_made_is_left_alone(
    app: Flask, formset: FormSet
) -> None:
    storage = get_storage(app)
    _world(app)
    items = rules.due(storage.sessions, formset, DUE_DAY)
    rules.place_hold(storage.sessions, "EH-2026-0901", "Late claim", None, "dpo@c.example")
    report = rules.dispose(
        storage.engine, storage.sessions, formset, storage.blobs, None, items, DUE_DAY
    )
    assert [(i.reference, why) for i, why in report.skipped] == [
        ("EH-2026-0901", "put on legal hold since the list was made")
    ]
    assert storage.cases.find("EH-2026-0901") is not None


def test_a_restricted_case_is_kept_and_a_lifted_restriction_goes_with_its_case(
    app: Flask, formset: FormSet
) -> None:
    """A restriction (#17) keeps a case as it is: never listed, and left alone when placed
    after the list was made; once lifted, the case goes with its restrictions' rows."""
    storage = get_storage(app)
    _world(app)
    items = rules.due(storage.sessions, formset, DUE_DAY)
    placed = rights.place_restriction(
        storage.sessions, "EH-2026-0901", "Accuracy contested", None, "dpo@c.example"
    )
    listed = {d.reference for d in rules.due(storage.sessions, formset, DUE_DAY) if d.reference}
    assert "EH-2026-0901" not in listed and "EH-2026-0902" in listed
    report = rules.dispose(
        storage.engine, storage.sessions, formset, storage.blobs, None, items, DUE_DAY
    )
    assert (
        "EH-2026-0901",
        "restricted by the data protection officer since the list was made",
    ) in [(i.reference, why) for i, why in report.skipped]
    assert storage.cases.find("EH-2026-0901") is not None
    (restriction,) = rights.of_case(storage.sessions, placed)
    rights.lift_restriction(storage.sessions, restriction.id, "Resolved", None, "dpo@c.example")
    again = rules.due(storage.sessions, formset, DUE_DAY)
    report = rules.dispose(
        storage.engine, storage.sessions, formset, storage.blobs, None, again, DUE_DAY
    )
    assert storage.cases.find("EH-2026-0901") is None
    assert rights.of_case(storage.sessions, placed) == []


def test_old_audit_entries_go_and_the_chain_still_verifies(app: Flask, formset: FormSet) -> None:
    """Entries 8 years old (planted with their real hashes) go; a recent one stays, and the
    chain verifies from the hash of the last one deleted. On PostgreSQL the append-only trigger
    lets these old entries be deleted, and still refuses a recent one."""
    storage = get_storage(app)
    old = now() - dt.timedelta(days=365 * 8)
    previous = audit.GENESIS
    with storage.sessions() as db, db.begin():
        for n in range(3):
            entry = AuditEntry(
                at=old + dt.timedelta(minutes=n), actor_id=None, actor="system", address=None,
                action="case.view", outcome="ok", case_id=None, document=None,
                detail=f"old {n}", prev_hash=previous,
            )  # fmt: skip
            entry.hash = audit.entry_hash(entry)
            previous = entry.hash
            db.add(entry)
    audit.record("case.view", detail="recent", actor="system", sessions=storage.sessions)
    items = [d for d in rules.due(storage.sessions, formset) if d.kind == "audit"]
    assert [i.count for i in items] == [3]
    rules.dispose(storage.engine, storage.sessions, formset, storage.blobs, None, items)
    with storage.sessions() as db:
        left = list(db.scalars(select(AuditEntry.detail).order_by(AuditEntry.id)))
        anchor = db.scalar(select(Disposal.anchor).where(Disposal.kind == "audit"))
    assert left == ["recent", "3 audit"]
    assert anchor == previous
    assert audit.verify(storage.sessions) is None
    if storage.engine.dialect.name == "postgresql":
        with pytest.raises(Exception, match="append-only"), storage.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_entries"))


@pytest.mark.parametrize("where", ["between", "inside"])
def test_killed_half_way_and_run_again_it_finishes_and_deletes_nothing_twice(
    app: Flask, formset: FormSet, tmp_path: Path, where: str
) -> None:
    """A real SIGKILL in the middle of `dispose`: between two items, or inside one item's
    transaction (before its commit). Run again, every item is disposed of exactly once."""
    storage = get_storage(app)
    _world(app)
    more = storage.cases.create(_raw(CLOSED, "EH-2026-0904"))
    assert more.id
    items = rules.due(storage.sessions, formset, DUE_DAY)
    assert len([i for i in items if i.kind == "case"]) == 3
    script = textwrap.dedent(
        f"""
        import datetime as dt, os, signal, sys
        from ehdocs.access import retention as rules, audit
        from ehdocs.schema import load_formset
        from ehdocs.storage.db import make_engine, session_factory
        from ehdocs.storage.blobs import BlobStore
        engine = make_engine({app.config["DATABASE_URL"]!r})
        sessions = session_factory(engine)
        formset = load_formset()
        calls = []
        def die():
            os.kill(os.getpid(), signal.SIGKILL)
        if {where!r} == "between":
            real = rules._dispose_one
            def one(*args):
                if len(calls) == 2:
                    die()
                calls.append(1)
                return real(*args)
            rules._dispose_one = one
        else:
            real_append = audit.append
            def append(*args, **kwargs):
                calls.append(1)
                if len(calls) == 2:
                    die()
                return real_append(*args, **kwargs)
            audit.append = append
        items = rules.due(sessions, formset, dt.date(2052, 1, 2))
        rules.dispose(engine, sessions, formset, BlobStore({str(tmp_path / "none")!r}), None,
                      items, dt.date(2052, 1, 2))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL
    with storage.sessions() as db:
        first = db.scalar(select(func.count()).select_from(Disposal))
    assert first == (2 if where == "between" else 1)
    again = rules.due(storage.sessions, formset, DUE_DAY)
    report = rules.dispose(
        storage.engine, storage.sessions, formset, storage.blobs, None, again, DUE_DAY
    )
    assert report.skipped == []
    with storage.sessions() as db:
        records = db.execute(select(Disposal.kind, Disposal.reference)).all()
        left = set(db.scalars(select(CaseRow.reference)))
    references = [r for _, r in records if r]
    assert sorted(references) == sorted(
        ["EH-2026-0901", "EH-2026-0902", "EH-2026-0904", "HUB-0001"]
    )
    assert len(references) == len(set(references))  # nothing twice
    assert left == {"EH-2026-0903"}
    assert audit.verify(storage.sessions) is None
    assert rules.due(storage.sessions, formset, DUE_DAY) == []


def test_deleted_data_is_gone_from_the_database_files(app: Flask, formset: FormSet) -> None:
    storage = get_storage(app)
    _world(app)
    assert _found_in_files(app, SENTINEL)  # the search can find it while it is there
    items = rules.due(storage.sessions, formset, DUE_DAY)
    rules.dispose(storage.engine, storage.sessions, formset, storage.blobs, None, items, DUE_DAY)
    assert not _found_in_files(app, SENTINEL)


def _found_in_files(app: Flask, needle: str) -> list[Path]:
    engine = get_storage(app).engine
    wanted = needle.encode()
    if engine.dialect.name == "sqlite":
        database = Path(engine.url.database or "")
        files = [p for p in database.parent.glob(database.name + "*") if p.is_file()]
    else:
        with engine.connect() as conn:
            data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
            oid = conn.execute(
                text("SELECT oid FROM pg_database WHERE datname = current_database()")
            ).scalar_one()
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("CHECKPOINT"))
        files = [p for p in (data / "base" / str(oid)).iterdir() if p.is_file()]
    return [p for p in files if wanted in p.read_bytes()]

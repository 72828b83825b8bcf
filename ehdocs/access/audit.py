"""The audit trail: an append-only record of who looked at or changed what, and who was
refused. Never the content: who, when, from which address, which case and document, and a short
detail that is not content (a format, an audience, a section id, a break-glass reason).

Each entry carries the SHA-256 of the one before it (a hash chain), so an entry edited, deleted
or moved in the database breaks the chain at that point (`verify`). Entries are appended one at
a time: on PostgreSQL under a transaction-level advisory lock, on SQLite in a BEGIN IMMEDIATE
transaction, so two requests can never both chain onto the same entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.access.sessions import Principal, current
from ehdocs.errors import AuditError
from ehdocs.storage import get_storage
from ehdocs.storage.db import IMMEDIATE
from ehdocs.storage.models import AuditEntry, Disposal, now

__all__ = ["GENESIS", "MAX_DETAIL", "AuditError", "ChainCheck", "check_chain", "record", "verify"]

GENESIS = "0" * 64
MAX_DETAIL = 400  # a reason or an id fits; a pasted paragraph of case notes does not
CHAIN_LOCK = 0x65686175  # "ehau": PostgreSQL advisory lock key, one chain writer at a time

Sessions = sessionmaker[Session]


def record(
    action: str,
    *,
    outcome: str = "ok",
    case_id: int | None = None,
    document: str | None = None,
    detail: str | None = None,
    principal: Principal | None = None,
    actor: str | None = None,
    session: Session | None = None,
    sessions: Sessions | None = None,
) -> None:
    """Append one entry: in its own transaction, or in `session`'s (one opened by `writing()`)
    so that the entry and the change it records are committed together or not at all.

    A failure raises AuditError: nothing unaudited happens."""
    entry = _entry(action, outcome, case_id, document, detail, principal, actor)
    try:
        if session is not None:
            _append(session, entry)
            return
        with writing(sessions) as db:
            _append(db, entry)
    except SQLAlchemyError as exc:
        raise _failed() from exc


def append(
    db: Session,
    action: str,
    *,
    outcome: str = "ok",
    case_id: int | None = None,
    document: str | None = None,
    detail: str | None = None,
    principal: Principal | None = None,
    actor: str | None = None,
) -> None:
    """Append one entry in the caller's transaction, which has already written (a case saved):
    SQLite holds the write lock from a transaction's first write, so the chain is as safe as in
    `writing()`; the change and its entry are committed together, or neither is."""
    entry = _entry(action, outcome, case_id, document, detail, principal, actor)
    try:
        _append(db, entry, wrote=True)
    except SQLAlchemyError as exc:
        raise _failed() from exc


def _entry(
    action: str,
    outcome: str,
    case_id: int | None,
    document: str | None,
    detail: str | None,
    principal: Principal | None,
    actor: str | None,
) -> AuditEntry:
    if detail is not None and len(detail) > MAX_DETAIL:
        raise AuditError(
            f"An audit detail is at most {MAX_DETAIL} characters: it says which format, section "
            "or reason, never what a case holds"
        )
    who = principal or (current() if has_request_context() else None)
    return AuditEntry(
        actor_id=who.user_id if who else None,
        actor=actor or (who.email if who else "anonymous"),
        address=request.remote_addr if has_request_context() else None,
        action=action,
        outcome=outcome,
        case_id=case_id,
        document=document,
        detail=detail,
    )


def _failed() -> AuditError:
    return AuditError(
        "The audit trail could not be written, so this has not been done. Try again; if "
        "it keeps happening, tell the service's administrator."
    )


@contextmanager
def writing(sessions: Sessions | None = None) -> Iterator[Session]:
    """A transaction that may append to the audit trail (on SQLite it holds the write lock
    from its start); committed when the block ends, rolled back if it raises."""
    factory = sessions or get_storage().sessions
    with factory() as db, db.begin():
        db.connection(execution_options=IMMEDIATE)
        yield db


def _append(db: Session, entry: AuditEntry, wrote: bool = False) -> None:
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        # Held until this transaction ends: the next writer reads the hash written here.
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    elif not wrote and connection.get_execution_options().get("ehdocs_sqlite_begin") != "IMMEDIATE":
        raise RuntimeError("append to the audit trail in a session from audit.writing()")
    last = db.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry.at = now()  # taken under the lock: times rise with the chain
    entry.prev_hash = last or GENESIS
    entry.hash = entry_hash(entry)
    # One INSERT, not the ORM's unit of work: an entry is written on every page shown.
    columns = AuditEntry.__table__.columns.keys()
    db.execute(insert(AuditEntry).values({c: getattr(entry, c) for c in columns if c != "id"}))


def entry_hash(entry: AuditEntry) -> str:
    """The SHA-256 of an entry's content and the hash before it."""
    content = [
        entry.at.isoformat(),
        entry.actor_id,
        entry.actor,
        entry.address,
        entry.action,
        entry.outcome,
        entry.case_id,
        entry.document,
        entry.detail,
        entry.prev_hash,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


# -- checking the chain -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    """What `check_chain` found: how many entries, and the first that does not hold."""

    entries: int
    broken_id: int | None = None
    broken_at: dt.datetime | None = None
    reason: str | None = None


def check_chain(sessions: Sessions | None = None) -> ChainCheck:
    """Walk the chain from its first entry: each entry's hash must match its content, and
    name the hash of the entry before it."""
    factory = sessions or get_storage().sessions
    count = 0
    with factory() as db:
        # Entries older than the profile keeps them are disposed of (ehdocs.access.retention):
        # the chain then starts at the hash of the last one deleted, kept with its disposal.
        anchor = db.scalar(
            select(Disposal.anchor)
            .where(Disposal.kind == "audit", Disposal.anchor.is_not(None))
            .order_by(Disposal.id.desc())
            .limit(1)
        )
        previous = anchor or GENESIS
        query = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
        for entry in db.scalars(query):
            count += 1
            if entry.prev_hash != previous:
                why = "it does not follow the entry before it (one was deleted, added or moved)"
                return ChainCheck(count, entry.id, entry.at, why)
            if entry_hash(entry) != entry.hash:
                why = "its content was changed after it was written"
                return ChainCheck(count, entry.id, entry.at, why)
            previous = entry.hash
    return ChainCheck(count)


def verify(sessions: Sessions | None = None) -> int | None:
    """The id of the first entry that breaks the chain, or None when it is intact."""
    return check_chain(sessions).broken_id

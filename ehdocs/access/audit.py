"""The audit trail: an append-only record of who looked at or changed what, and who was
refused. Never the content: who, when, from which address, which case and document.

Each entry carries the SHA-256 of the one before it (a hash chain), so an entry edited or
deleted in the database breaks the chain at that point.
"""

from __future__ import annotations

import hashlib
import json

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ehdocs.access.sessions import Principal, current
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, now

GENESIS = "0" * 64


def record(
    action: str,
    *,
    outcome: str = "ok",
    case_id: int | None = None,
    document: str | None = None,
    detail: str | None = None,
    principal: Principal | None = None,
    actor: str | None = None,
) -> None:
    """Append one entry. A failure raises: nothing unaudited happens."""
    with get_storage().sessions() as db, db.begin():
        append(
            db,
            action,
            outcome=outcome,
            case_id=case_id,
            document=document,
            detail=detail,
            principal=principal,
            actor=actor,
        )


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
    """Append one entry in the caller's transaction: a change to a case and its entry are
    committed together, or neither is."""
    who = principal or (current() if has_request_context() else None)
    name = actor or (who.email if who else "anonymous")
    address = request.remote_addr if has_request_context() else None
    last = db.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    entry = AuditEntry(
        at=now(),
        actor_id=who.user_id if who else None,
        actor=name,
        address=address,
        action=action,
        outcome=outcome,
        case_id=case_id,
        document=document,
        detail=detail,
        prev_hash=last or GENESIS,
    )
    entry.hash = entry_hash(entry)
    db.add(entry)
    db.flush()


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

"""Retention: what is due for disposal under the profile's rules, legal holds, and disposing of
it for good.

`due` lists what the rules say may go: closed cases past their keeping date (never one on legal
hold), received files that never became a case, audit entries, partners' sign-in links and
drafts past their time. `dispose` deletes it. Each case or file goes in its own transaction,
with its disposal record (reference, rule, date; no personal data) and an audit entry, after
checking again that it is still due and not held: killed half-way and run again, the job
finishes what is left and deletes nothing twice; a case put on hold after the list was made is
left alone. Stored files go after their rows (and any file no row names is cleared on the next
run), the part cache is emptied, and the database is compacted so the deleted rows are gone
from its files too (SQLite VACUUM with secure_delete; PostgreSQL VACUUM FULL).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.access import audit
from ehdocs.access.sessions import Principal
from ehdocs.case.model import Case
from ehdocs.case.retention import Keeping, keeping
from ehdocs.errors import NotFoundError
from ehdocs.schema.model import FormSet
from ehdocs.schema.profile import AUDIT_YEARS_AT_LEAST
from ehdocs.storage import restrictions
from ehdocs.storage.blobs import BlobStore
from ehdocs.storage.models import (
    AuditEntry,
    BreakGlass,
    CaseRestriction,
    CaseRow,
    Disposal,
    LegalHold,
    PageDraft,
    PartnerDraft,
    PartnerLink,
    Submission,
    now,
)
from ehdocs.validation import validate_case

Sessions = sessionmaker[Session]
SYSTEM = "retention job"
# A stored file no submission names is cleared once it is this old (a file being received
# is stored a moment before its row is written).
ORPHAN_SECONDS = 3600
HANDLED = ("accepted", "dismissed", "refused")
NOTHING_LEFT = "nothing left to delete"


@dataclass(frozen=True)
class Due:
    """One thing the rules say may be disposed of."""

    kind: str  # case | file | audit | partner_link | page_draft | partner_draft
    id: int | None  # the row, for a case or a file; None for a number of rows
    reference: str | None
    rule: str
    count: int = 1


@dataclass(frozen=True)
class Hold:
    id: int
    case_id: int
    reference: str
    reason: str
    placed_by: str
    placed_at: dt.datetime


def case_keeping(row: CaseRow, formset: FormSet) -> Keeping:
    """Until when a stored case is kept and why (a case that does not validate is kept)."""
    result = validate_case(json.loads(row.data), formset)
    if result.case is None:
        return Keeping(None, "Kept: the case has problems to fix before any rule can apply")
    return keeping(result.case, formset.profile.retention)


def keeping_of(case: Case) -> Keeping:
    return keeping(case, case.formset.profile.retention)


# -- legal holds ----------------------------------------------------------------------------------


def holds(sessions: Sessions) -> list[Hold]:
    with sessions() as db:
        rows = db.execute(
            select(LegalHold, CaseRow.reference)
            .join(CaseRow, CaseRow.id == LegalHold.case_id)
            .where(LegalHold.lifted_at.is_(None))
            .order_by(LegalHold.placed_at)
        ).all()
    return [Hold(h.id, h.case_id, ref, h.reason, h.placed_by, h.placed_at) for h, ref in rows]


def held(db: Session, case_id: int) -> bool:
    found = db.scalar(
        select(func.count())
        .select_from(LegalHold)
        .where(LegalHold.case_id == case_id, LegalHold.lifted_at.is_(None))
    )
    return bool(found)


def place_hold(
    sessions: Sessions, reference: str, reason: str, who: Principal | None, actor: str
) -> int:
    """Put the case `reference` on legal hold; returns the case's id."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter the reason for the legal hold")
    with audit.writing(sessions) as db:
        case_id = db.scalar(select(CaseRow.id).where(CaseRow.reference == reference.strip()))
        if case_id is None:
            raise NotFoundError(f"There is no case with the reference {reference.strip()}")
        if held(db, case_id):
            raise ValueError(f"Case {reference.strip()} is already on legal hold")
        db.add(LegalHold(case_id=case_id, reason=reason, placed_by=actor))
        db.flush()
        audit.append(db, "retention.hold", case_id=case_id, principal=who, actor=actor)
    return int(case_id)


def lift_hold(
    sessions: Sessions, hold_id: int, reason: str, who: Principal | None, actor: str
) -> None:
    reason = reason.strip()
    if not reason:
        raise ValueError("Enter the reason for lifting the legal hold")
    with audit.writing(sessions) as db:
        hold = db.get(LegalHold, hold_id)
        if hold is None or hold.lifted_at is not None:
            raise NotFoundError("That legal hold is not in place")
        hold.lifted_at, hold.lifted_by, hold.lift_reason = now(), actor, reason
        db.flush()
        audit.append(db, "retention.lift", case_id=hold.case_id, principal=who, actor=actor)


# -- what is due ------------------------------------------------------------------------------


def due(sessions: Sessions, formset: FormSet, today: dt.date | None = None) -> list[Due]:
    """Everything the rules say may be disposed of today, cases on legal hold left out."""
    today = today or dt.date.today()
    rules = formset.profile.retention
    found: list[Due] = []
    with sessions() as db:
        on_hold = set(db.scalars(select(LegalHold.case_id).where(LegalHold.lifted_at.is_(None))))
        # A restricted case is kept as it is (the person may need it kept: GDPR article 18).
        on_hold |= set(
            db.scalars(select(CaseRestriction.case_id).where(CaseRestriction.lifted_at.is_(None)))
        )
        for row in db.scalars(select(CaseRow).order_by(CaseRow.id)):
            if row.id in on_hold:
                continue
            kept = case_keeping(row, formset)
            if kept.until is not None and kept.until <= today:
                found.append(Due("case", row.id, row.reference, kept.rule))
        for sub in db.scalars(_unmatched_files(rules, today)):
            rule = (
                f"A received file that never became a case, kept "
                f"{rules['unmatched_file_months']} months after it was handled"
            )
            found.append(Due("file", sub.id, sub.reference, rule))
        for kind, count, rule in _counted(db, rules, today):
            if count:
                found.append(Due(kind, None, None, rule, count))
    return found


def _unmatched_files(rules: Mapping[str, int], today: dt.date) -> Any:
    cutoff = _months_before(today, rules["unmatched_file_months"])
    return (
        select(Submission)
        .where(
            Submission.case_id.is_(None),
            Submission.status.in_(HANDLED),
            Submission.handled_at.is_not(None),
            Submission.handled_at < cutoff,
        )
        .order_by(Submission.id)
    )


def _counted(
    db: Session, rules: Mapping[str, int], today: dt.date
) -> Iterator[tuple[str, int, str]]:
    for kind, model, column, days, rule in _bulk_rules(rules, today):
        count = db.scalar(select(func.count()).select_from(model).where(column < days))
        yield kind, int(count or 0), rule


def _bulk_rules(rules: Mapping[str, int], today: dt.date) -> list[tuple[str, Any, Any, Any, str]]:
    years = rules["audit_years"]
    link_days, draft_days = rules["partner_link_days"], rules["draft_days"]
    # never an entry younger than the floor, whatever day the job is told it is (PostgreSQL's
    # append-only trigger would refuse it anyway)
    floor = _years_before(dt.date.today(), AUDIT_YEARS_AT_LEAST)
    return [
        (
            "audit",
            AuditEntry,
            AuditEntry.at,
            min(_years_before(today, years), floor),
            f"Audit entries older than {years} years",
        ),
        (
            "partner_link",
            PartnerLink,
            PartnerLink.created_at,
            _days_before(today, link_days),
            f"Partners' sign-in links older than {link_days} days",
        ),
        (
            "page_draft",
            PageDraft,
            PageDraft.updated_at,
            _days_before(today, draft_days),
            f"Page drafts not touched for {draft_days} days",
        ),
        (
            "partner_draft",
            PartnerDraft,
            PartnerDraft.updated_at,
            _days_before(today, draft_days),
            f"Partners' online notifications not touched for {draft_days} days",
        ),
    ]


# -- disposing ----------------------------------------------------------------------------------


@dataclass
class Report:
    disposed: list[Due]
    skipped: list[tuple[Due, str]]  # no longer due, or put on hold since the list was made
    files_removed: int = 0


def dispose(
    engine: Engine,
    sessions: Sessions,
    formset: FormSet,
    blobs: BlobStore,
    cache_folder: Path | None,
    items: list[Due],
    today: dt.date | None = None,
    attachments: BlobStore | None = None,
) -> Report:
    """Delete `items` for good (each checked again first); then stored files no row names, the
    part cache, and the deleted rows from the database's files."""
    today = today or dt.date.today()
    report = Report([], [])
    for item in items:
        why_not = _dispose_one(sessions, formset, item, today)
        if why_not == NOTHING_LEFT:
            continue  # the drafts went with their case: nothing to report
        if why_not:
            report.skipped.append((item, why_not))
        else:
            report.disposed.append(item)
    report.files_removed = clear_orphan_files(sessions, blobs)
    if attachments is not None:
        report.files_removed += clear_orphan_attachments(sessions, attachments)
    if any(i.kind == "case" for i in report.disposed) and cache_folder is not None:
        for path in cache_folder.glob("*.pdf"):  # content-addressed: no case to pick by
            path.unlink(missing_ok=True)
    if report.disposed:
        compact(engine)
    return report


def _dispose_one(sessions: Sessions, formset: FormSet, item: Due, today: dt.date) -> str | None:
    with audit.writing(sessions) as db:
        if item.kind == "case":
            return _dispose_case(db, formset, item, today)
        if item.kind == "file":
            return _dispose_file(db, formset, item, today)
        return _dispose_rows(db, formset, item, today)


def _dispose_case(db: Session, formset: FormSet, item: Due, today: dt.date) -> str | None:
    row = db.get(CaseRow, item.id)
    if row is None:
        return "already disposed of"
    if held(db, row.id):
        return "put on legal hold since the list was made"
    if restrictions.active(db, row.id) is not None:
        return "restricted by the data protection officer since the list was made"
    kept = case_keeping(row, formset)
    if kept.until is None or kept.until > today:
        return "no longer due"
    subs = list(db.scalars(select(Submission.id).where(Submission.case_id == row.id)))
    if subs:
        db.execute(delete(PartnerDraft).where(PartnerDraft.submission_id.in_(subs)))
        db.execute(delete(Submission).where(Submission.id.in_(subs)))
    db.execute(delete(PageDraft).where(PageDraft.case_id == row.id))
    db.execute(delete(BreakGlass).where(BreakGlass.case_id == row.id))
    db.execute(delete(LegalHold).where(LegalHold.case_id == row.id))  # lifted ones only
    db.execute(delete(CaseRestriction).where(CaseRestriction.case_id == row.id))  # lifted too
    db.execute(delete(CaseRow).where(CaseRow.id == row.id))
    db.add(Disposal(kind="case", reference=row.reference, rule=kept.rule[:300]))
    db.flush()
    audit.append(
        db, "retention.dispose", case_id=row.id, detail=f"case {row.reference}", actor=SYSTEM
    )
    return None


def _dispose_file(db: Session, formset: FormSet, item: Due, today: dt.date) -> str | None:
    sub = db.get(Submission, item.id)
    if sub is None:
        return "already disposed of"
    still = db.scalar(
        _unmatched_files(formset.profile.retention, today).where(Submission.id == sub.id)
    )
    if still is None:
        return "no longer due"
    db.execute(delete(PartnerDraft).where(PartnerDraft.submission_id == sub.id))
    db.execute(delete(Submission).where(Submission.id == sub.id))
    db.add(Disposal(kind="file", reference=sub.reference, rule=item.rule[:300]))
    db.flush()
    audit.append(db, "retention.dispose", detail=f"received file {sub.reference}", actor=SYSTEM)
    return None


def _dispose_rows(db: Session, formset: FormSet, item: Due, today: dt.date) -> str | None:
    for kind, model, column, cutoff, rule in _bulk_rules(formset.profile.retention, today):
        if kind != item.kind:
            continue
        anchor = None
        if kind == "audit":
            anchor = db.scalar(
                select(AuditEntry.hash)
                .where(AuditEntry.at < cutoff)
                .order_by(AuditEntry.id.desc())
                .limit(1)
            )
        result = db.execute(delete(model).where(column < cutoff))
        count = int(getattr(result, "rowcount", 0) or 0)
        if not count:
            return NOTHING_LEFT
        db.add(Disposal(kind=kind, rule=rule, count=count, anchor=anchor))
        db.flush()
        audit.append(
            db, "retention.dispose", detail=f"{count} {kind.replace('_', ' ')}", actor=SYSTEM
        )
        return None
    return "not a kind the rules know"


def clear_orphan_files(sessions: Sessions, blobs: BlobStore) -> int:
    """Delete stored files that no submission names (left by a run killed after its rows went,
    or by a disposal), once they are old enough not to be a file being received right now."""
    stored = blobs.stored()
    if not stored:
        return 0
    with sessions() as db:
        named = set(db.scalars(select(Submission.sha256)))
    removed = 0
    cutoff = time.time() - ORPHAN_SECONDS
    for digest, mtime in stored:
        if digest not in named and mtime < cutoff:
            blobs.delete(digest)
            removed += 1
    return removed


_BLOB_ANSWER = re.compile(r'"blob":\s*"([0-9a-f]{64})"')


def clear_orphan_attachments(sessions: Sessions, attachments: BlobStore) -> int:
    """Delete attachment files that no case holds any more: those of a disposed case, or of an
    attachment record removed from its case. One pass over the stored cases' text."""
    stored = attachments.stored()
    if not stored:
        return 0
    named: set[str] = set()
    with sessions() as db:
        for data in db.scalars(select(CaseRow.data).execution_options(yield_per=500)):
            named.update(_BLOB_ANSWER.findall(data))
    removed = 0
    cutoff = time.time() - ORPHAN_SECONDS  # an upload in progress: its record not saved yet
    for digest, mtime in stored:
        if digest not in named and mtime < cutoff:
            attachments.delete(digest)
            removed += 1
    return removed


def compact(engine: Engine) -> None:
    """Rewrite the database so deleted rows are gone from its files, not just marked free."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    elif engine.dialect.name == "postgresql":
        with _autocommit(engine) as conn:
            for table in (
                "cases",
                "page_drafts",
                "submissions",
                "partner_drafts",
                "audit_entries",
                "partner_links",
                "break_glass",
                "legal_holds",
                "case_restrictions",
            ):
                conn.execute(text(f"VACUUM FULL {table}"))
            conn.execute(text("CHECKPOINT"))


@contextmanager
def _autocommit(engine: Engine) -> Iterator[Any]:
    with engine.connect() as conn:
        yield conn.execution_options(isolation_level="AUTOCOMMIT")


# -- dates --------------------------------------------------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def _days_before(today: dt.date, days: int) -> dt.datetime:
    return _midnight(today - dt.timedelta(days=days))


def _months_before(today: dt.date, months: int) -> dt.datetime:
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(today.day, 28)
    return _midnight(dt.date(year, month, day))


def _years_before(today: dt.date, years: int) -> dt.datetime:
    try:
        return _midnight(today.replace(year=today.year - years))
    except ValueError:
        return _midnight(today.replace(year=today.year - years, day=28))

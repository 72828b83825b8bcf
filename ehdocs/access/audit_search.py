"""Reading the audit trail: the entries of one case, the data protection officer's search (by
person, case, dates and action), its CSV export, and the break-glass grants to review.

Dates are UK dates, as people give them; entries are stored in UTC.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ehdocs.storage.models import AuditEntry, BreakGlass, CaseRow, User, now

UK = ZoneInfo("Europe/London")
PAGE_SIZE = 50
RECENT_BREAK_GLASS = dt.timedelta(days=30)
CSV_COLUMNS = (
    "Entry",
    "Time (UTC)",
    "Who",
    "Address",
    "Action",
    "Outcome",
    "Case",
    "Document",
    "Detail",
)
EntryQuery = Select[AuditEntry, str]  # each entry with its case's reference (None if no case)
# A spreadsheet runs a cell that starts like this as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Search:
    """What the DPO searches by; an empty field matches everything."""

    actor: str | None = None  # an e-mail address, any case
    case_reference: str | None = None
    action: str | None = None
    start: dt.date | None = None  # UK date, inclusive
    end: dt.date | None = None  # UK date, inclusive

    def query(self) -> EntryQuery:
        """The matching entries with their case's reference, newest first."""
        query = select(AuditEntry, CaseRow.reference).outerjoin(
            CaseRow, CaseRow.id == AuditEntry.case_id
        )
        if self.actor:
            query = query.where(func.lower(AuditEntry.actor) == self.actor.strip().lower())
        if self.case_reference:
            query = query.where(CaseRow.reference == self.case_reference.strip())
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.start:
            query = query.where(AuditEntry.at >= utc_start_of(self.start))
        if self.end:
            query = query.where(AuditEntry.at < utc_start_of(self.end + dt.timedelta(days=1)))
        return query.order_by(AuditEntry.id.desc())


def utc_start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of a UK day, as a stored (naive UTC) time."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=UK)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def uk_time(value: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in UK time."""
    return value.replace(tzinfo=dt.UTC).astimezone(UK)


@dataclass(frozen=True)
class Found:
    """One page of entries, with the case reference of each."""

    rows: Sequence[tuple[AuditEntry, str | None]]
    total: int
    page: int
    pages: int


def page_of(db: Session, query: EntryQuery, page: int) -> Found:
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Found(rows, total, page, pages)


def case_entries(case_id: int) -> EntryQuery:
    """Everything recorded about one case, newest first."""
    return (
        select(AuditEntry, CaseRow.reference)
        .outerjoin(CaseRow, CaseRow.id == AuditEntry.case_id)
        .where(AuditEntry.case_id == case_id)
        .order_by(AuditEntry.id.desc())
    )


def actions(db: Session) -> list[str]:
    """The actions recorded so far, for the search's choice of action."""
    return sorted(db.scalars(select(AuditEntry.action).distinct()))


# -- CSV ----------------------------------------------------------------------------------------


def neutralise(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading formula character gets a
    single quote before it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: Iterable[tuple[AuditEntry, str | None]], out: TextIO) -> int:
    """Write the entries as CSV (a header, then one line each); returns how many."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry, reference in rows:
        cells = [
            entry.id,
            entry.at.isoformat(timespec="seconds") + "Z",
            entry.actor,
            entry.address,
            entry.action,
            entry.outcome,
            reference if reference is not None else entry.case_id,
            entry.document,
            entry.detail,
        ]
        writer.writerow([neutralise(cell) for cell in cells])
        count += 1
    return count


def export(db: Session, search: Search, out: TextIO) -> int:
    """The search's every entry (not one page) as CSV, read in batches."""
    rows = db.execute(search.query().execution_options(yield_per=1000))
    return write_csv(rows, out)


# -- break-glass --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    who: str
    case_id: int
    case_reference: str
    reason: str
    started_at: dt.datetime
    expires_at: dt.datetime
    active: bool


def break_glass(db: Session, moment: dt.datetime | None = None) -> list[Grant]:
    """Grants still running, and those started in the last 30 days, newest first."""
    moment = moment or now()
    query = (
        select(BreakGlass, User.email, CaseRow.reference)
        .join(User, User.id == BreakGlass.user_id)
        .join(CaseRow, CaseRow.id == BreakGlass.case_id)
        .where(
            (BreakGlass.expires_at > moment)
            | (BreakGlass.started_at >= moment - RECENT_BREAK_GLASS)
        )
        .order_by(BreakGlass.started_at.desc())
    )
    return [
        Grant(
            email,
            row.case_id,
            reference,
            row.reason,
            row.started_at,
            row.expires_at,
            row.expires_at > moment,
        )
        for row, email, reference in db.execute(query)
    ]

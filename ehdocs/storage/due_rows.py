"""Keeps `case_due_items` current: a CaseStore indexer (ehdocs.storage.store.CaseIndexer),
run inside the transaction that saves a case with the case just validated, keeps that case's
rows equal to its timescale items as of the day of the save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from ehdocs.case.due import due_items
from ehdocs.case.model import Case
from ehdocs.storage.db import sync_rows
from ehdocs.storage.models import CaseDueItem
from ehdocs.storage.store import IndexRows, fingerprint


class DueRows:
    """The indexer of the timescale items (the store gives it the case it has just validated:
    nothing is parsed twice)."""

    name = "due"

    def __init__(self, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.today = today

    def prepare(self, case: Case) -> IndexRows:
        rows = [
            {"item": i.item, "due_on": i.due_on, "met_on": i.met_on, "status": i.status,
             "late_reason": i.late_reason}
            for i in due_items(case, self.today())
        ]  # fmt: skip
        return IndexRows(fingerprint(rows), rows)

    def write(self, session: Session, case_id: int, rows: IndexRows, before: str | None) -> None:
        values = [{"case_id": case_id, **row} for row in rows.rows]
        if before is None:  # what is stored is not known: change only what differs
            sync_rows(session, CaseDueItem, case_id, values)
            return
        # known to differ, and a case has a dozen items: two statements, no read
        session.execute(delete(CaseDueItem).where(CaseDueItem.case_id == case_id))
        if values:
            session.execute(insert(CaseDueItem), values)

"""Keeps `case_due_items` current: a CaseStore indexer, run inside the transaction that saves a
case with the case just validated, replaces that case's rows with its timescale items as of
today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ehdocs.case.due import due_items
from ehdocs.case.model import Case
from ehdocs.storage.models import CaseDueItem


def refresher(
    today: Callable[[], dt.date] = dt.date.today,
) -> Callable[[Session, int, Case], None]:
    """The indexer for CaseStore.indexers (the store gives it the case it has just validated:
    nothing is parsed twice)."""

    def refresh(session: Session, case_id: int, case: Case) -> None:
        session.execute(delete(CaseDueItem).where(CaseDueItem.case_id == case_id))
        session.add_all(
            CaseDueItem(
                case_id=case_id,
                item=i.item,
                due_on=i.due_on,
                met_on=i.met_on,
                status=i.status,
                late_reason=i.late_reason,
            )
            for i in due_items(case, today())
        )

    return refresh

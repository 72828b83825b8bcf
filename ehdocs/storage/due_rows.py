"""Keeps `case_due_items` current: a CaseStore change listener, run inside the transaction that
saves a case, replaces that case's rows with its timescale items as of today."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ehdocs.case.due import due_items
from ehdocs.schema import FormSet
from ehdocs.storage.models import CaseDueItem, CaseRow
from ehdocs.validation import validate_case


def refresher(
    formset: FormSet, today: Callable[[], dt.date] = dt.date.today
) -> Callable[[Session, int, int | None, int], None]:
    """The listener for CaseStore.listeners."""

    def refresh(session: Session, case_id: int, before: int | None, after: int) -> None:
        row = session.get(CaseRow, case_id)
        session.execute(delete(CaseDueItem).where(CaseDueItem.case_id == case_id))
        if row is None:
            return
        result = validate_case(json.loads(row.data), formset)
        if result.case is None:
            return  # the store refuses an invalid case before it gets here
        session.add_all(
            CaseDueItem(
                case_id=case_id,
                item=i.item,
                due_on=i.due_on,
                met_on=i.met_on,
                status=i.status,
                late_reason=i.late_reason,
            )
            for i in due_items(result.case, today())
        )

    return refresh

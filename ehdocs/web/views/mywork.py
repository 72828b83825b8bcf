"""My work: a practitioner's allocated cases, each with its next timescale item and anything
overdue, read from `case_due_items` in SQL (no case JSON is loaded); sortable by a link, no
JavaScript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import Blueprint, render_template, request
from sqlalchemy import select

from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.case.due import DUE, LABELS, OVERDUE
from ehdocs.fields import format_date
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseDueItem, CaseRow

bp = Blueprint("mywork", __name__, url_prefix="/my-work")
SOON = dt.timedelta(days=14)  # "also due": what falls due before the next fortnightly visit
SORTS = {"due": "Next due date", "reference": "Case reference", "overdue": "Most overdue items"}


@dataclass
class CaseLine:
    case_id: int
    reference: str
    next_item: str | None = None
    next_due: dt.date | None = None
    overdue: list[tuple[str, dt.date]] = field(default_factory=list)
    soon: list[tuple[str, dt.date]] = field(default_factory=list)  # besides the next one


@bp.get("/")
@rule(policy.CASE_LIST)
def index() -> str:
    principal = current()
    assert principal is not None  # the rule needs someone signed in
    sort = request.args.get("sort", "due")
    sort = sort if sort in SORTS else "due"
    lines: dict[int, CaseLine] = {}
    with get_storage().sessions() as db:
        cases = db.execute(
            select(CaseRow.id, CaseRow.reference).where(CaseRow.allocated_to == principal.user_id)
        ).all()
        for case_id, reference in cases:
            lines[case_id] = CaseLine(case_id, reference)
        waiting = db.execute(
            select(CaseDueItem.case_id, CaseDueItem.item, CaseDueItem.due_on, CaseDueItem.status)
            .join(CaseRow, CaseRow.id == CaseDueItem.case_id)
            .where(
                CaseRow.allocated_to == principal.user_id,
                CaseDueItem.status.in_((DUE, OVERDUE)),
            )
            .order_by(CaseDueItem.due_on)
        ).all()
    today = dt.date.today()
    for case_id, item, due_on, _status in waiting:
        line = lines[case_id]
        label = LABELS.get(item, item)
        if due_on < today:  # stored status is as of the last save: today decides
            line.overdue.append((label, due_on))
        if line.next_due is None:
            line.next_item, line.next_due = label, due_on
        elif today <= due_on <= today + SOON:
            line.soon.append((label, due_on))
    ordered = list(lines.values())
    if sort == "reference":
        ordered.sort(key=lambda c: c.reference)
    elif sort == "overdue":
        ordered.sort(key=lambda c: (-len(c.overdue), c.next_due or dt.date.max, c.reference))
    else:
        ordered.sort(key=lambda c: (c.next_due or dt.date.max, c.reference))
    return render_template(
        "mywork/index.html",
        lines=ordered,
        sort=sort,
        sorts=SORTS,
        today=today,
        format_date=format_date,
    )

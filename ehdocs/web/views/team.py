"""Team: a manager's view of their teams' cases, from `case_due_items` and the case columns in
SQL: caseload and overdue items per worker, cases waiting for a worker, oversight due."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from sqlalchemy import func, select

from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.case.due import DUE, OVERDUE, SUPERVISION
from ehdocs.fields import format_date
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseDueItem, CaseRow, Team, User

bp = Blueprint("team", __name__, url_prefix="/team")


@bp.get("/")
@rule(policy.CASE_LIST)
def index() -> str:
    principal = current()
    assert principal is not None
    teams = tuple(principal.team_ids)
    today = dt.date.today()
    with get_storage().sessions() as db:
        names = db.scalars(select(Team.name).where(Team.id.in_(teams)).order_by(Team.name)).all()
        caseload = db.execute(
            select(User.name, User.email, func.count(CaseRow.id))
            .join(CaseRow, CaseRow.allocated_to == User.id)
            .where(CaseRow.team_id.in_(teams))
            .group_by(User.id, User.name, User.email)
            .order_by(User.name)
        ).all()
        overdue = dict(
            db.execute(
                select(CaseRow.allocated_to, func.count(CaseDueItem.id))
                .join(CaseDueItem, CaseDueItem.case_id == CaseRow.id)
                .where(
                    CaseRow.team_id.in_(teams),
                    CaseDueItem.status.in_((DUE, OVERDUE)),
                    CaseDueItem.due_on < today,
                )
                .group_by(CaseRow.allocated_to)
            ).all()
        )
        ids = dict(db.execute(select(User.email, User.id)).all())
        waiting = db.execute(
            select(CaseRow.id, CaseRow.reference)
            .where(CaseRow.team_id.in_(teams), CaseRow.allocated_to.is_(None))
            .order_by(CaseRow.reference)
        ).all()
        oversight = db.execute(
            select(CaseRow.id, CaseRow.reference, CaseDueItem.due_on)
            .join(CaseDueItem, CaseDueItem.case_id == CaseRow.id)
            .where(
                CaseRow.team_id.in_(teams),
                CaseDueItem.item == SUPERVISION,
                CaseDueItem.status.in_((DUE, OVERDUE)),
            )
            .order_by(CaseDueItem.due_on)
        ).all()
    workers = [
        (name, email, count, overdue.get(ids.get(email), 0)) for name, email, count in caseload
    ]
    return render_template(
        "team/index.html",
        names=names,
        workers=workers,
        waiting=waiting,
        oversight=[(i, ref, format_date(due), due < today) for i, ref, due in oversight],
    )

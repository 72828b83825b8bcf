"""Team: a manager's view of their teams' cases, from `case_due_items` and the case columns in
SQL: caseload and overdue items per worker, cases waiting for a worker, oversight due.

For team managers only (`team.view`). A locality team holds thousands of cases, so the two lists
of cases show the most urgent first, a page at a time (GOV.UK pagination), with their totals on
the Team page; the per-worker table is one aggregate query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, render_template, request
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from ehdocs.access import policy
from ehdocs.access.audit_search import page_of
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.case.due import DUE, LABELS, OVERDUE, OVERSIGHT, SUPERVISION
from ehdocs.fields import format_date
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseDueItem, CaseRow, Team, User
from ehdocs.web.views.audit import pagination

bp = Blueprint("team", __name__, url_prefix="/team")

SHOWN = 10  # cases of each list on the Team page itself; the rest are a page away
SOON = dt.timedelta(days=7)  # supervision due within a week is listed, with what is overdue
LISTS = {
    "waiting": "Cases waiting for a worker",
    "oversight": "Supervision and oversight due in the next 7 days or overdue",
}


def _teams() -> tuple[int, ...]:
    principal = current()
    assert principal is not None
    return tuple(sorted(principal.team_ids))


def _waiting(teams: tuple[int, ...]) -> Select[int, str]:
    """Cases of the teams with no worker, the longest waiting (oldest reference) first."""
    return (
        select(CaseRow.id, CaseRow.reference)
        .where(CaseRow.team_id.in_(teams), CaseRow.allocated_to.is_(None))
        .order_by(CaseRow.id)
    )


def _oversight(teams: tuple[int, ...], today: dt.date) -> Select[int, str, dt.date, str]:
    """Cases whose supervision or oversight is overdue or due within a week, the most overdue
    first (every open case always has a next supervision: only the near ones need the manager
    now)."""
    return (
        select(CaseRow.id, CaseRow.reference, CaseDueItem.due_on, CaseDueItem.item)
        .join(CaseDueItem, CaseDueItem.case_id == CaseRow.id)
        .where(
            CaseRow.team_id.in_(teams),
            or_(CaseDueItem.item == SUPERVISION, CaseDueItem.item.startswith(OVERSIGHT)),
            CaseDueItem.status.in_((DUE, OVERDUE)),
            CaseDueItem.due_on <= today + SOON,
        )
        .order_by(CaseDueItem.due_on, CaseRow.id)
    )


def _workers(db: Session, teams: tuple[int, ...], today: dt.date) -> list[tuple[Any, ...]]:
    """Per worker: cases held and items overdue, in one aggregate over the teams' cases."""
    late = and_(CaseDueItem.status.in_((DUE, OVERDUE)), CaseDueItem.due_on < today)
    overdue = (
        select(CaseRow.allocated_to.label("worker"), func.count(CaseDueItem.id).label("late"))
        .join(CaseDueItem, CaseDueItem.case_id == CaseRow.id)
        .where(CaseRow.team_id.in_(teams), CaseRow.allocated_to.is_not(None), late)
        .group_by(CaseRow.allocated_to)
        .subquery()
    )
    held = (
        select(CaseRow.allocated_to.label("worker"), func.count(CaseRow.id).label("cases"))
        .where(CaseRow.team_id.in_(teams), CaseRow.allocated_to.is_not(None))
        .group_by(CaseRow.allocated_to)
        .subquery()
    )
    rows = db.execute(
        select(User.name, User.email, held.c.cases, func.coalesce(overdue.c.late, 0))
        .join(held, held.c.worker == User.id)
        .outerjoin(overdue, overdue.c.worker == User.id)
        .order_by(User.name)
    ).all()
    return [tuple(row) for row in rows]


def _oversight_lines(rows: Any, today: dt.date) -> list[tuple[int, str, str, bool, str]]:
    return [
        (i, ref, format_date(due), due < today, LABELS.get(item, item).lower())
        for i, ref, due, item in rows
    ]


@bp.get("/")
@rule(policy.TEAM_VIEW)
def index() -> str:
    teams = _teams()
    today = dt.date.today()
    with get_storage().sessions() as db:
        names = db.scalars(select(Team.name).where(Team.id.in_(teams)).order_by(Team.name)).all()
        workers = _workers(db, teams, today)
        waiting_total = _count(db, _waiting(teams))
        waiting = db.execute(_waiting(teams).limit(SHOWN)).all()
        due = _oversight(teams, today).order_by(None).subquery()
        oversight_totals = db.execute(
            select(func.count(), func.coalesce(func.sum(case((due.c.due_on < today, 1))), 0))
        ).one()
        oversight = db.execute(_oversight(teams, today).limit(SHOWN)).all()
    return render_template(
        "team/index.html",
        names=names,
        workers=workers,
        waiting=waiting,
        waiting_total=waiting_total,
        oversight=_oversight_lines(oversight, today),
        oversight_total=oversight_totals[0],
        oversight_late=oversight_totals[1],
        shown=SHOWN,
    )


def _count(db: Session, query: Select[int, str]) -> int:
    return db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@bp.get("/<any(waiting, oversight):kind>")
@rule(policy.TEAM_VIEW)
def listing(kind: str) -> str:
    """Every case of one of the Team page's lists, a page at a time."""
    teams = _teams()
    text = request.args.get("page", "1")
    if not (text.isdigit() and len(text) < 7):
        abort(404)
    today = dt.date.today()
    query: Any = _waiting(teams) if kind == "waiting" else _oversight(teams, today)
    with get_storage().sessions() as db:
        found = page_of(db, query, int(text))
    paging = pagination(found, "team.listing", {"kind": kind})
    if paging:
        paging["landmarkLabel"] = f"Pages of {LISTS[kind].lower()}"
    return render_template(
        "team/listing.html",
        kind=kind,
        title=LISTS[kind],
        found=found,
        waiting=found.rows if kind == "waiting" else [],
        oversight=_oversight_lines(found.rows, today) if kind == "oversight" else [],
        pagination=paging,
    )

"""The audit trail's pages: who has seen or changed a case (for its team manager and the data
protection officer), and the DPO's search, its CSV download and the break-glass grants.

Who may open each page is the policy's decision (`audit.view` for the DPO's pages, `case.audit`
for a case's page); these views only read and show.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as WResponse

from ehdocs.access import audit
from ehdocs.access.audit_search import (
    EntryQuery,
    Found,
    Search,
    actions,
    break_glass,
    case_entries,
    export,
    page_of,
    uk_time,
)
from ehdocs.access.policy import AUDIT_VIEW, CASE_AUDIT, rule
from ehdocs.fields import Invalid
from ehdocs.fields.dates import date_from_parts, format_date
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, CaseRow

bp = Blueprint("audit", __name__)

OUTCOMES = {
    "ok": ("Done", "govuk-tag--green"),
    "refused": ("Refused", "govuk-tag--red"),
    "failed": ("Failed", "govuk-tag--orange"),
}
DATES = {"from": "Start date", "to": "End date"}


@dataclass(frozen=True)
class Line:
    """One entry as a row of the table: UK time, who, what, outcome."""

    when: str
    who: str
    address: str
    action: str
    document: str
    detail: str
    case_id: int | None
    case_reference: str
    outcome: str
    outcome_class: str


def _line(entry: AuditEntry, reference: str | None) -> Line:
    outcome, css = OUTCOMES.get(entry.outcome, (entry.outcome, "govuk-tag--grey"))
    return Line(
        when=_when(entry.at),
        who=entry.actor,
        address=entry.address or "",
        action=entry.action,
        document=entry.document or "",
        detail=entry.detail or "",
        case_id=entry.case_id,
        case_reference=reference or (str(entry.case_id) if entry.case_id else ""),
        outcome=outcome,
        outcome_class=css,
    )


def _when(value: dt.datetime) -> str:
    local = uk_time(value)
    return f"{format_date(local.date())} {local:%H:%M:%S}"


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and len(text) < 7 else 1


def _found(query: EntryQuery) -> tuple[Found, list[Line]]:
    with get_storage().sessions() as db:
        found = page_of(db, query, _page_number())
        return found, [_line(entry, reference) for entry, reference in found.rows]


def pagination(found: Found, endpoint: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """GOV.UK pagination for the pages of a table: first, last and those near the current."""
    if found.pages < 2:
        return None

    def href(number: int) -> str:
        return url_for(endpoint, **{**args, "page": number})

    items: list[dict[str, Any]] = []
    for number in range(1, found.pages + 1):
        if number in (1, found.pages) or abs(number - found.page) <= 1:
            items.append({"number": number, "href": href(number), "current": number == found.page})
        elif items and not items[-1].get("ellipsis"):
            items.append({"ellipsis": True})
    return {
        "previous": {"href": href(found.page - 1)} if found.page > 1 else None,
        "next": {"href": href(found.page + 1)} if found.page < found.pages else None,
        "items": items,
        "landmarkLabel": "Pages of entries",
    }


# -- a case's trail ---------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>/audit")
@rule(CASE_AUDIT, audit="case.audit")
def case(case_id: int) -> str:
    with get_storage().sessions() as db:
        reference = db.scalar(select(CaseRow.reference).where(CaseRow.id == case_id))
    if reference is None:
        abort(404)
    found, lines = _found(case_entries(case_id))
    return render_template(
        "audit/case.html",
        case_id=case_id,
        reference=reference,
        found=found,
        lines=lines,
        pagination=pagination(found, "audit.case", {"case_id": case_id}),
    )


# -- the data protection officer's search ----------------------------------------------------


@dataclass(frozen=True)
class Query:
    """The search form as typed, what it means, and what is wrong with it."""

    values: dict[str, str]
    search: Search
    errors: dict[str, str]


FIELDS = ("actor", "case", "action", *(f"{d}-{p}" for d in DATES for p in ("day", "month", "year")))


def _query(args: Mapping[str, str]) -> Query:
    values = {name: args.get(name, "").strip()[:320] for name in FIELDS}
    errors: dict[str, str] = {}
    days: dict[str, dt.date | None] = {}
    for name, label in DATES.items():
        parts = {p: values[f"{name}-{p}"] for p in ("day", "month", "year")}
        try:
            days[name] = date_from_parts(parts, label)
        except Invalid as problem:
            days[name] = None
            errors[f"{name}-day"] = str(problem)
    start, end = days["from"], days["to"]
    if start and end and end < start:
        errors["to-day"] = "End date must be the same as or after the start date"
    search = Search(
        actor=values["actor"] or None,
        case_reference=values["case"] or None,
        action=values["action"] or None,
        start=start,
        end=end,
    )
    return Query(values, search, errors)


def _search_args(values: Mapping[str, str]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value}


@bp.get("/audit/")
@rule(AUDIT_VIEW, audit="audit.search")
def search() -> str:
    query = _query(request.args)
    lines: list[Line] = []
    found = Found([], 0, 1, 1)
    if not query.errors:
        found, lines = _found(query.search.query())
    with get_storage().sessions() as db:
        known_actions = actions(db)
        grants = break_glass(db)
    args = _search_args(query.values)
    return render_template(
        "audit/search.html",
        values=query.values,
        errors=query.errors,
        actions=known_actions,
        found=found,
        lines=lines,
        searched=bool(args),
        pagination=pagination(found, "audit.search", args),
        csv_href=url_for("audit.download", **args),
        grants=[
            {
                "who": g.who,
                "case_id": g.case_id,
                "case_reference": g.case_reference,
                "reason": g.reason,
                "since": _when(g.started_at),
                "until": _when(g.expires_at),
                "active": g.active,
            }
            for g in grants
        ],
    )


@bp.get("/audit/entries.csv")
@rule(AUDIT_VIEW)  # the view records the export itself, before the file leaves
def download() -> WResponse:
    query = _query(request.args)
    if query.errors:
        return redirect(url_for("audit.search", **_search_args(query.values)))
    out = io.StringIO()
    with get_storage().sessions() as db:
        export(db, query.search, out)
    audit.record("audit.export", detail="csv")  # an export of who saw what is itself audited
    stamp = dt.date.today().isoformat()
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )

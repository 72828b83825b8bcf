"""The council's performance report: every KPI of form_schemas/report/kpis.yaml for a date
range, by team and worker, as charts with their numbers in tables beside them, and as CSV,
XLSX and a tagged PDF. Team managers run the service from it: figures only, no case content,
and counts under the threshold are withheld in every download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from ehdocs.access import audit
from ehdocs.access.policy import REPORT, rule
from ehdocs.fields import Invalid
from ehdocs.fields.dates import date_from_parts, format_date
from ehdocs.report import export
from ehdocs.report.charts import bar_chart
from ehdocs.report.labels import Labels
from ehdocs.report.results import ReportFilter, suppressed
from ehdocs.storage import get_storage
from ehdocs.storage.kpis import compute
from ehdocs.storage.models import Team, User

bp = Blueprint("reports", __name__, url_prefix="/reports")
DATES = {"from": "Start date", "to": "End date"}
FIELDS = (*(f"{d}-{p}" for d in DATES for p in ("day", "month", "year")), "team", "worker")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", export.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.to_xlsx),
}


@dataclass(frozen=True)
class Query:
    values: dict[str, str]
    flt: ReportFilter | None
    errors: dict[str, str]


def _default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 12 whole months: what a board usually looks at."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(year=end.year - 1) + dt.timedelta(days=1), end


def _query(args: Mapping[str, str], teams: Mapping[int, str], workers: Mapping[int, str]) -> Query:
    values = {name: args.get(name, "").strip()[:40] for name in FIELDS}
    if not any(values[f"{d}-{p}"] for d in DATES for p in ("day", "month", "year")):
        for name, day in zip(DATES, _default_range(dt.date.today()), strict=True):
            values.update(
                {
                    f"{name}-day": str(day.day),
                    f"{name}-month": str(day.month),
                    f"{name}-year": str(day.year),
                }
            )
    errors: dict[str, str] = {}
    days: dict[str, dt.date | None] = {}
    for name, label in DATES.items():
        parts = {p: values[f"{name}-{p}"] for p in ("day", "month", "year")}
        try:
            days[name] = date_from_parts(parts, label)
        except Invalid as problem:
            days[name] = None
            errors[f"{name}-day"] = str(problem)
        if days[name] is None and f"{name}-day" not in errors:
            errors[f"{name}-day"] = f"Enter the {label.lower()}"
    start, end = days["from"], days["to"]
    if start and end and end < start:
        errors["to-day"] = "End date must be the same as or after the start date"
    if start and end and (end - start).days > 366 * 5:
        errors["to-day"] = "Choose a range of 5 years or less"
    team = _choice(values["team"], teams, "team", "Choose a team from the list", errors)
    worker = _choice(values["worker"], workers, "worker", "Choose a worker from the list", errors)
    flt = ReportFilter(start, end, team, worker) if start and end and not errors else None
    return Query(values, flt, errors)


def _choice(
    value: str, known: Mapping[int, str], name: str, message: str, errors: dict[str, str]
) -> int | None:
    if not value:
        return None
    if value.isdigit() and int(value) in known:
        return int(value)
    errors[name] = message
    return None


def _people() -> tuple[dict[int, str], dict[int, str]]:
    with get_storage().sessions() as db:
        teams = dict(db.execute(select(Team.id, Team.name).order_by(Team.name)).all())
        workers = dict(
            db.execute(
                select(User.id, User.name)
                .where(User.role.in_(("practitioner", "team_manager")), ~User.disabled)
                .order_by(User.name)
            ).all()
        )
    return teams, workers


def _results(flt: ReportFilter) -> list[Any]:
    storage = get_storage()
    labels = Labels(storage.cases.formset, storage.report)
    with storage.sessions() as db:
        return compute(db, storage.report, labels, flt)


def _period(flt: ReportFilter, teams: Mapping[int, str], workers: Mapping[int, str]) -> str:
    return flt.describe(
        teams.get(flt.team_id) if flt.team_id else None,
        workers.get(flt.worker_id) if flt.worker_id else None,
    )


@bp.get("/")
@rule(REPORT, audit="report.view")
def index() -> Any:
    teams, workers = _people()
    query = _query(request.args, teams, workers)
    items: list[dict[str, Any]] = []
    under = get_storage().report.suppress_under
    if query.flt is not None:
        for result in _results(query.flt):
            chart = bar_chart(result)
            items.append(
                {
                    "result": result,
                    # on the page, for managers: the figures as they are (downloads withhold)
                    "rows": suppressed(result, 0),
                    "chart": Markup(chart) if chart else None,
                }
            )
    args: dict[str, Any] = {k: v for k, v in query.values.items() if v}
    page = render_template(
        "reports/index.html",
        values=query.values,
        errors=query.errors,
        teams=teams,
        workers=workers,
        items=items,
        period=_period(query.flt, teams, workers) if query.flt else "",
        downloads={f: url_for("reports.download", fmt=f, **args) for f in ("csv", "xlsx", "pdf")},
        under=under,
        day=format_date,
    )
    return (page, 400) if query.errors else page


@bp.get("/report.<fmt>")
@rule(REPORT)  # the view records the download itself, with its format
def download(fmt: str) -> Any:
    teams, workers = _people()
    query = _query(request.args, teams, workers)
    if query.flt is None or fmt not in (*FORMATS, "pdf"):
        return index()
    storage = get_storage()
    results = _results(query.flt)
    period = _period(query.flt, teams, workers)
    under = storage.report.suppress_under
    if fmt == "pdf":
        body = export.to_pdf(results, period, under, storage.cases.formset.profile.name)
        mimetype = "application/pdf"
    else:
        mimetype, write = FORMATS[fmt]
        body = write(results, period, under)
    audit.record("report.export", detail=f"{fmt}, {query.flt.start} to {query.flt.end}")
    name = f"early-help-performance-{query.flt.start}-to-{query.flt.end}.{fmt}"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )

"""The data protection officer's retention page: what the council's rules say is due for
disposal (the scheduled `ehdocs retention run --apply` disposes of it), what has been disposed
of, and legal holds, placed and lifted with a reason. No case content is shown: references,
rules and dates only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ehdocs.access import retention as rules
from ehdocs.access.policy import RETENTION, rule
from ehdocs.access.sessions import current
from ehdocs.errors import NotFoundError
from ehdocs.fields.dates import format_date
from ehdocs.storage import get_storage
from ehdocs.storage.models import Disposal

bp = Blueprint("retention", __name__, url_prefix="/retention")
REASON_MAX = 400  # a reason, never case notes: it is shown in the audit trail's terms


@bp.get("/")
@rule(RETENTION, audit="retention.view")
def index() -> Any:
    return _page()


def _page(errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> Any:
    storage = get_storage()
    formset = storage.cases.formset
    due = rules.due(storage.sessions, formset)
    with storage.sessions() as db:
        disposed = list(db.scalars(select(Disposal).order_by(Disposal.id.desc()).limit(50)))
    page = render_template(
        "retention/index.html",
        due=due,
        holds=rules.holds(storage.sessions),
        disposed=disposed,
        settings=formset.profile.retention,
        errors=errors or {},
        values=values or {"reference": "", "reason": ""},
        day=format_date,
        today=dt.date.today(),
    )
    return (page, 400) if errors else page


@bp.post("/holds")
@rule(RETENTION, audit="retention.hold")
def place() -> Any:
    values = {k: request.form.get(k, "").strip() for k in ("reference", "reason")}
    errors: dict[str, str] = {}
    if not values["reference"]:
        errors["reference"] = "Enter the case reference, like EH-2026-0001"
    if not values["reason"]:
        errors["reason"] = "Enter why the case must be kept"
    elif len(values["reason"]) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
    if not errors:
        who = current()
        try:
            rules.place_hold(
                get_storage().sessions, values["reference"], values["reason"], who, _actor()
            )
        except NotFoundError as exc:
            errors["reference"] = str(exc)
        except ValueError as exc:
            errors["reference"] = str(exc)
    if errors:
        return _page(errors, values)
    flash(f"Case {values['reference']} is on legal hold.", "success")
    return redirect(url_for(".index"))


@bp.post("/holds/<int:hold_id>/lift")
@rule(RETENTION, audit="retention.lift")
def lift(hold_id: int) -> Response | Any:
    reason = request.form.get("lift_reason", "").strip()
    if not reason or len(reason) > REASON_MAX:
        flash(
            "Enter why the hold is no longer needed "
            f"({REASON_MAX} characters or fewer); the hold is still in place.",
            "error",
        )
        return redirect(url_for(".index") + f"#hold-{hold_id}")
    try:
        rules.lift_hold(get_storage().sessions, hold_id, reason, current(), _actor())
    except NotFoundError:
        flash("That legal hold is not in place (it may have been lifted already).", "error")
        return redirect(url_for(".index"))
    flash("The legal hold is lifted: the retention rules apply to the case again.", "success")
    return redirect(url_for(".index"))


def _actor() -> str:
    who = current()  # the rule has made sure someone is signed in
    return who.email if who else "unknown"

"""Break-glass: a hub adviser, team manager or data protection officer asks for time-limited
access to a case outside their job, giving a reason that the audit trail keeps."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ehdocs.access import audit, policy
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.errors import NotFoundError
from ehdocs.storage import get_storage
from ehdocs.storage.models import BreakGlass, now

bp = Blueprint("break_glass", __name__, url_prefix="/cases")
SHORTEST_REASON = 10
LONGEST_REASON = 300


@bp.route("/<int:case_id>/break-glass", methods=["GET", "POST"])
@rule(policy.BREAK_GLASS)
def ask(case_id: int) -> str | Response | tuple[str, int]:
    principal = current()
    try:
        stored = get_storage().cases.get(case_id)
    except NotFoundError:
        abort(404)
    if principal is None or principal.user_id is None:
        abort(404)
    minutes = int(get_storage().cases.formset.profile.timescales.get("break_glass_minutes", 60))
    reason = " ".join(request.form.get("reason", "").split())
    error = None
    if request.method == "POST":
        error = _problem(reason)
        if error is None:
            started = now()
            with get_storage().sessions() as db, db.begin():
                db.add(
                    BreakGlass(
                        user_id=principal.user_id,
                        case_id=stored.id,
                        reason=reason,
                        started_at=started,
                        expires_at=started + dt.timedelta(minutes=minutes),
                    )
                )
                audit.append(
                    db, "case.break_glass", case_id=stored.id, detail=f"reason: {reason}"[:400]
                )
            return redirect(url_for("cases.overview", case_id=stored.id))
    page = render_template("access/break_glass.html", minutes=minutes, reason=reason, error=error)
    return (page, 400) if error else page


def _problem(reason: str) -> str | None:
    if not reason:
        return "Enter why you need to see this case"
    if len(reason) < SHORTEST_REASON:
        return f"Enter at least {SHORTEST_REASON} characters: say why you need to see this case"
    if len(reason) > LONGEST_REASON:
        return f"Reason must be {LONGEST_REASON} characters or fewer"
    return None

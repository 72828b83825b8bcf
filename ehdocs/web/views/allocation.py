"""Allocation: the hub's decision sends a case to a team, a team manager gives it to a worker,
and either moves it on (a transfer, with a handover summary). One save sets the case's team and
worker (what access reads) and appends the allocation record (the history), audited in the same
transaction by the store's change listener."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ehdocs.access import policy, roles, sessions
from ehdocs.access.policy import rule
from ehdocs.case.allocation import AllocationProblem, Holder, allocated
from ehdocs.case.stamps import now_local
from ehdocs.errors import ConflictError, InvalidCaseError
from ehdocs.storage import StoredCase, get_storage
from ehdocs.storage.models import Team, TeamMember, User
from ehdocs.validation.words import in_words
from ehdocs.web.views.cases import load

bp = Blueprint("allocation", __name__, url_prefix="/cases/<int:case_id>/allocation")
WORKER_ROLES = (roles.PRACTITIONER, roles.TEAM_MANAGER)


@dataclass(frozen=True)
class Choice:
    value: str  # "team id:user id" (user id empty: the team, a worker chosen later)
    team_id: int
    team: str
    user_id: int | None
    worker: str | None  # e-mail address
    label: str


def choices() -> list[Choice]:
    """Every team a case can go to, and each of its workers, in name order."""
    with get_storage().sessions() as db:
        teams = db.execute(select(Team.id, Team.name).where(Team.kind != "hub").order_by(Team.name))
        members = db.execute(
            select(TeamMember.team_id, User.id, User.email, User.name)
            .join(User, User.id == TeamMember.user_id)
            .where(User.role.in_(WORKER_ROLES), User.disabled.is_(False))
            .order_by(User.name)
        ).all()
        found = []
        for team_id, team in teams:
            found.append(
                Choice(f"{team_id}:", team_id, team, None, None, f"{team}: not yet a worker")
            )
            for member in members:
                if member.team_id == team_id:
                    label = f"{team}: {member.name} ({member.email})"
                    found.append(
                        Choice(
                            f"{team_id}:{member.id}", team_id, team, member.id, member.email, label
                        )
                    )
        return found


def holder(stored: StoredCase) -> Holder:
    with get_storage().sessions() as db:
        team = db.get(Team, stored.team_id) if stored.team_id is not None else None
        user = db.get(User, stored.allocated_to) if stored.allocated_to is not None else None
        return Holder(team.name if team else None, user.email if user else None)


@bp.route("", methods=["GET", "POST"])
@rule(policy.CASE_ALLOCATE, audit="case.allocation.view", audit_post="case.allocate")
def allocate(case_id: int) -> str | Response | tuple[str, int]:
    stored = load(case_id)
    options = choices()
    current = holder(stored)
    if request.method == "GET":
        return _page(stored, options, current)
    picked = next((c for c in options if c.value == request.form.get("holder")), None)
    summary = str(request.form.get("handover_summary", ""))
    if picked is None:
        return _page(stored, options, current, "Select the team and worker", summary), 400
    try:
        raw = allocated(
            stored.raw, current, Holder(picked.team, picked.worker), now_local(), summary
        )
    except AllocationProblem as exc:
        return _page(stored, options, current, str(exc), summary, picked.value), 400
    version = str(request.form.get("version", ""))
    if not version.isdigit():
        abort(400)  # the page always sends the version it was opened at
    try:
        get_storage().cases.save(
            stored.id, raw, int(version), owner=(picked.team_id, picked.user_id)
        )
    except ConflictError as exc:
        return _page(stored, options, current, str(exc), summary, picked.value), 409
    except InvalidCaseError as exc:
        words = "; ".join(in_words(p, stored.case.formset, raw) for p in exc.problems)
        words = words or "The allocation could not be saved"
        return _page(stored, options, current, words, summary, picked.value), 400
    flash(f"Case {stored.reference} allocated to {picked.label}.", "success")
    principal = sessions.current()
    after = policy.CaseFacts.of(get_storage().cases.get(stored.id))
    if principal is None or policy.relation(principal, after) is policy.Relation.NONE:
        # The hub sent the case to a team (or a manager to another team's): it is theirs now,
        # and its page would be a "not found" for this person.
        return redirect(url_for("cases.index"))
    return redirect(url_for("cases.overview", case_id=stored.id))


def _page(
    stored: StoredCase,
    options: list[Choice],
    current: Holder,
    error: str | None = None,
    summary: str = "",
    picked: str | None = None,
) -> str:
    if not options:
        abort(404)  # no team to allocate to: accounts come first
    return render_template(
        "allocation/allocate.html",
        stored=stored,
        options=options,
        current=current,
        error=error,
        summary=summary,
        picked=picked,
    )

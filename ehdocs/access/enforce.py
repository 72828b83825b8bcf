"""The policy enforced on every request: before a view runs, its route's rule is read, the facts
loaded and the policy asked; a refusal is audited and answered (404 when saying no would reveal
that a case exists, 403 otherwise, a sign-in redirect when nobody is signed in). Views never
check roles.

What is audited, and when:
- a refusal: before anything else happens;
- a page or file shown (case pages, records, downloads, hub submissions): after the view, before
  the response leaves; if the entry cannot be written the request fails (the content is not sent);
- a change to a case: inside the very transaction that writes it (CaseStore's change listener),
  with the versions before and after, so the change and its entry are committed together or
  not at all: nothing changes unaudited, and no entry claims a change that did not happen;
- any other successful POST (closing a submission, uploading): after the view, on its redirect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, render_template, request
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ehdocs.access import audit, ownership, policy, roles
from ehdocs.access.policy import Decision, Outcome, Rule
from ehdocs.access.sessions import Principal, current
from ehdocs.errors import EhdocsError, NotFoundError
from ehdocs.schema.model import SectionDef
from ehdocs.storage import StoredCase, get_storage
from ehdocs.storage.models import now
from ehdocs.validation.problems import Problem

SIGN_IN_PATH = "/sign-in"
UNRULED = "route.no_rule"
LONDON = ZoneInfo("Europe/London")


def init_app(app: Flask) -> None:
    """Register after the sessions (the principal is loaded first) and the storage."""
    app.config.setdefault("ACCESS_CHECKS", True)  # off only in bench/bench_access.py
    app.before_request(check)
    app.after_request(audit_success)
    app.context_processor(_template_context)
    get_storage(app).cases.listeners.append(audit_change)


def check() -> Response | tuple[str, int] | None:
    if not current_app.config["ACCESS_CHECKS"]:
        return None
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None  # no such route (Flask answers 404 / 405), or a packaged asset
    declared = policy.rule_of(current_app.view_functions[endpoint])
    if declared == "public":
        return None
    principal = current()
    if declared is None:
        return _refuse(UNRULED, Decision(Outcome.FORBIDDEN), principal)
    if principal is None:
        return _refuse(_audit_name(declared), Decision(Outcome.SIGN_IN), principal)
    if declared == "signed_in":
        return None
    if declared == "partner_link":
        allowed = principal.is_partner_link or principal.role == roles.PARTNER
        return None if allowed else _refuse(endpoint, Decision(Outcome.FORBIDDEN), principal)
    assert isinstance(declared, Rule)
    action = declared.action_for(request.method)
    decision = _decide(principal, action)
    if not decision.allowed:
        return _refuse(_audit_name(declared), decision, principal)
    g.access = decision
    name = declared.audit_for(request.method)
    if name is not None:
        g.audit_pending = name
    return None


def _decide(principal: Principal, action: str) -> Decision:
    if action not in policy.CASE_ACTIONS:
        return policy.decide(principal, action)
    args = request.view_args or {}
    case_id = args.get("case_id")
    try:
        stored = get_storage().cases.get(int(case_id)) if case_id is not None else None
    except NotFoundError:
        stored = None
    if stored is None:
        return policy.decide(principal, action, None)
    g.access_case = stored  # the view reads the case the decision was made on (one query less)
    facts = policy.CaseFacts.of(stored)
    glass = None
    if policy.relation(principal, facts) is policy.Relation.NONE:
        with get_storage().sessions() as db:
            glass = policy.active_glass(db, principal, facts.id, now())
    return policy.decide(
        principal,
        action,
        facts,
        audience=args.get("audience"),
        section=_section(facts, args) if action == policy.DOCUMENT_EDIT else None,
        glass=glass,
    )


def _section(facts: policy.CaseFacts, args: dict[str, Any]) -> Any:
    form = facts.documents.get(str(args.get("doc_id")))
    if form is None:
        return None
    try:
        return get_storage().cases.formset.form(form).section(str(args.get("section_id")))
    except EhdocsError:
        return None


def _refuse(
    name: str, decision: Decision, principal: Principal | None
) -> Response | tuple[str, int]:
    args = request.view_args or {}
    case_id = args.get("case_id")
    audit.record(
        name,
        outcome="refused",
        case_id=int(case_id) if isinstance(case_id, int) else None,
        document=_document(args),
        detail=_detail(args, f"{request.method} {decision.outcome.value}"),
        principal=principal,
    )
    if decision.outcome is Outcome.SIGN_IN:
        if request.method in ("GET", "HEAD"):
            target = request.full_path.rstrip("?")
            return Response(
                status=302, headers={"Location": f"{SIGN_IN_PATH}?next={quote(target, safe='/')}"}
            )
        return render_template("errors/401.html"), 401
    if decision.outcome is Outcome.HIDDEN:
        # Offering break-glass on this page tells the roles that may break glass that the
        # page might be a case they cannot see: they could find that out from the hub's
        # matching anyway. It is offered whether or not the case exists, so the page itself
        # still says nothing about existence; other roles get the plain "not found".
        if case_id is not None and policy.may(principal, policy.BREAK_GLASS):
            g.break_glass_offer = f"/cases/{int(case_id)}/break-glass"
        return render_template("errors/404.html", reason=None), 404
    return render_template("errors/403.html", reason=None), 403


def audit_success(response: Response) -> Response:
    """A page or file shown, or a non-case change that succeeded: audited before it leaves.
    An entry that cannot be written raises here, so the response is never sent."""
    name = g.pop("audit_pending", None)
    if name is None or g.get("change_audited"):
        return response
    shown = request.method in ("GET", "HEAD") and response.status_code == 200
    done = request.method not in ("GET", "HEAD") and 300 <= response.status_code < 400
    if shown or done:
        args = request.view_args or {}
        case_id = args.get("case_id")
        audit.record(
            name,
            case_id=int(case_id) if isinstance(case_id, int) else None,
            document=_document(args),
            detail=_detail(args, _glass_note()),
        )
    return response


def audit_change(db: Session, case_id: int, before: int | None, after: int) -> None:
    """CaseStore's change listener: the entry is written in the change's own transaction."""
    if not has_request_context() or g.get("change_audited"):
        return  # ingestion, the CLI and a rectification audit what they do themselves
    args = request.view_args or {}
    name = g.pop("audit_pending", None) or "case.change"
    versions = f"version {before}->{after}" if before is not None else f"created version {after}"
    audit.append(
        db,
        name,
        case_id=case_id,
        document=_document(args),
        detail=_detail(args, versions + _glass_note()),
    )
    g.change_audited = True


def _document(args: dict[str, Any]) -> str | None:
    doc_id = args.get("doc_id")
    return str(doc_id)[:80] if doc_id is not None else None


def _detail(args: dict[str, Any], note: str) -> str:
    """The route's arguments (ids, forms, audiences, formats: never content) and a note."""
    parts = [f"{k}={v}" for k, v in args.items() if k not in ("case_id", "doc_id")]
    return "; ".join([*parts, note] if note else parts)[:400]


def _glass_note() -> str:
    decision: Decision | None = g.get("access")
    return "; by break-glass" if decision is not None and decision.glass else ""


def _audit_name(declared: Rule | str) -> str:
    if isinstance(declared, Rule):
        return declared.audit_for(request.method) or declared.action_for(request.method)
    return str(request.endpoint)


def _template_context() -> dict[str, Any]:
    decision: Decision | None = g.get("access")
    glass = decision.glass if decision is not None else None
    # Only on a case the request was allowed (a refusal's page says nothing of the case).
    checked: StoredCase | None = g.get("access_case") if decision is not None else None
    restriction = get_storage().cases.restriction(checked.id) if checked is not None else None
    return {
        "access_banner": _banner(glass.expires_at, glass.reason) if glass else None,
        # (reason, placed at) of the data protection officer's restriction on the case shown
        "restriction": restriction,
        "break_glass_offer": g.get("break_glass_offer"),
        "may": lambda action: policy.may(current(), action),
    }


def _banner(expires_at: dt.datetime, reason: str) -> str:
    local = expires_at.replace(tzinfo=dt.UTC).astimezone(LONDON)
    return f"You have temporary access until {local:%H:%M} because {reason}"


def checked_case(case_id: int) -> StoredCase | None:
    """The case this request's access decision loaded, if it is `case_id`."""
    stored: StoredCase | None = g.get("access_case")
    return stored if stored is not None and stored.id == case_id else None


def visible_cases() -> list[StoredCase]:
    """The cases the person signed in may see, for the cases list: filtered in the query (team,
    allocation, break-glass), then by what only the case data says (consents, a partner's
    place on the Team Around the Family)."""
    principal = current()
    if principal is None:
        return []
    moment = now()
    found = get_storage().cases.list(policy.visible_cases(principal, moment))
    with get_storage().sessions() as db:
        glass = policy.glass_case_ids(db, principal, moment)
    return policy.sees(principal, found, glass)


def rows_not_theirs(
    stored: StoredCase,
    section: SectionDef,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    document: str | None,
) -> list[Problem]:
    """Problems if this request, allowed to write `section` only as a Team Around the Family
    member, adds, changes or removes rows that belong to someone else (see access.ownership)."""
    decision: Decision | None = g.get("access")
    principal = current()
    if decision is None or principal is None or decision.relation is not policy.Relation.TAF:
        return []
    mine = ownership.professionals_of(stored.raw, principal.email)
    return ownership.others_rows_changed(section, before, after, mine, document)

"""The one access policy: who may do what to which object. Views declare a rule; nothing checks
roles inline. The enforcement (ehdocs.access.enforce) reads each route's rule, loads the facts
and asks `decide`.

The decision is made from facts only: the principal (role, account, teams, e-mail address), the
case's team and allocated worker (a case with no team is with the hub), the professionals
recorded on the case (a partner account whose e-mail address is a professional's is on the
Team Around the Family; the lead practitioner's is the case's lead professional), the
professionals a consent says the record must not be shared with, and any break-glass grant.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from ehdocs.access import roles
from ehdocs.access.sessions import Principal
from ehdocs.schema import roles as schema_roles
from ehdocs.schema.model import SectionDef
from ehdocs.storage import StoredCase
from ehdocs.storage.models import BreakGlass, CaseRow

View = TypeVar("View", bound=Callable[..., Any])

RULE_ATTRIBUTE = "access_rule"

# -- actions ------------------------------------------------------------------------------------
# On no object: what a role's job gives it.
CASE_LIST = "case.list"  # the cases list (showing only the cases the person may see)
CASE_CREATE = "case.create"
HUB_QUEUE = "hub.queue"  # the queue and uploading to it
HUB_SUBMISSION = "hub.submission"  # a submission, its original file, accepting or closing it
AUDIT_VIEW = "audit.view"
RETENTION = "retention.manage"  # what is due for disposal, and legal holds on cases
SUBJECT_ACCESS = "subject_access"  # find a person in every case; their redacted pack
RIGHTS = "rights.manage"  # correct a person's details in any case; restrict a case (read-only)
ACCOUNTS = "accounts.manage"  # accounts, teams and organisations
BREAK_GLASS = "case.break_glass"  # asking for time-limited access to a case outside one's job
REPORT = "report.view"  # the performance report: figures only, small numbers withheld in downloads
TEAM_VIEW = "team.view"  # a manager's teams: caseload per worker, cases waiting, oversight due
# On a case.
CASE_VIEW = "case.view"  # the overview, records, a document's answers
CASE_EDIT = "case.edit"  # the case's records
CASE_ALLOCATE = "case.allocate"
CASE_AUDIT = "case.audit"  # who has seen or changed the case (never its content)
CASE_SHARE = "case.share"  # send a copy out: a secure link, or a password-protected PDF
CASE_RECTIFY = "case.rectify"  # correct a person's details, with a reason (and the DPO's RIGHTS)
DOCUMENT_NEW = "document.new"
DOCUMENT_EDIT = "document.edit"  # one section of a document
DOCUMENT_COMPLETE = "document.complete"
DOWNLOAD = "download"  # one document, in an audience's copy (and any format)
PACK = "pack"  # every document of the case in one file
# A letter to the family or a professional, recorded on the case as correspondence: the people
# who work on the case only (not a reader, not a partner, even a lead professional: a letter
# goes out on the council's letterhead).
LETTER = "case.letter"

ROLE_GRANTS: Mapping[str, frozenset[str]] = {
    roles.HUB_ADVISER: frozenset({CASE_LIST, CASE_CREATE, HUB_QUEUE, HUB_SUBMISSION, BREAK_GLASS}),
    roles.PRACTITIONER: frozenset({CASE_LIST}),
    roles.TEAM_MANAGER: frozenset({CASE_LIST, BREAK_GLASS, REPORT, TEAM_VIEW}),
    roles.PARTNER: frozenset({CASE_LIST}),
    # No case content for either; the data protection officer may break glass (audited).
    roles.DPO: frozenset({AUDIT_VIEW, BREAK_GLASS, RETENTION, SUBJECT_ACCESS, RIGHTS}),
    roles.ADMIN: frozenset({ACCOUNTS}),
}
ROLE_ACTIONS = frozenset().union(*ROLE_GRANTS.values())


class Relation(enum.Enum):
    """What a person is to one case."""

    NONE = "none"  # nothing: the case is not even acknowledged to exist (404)
    TAF = "taf"  # on the Team Around the Family: reads the professional copy, writes updates
    READ = "read"  # reads everything (a practitioner's team's cases; break-glass)
    EDIT = "edit"  # the allocated worker, the hub before allocation, a partner lead professional
    MANAGE = "manage"  # the case's team manager: edits and allocates


def _download(audience: str) -> str:
    return f"{DOWNLOAD}:{audience}"


DOWNLOAD_AUDIENCES = ("professional", "family")  # the copies a case's pages offer
_READ = frozenset({CASE_VIEW, _download("professional"), _download("family"), PACK})
_EDIT = _READ | {
    CASE_EDIT,
    DOCUMENT_NEW,
    DOCUMENT_EDIT,
    DOCUMENT_COMPLETE,
    CASE_SHARE,
    CASE_RECTIFY,
    LETTER,
}
CASE_GRANTS: Mapping[Relation, frozenset[str]] = {
    Relation.NONE: frozenset(),
    # Plus DOCUMENT_EDIT of the sections the forms mark `taf_edit: true` (see decide).
    Relation.TAF: frozenset({CASE_VIEW, _download("professional")}),
    Relation.READ: _READ,
    Relation.EDIT: _EDIT,
    Relation.MANAGE: _EDIT | {CASE_ALLOCATE, CASE_AUDIT},
}
CASE_ACTIONS = frozenset(
    {CASE_VIEW, CASE_EDIT, CASE_ALLOCATE, CASE_AUDIT, CASE_SHARE, DOCUMENT_NEW, DOCUMENT_EDIT}
    | {DOCUMENT_COMPLETE, CASE_RECTIFY, LETTER}
    | {DOWNLOAD, PACK}
)
BREAK_GLASS_GIVES = Relation.READ  # to see the case, not to change it


class Outcome(enum.Enum):
    ALLOW = 200
    SIGN_IN = 401  # nobody is signed in
    FORBIDDEN = 403  # the person may know the object exists, not do this to it
    HIDDEN = 404  # saying no would reveal that the case exists


@dataclass(frozen=True)
class Glass:
    """An active break-glass grant: until when, and why."""

    expires_at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    relation: Relation = Relation.NONE
    glass: Glass | None = None  # set when the access is given by break-glass only

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW


@dataclass(frozen=True)
class CaseFacts:
    """What the policy reads of a case."""

    id: int
    team_id: int | None  # None: with the hub, before allocation
    allocated_to: int | None
    professionals: Mapping[str, bool]  # e-mail address (lower case) -> lead professional
    not_shared_with: frozenset[str]  # e-mail addresses a consent keeps the record from
    documents: Mapping[str, str]  # document id -> its form

    @classmethod
    def of(cls, stored: StoredCase) -> CaseFacts:
        raw = stored.raw
        professionals: dict[str, bool] = {}
        by_id: dict[str, str] = {}
        for row in raw.get("professionals") or []:
            email = str(row.get("email") or "").strip().lower()
            if email:
                professionals[email] = professionals.get(email, False) or (
                    row.get("lead_practitioner") == "yes"
                )
                by_id[str(row.get("id"))] = email
        denied = {
            by_id[str(p)]
            for consent in raw.get("consents") or []
            for p in consent.get("not_shared_with_professionals") or []
            if str(p) in by_id
        }
        documents = {str(d.get("id")): str(d.get("form")) for d in raw.get("documents") or []}
        return cls(
            stored.id,
            stored.team_id,
            stored.allocated_to,
            professionals,
            frozenset(denied),
            documents,
        )


def relation(principal: Principal, case: CaseFacts) -> Relation:
    """What this person's job makes them to this case (break-glass aside)."""
    if principal.user_id is None:
        return Relation.NONE  # a partner signed in by a link sees only what they sent
    email = principal.email.lower()
    if email in case.not_shared_with:
        return Relation.NONE  # the family said no: even a TAF member or the lead
    role = principal.role
    if role == roles.HUB_ADVISER:
        return Relation.EDIT if case.team_id is None else Relation.NONE
    if role == roles.TEAM_MANAGER:
        return Relation.MANAGE if case.team_id in principal.team_ids else Relation.NONE
    if role == roles.PRACTITIONER:
        if case.allocated_to == principal.user_id:
            return Relation.EDIT
        return Relation.READ if case.team_id in principal.team_ids else Relation.NONE
    if role == roles.PARTNER and email in case.professionals:
        return Relation.EDIT if case.professionals[email] else Relation.TAF
    return Relation.NONE


def may(principal: Principal | None, action: str) -> bool:
    """May this person do `action`, an action on no object (see ROLE_GRANTS)?"""
    return principal is not None and action in ROLE_GRANTS.get(principal.role or "", frozenset())


def decide(
    principal: Principal | None,
    action: str,
    case: CaseFacts | None = None,
    *,
    audience: str | None = None,
    section: SectionDef | None = None,
    glass: Glass | None = None,
) -> Decision:
    """The answer to one request. `case` is None for an action on no object, or for a case
    that does not exist; `glass` is the person's active break-glass grant on the case."""
    if principal is None:
        return Decision(Outcome.SIGN_IN)
    if action not in CASE_ACTIONS:
        return Decision(Outcome.ALLOW if may(principal, action) else Outcome.FORBIDDEN)
    if case is None:
        return Decision(Outcome.HIDDEN)
    if action == CASE_AUDIT and may(principal, AUDIT_VIEW):
        return Decision(Outcome.ALLOW)  # the data protection officer: who looked, no content
    if action == CASE_RECTIFY and may(principal, RIGHTS):
        return Decision(Outcome.ALLOW)  # the officer corrects a person found by subject access
    found = relation(principal, case)
    given_by_glass = None
    if found is Relation.NONE and glass is not None and may(principal, BREAK_GLASS):
        found, given_by_glass = BREAK_GLASS_GIVES, glass
    if found is Relation.NONE:
        return Decision(Outcome.HIDDEN)
    if action == DOWNLOAD and audience not in DOWNLOAD_AUDIENCES:
        return Decision(Outcome.HIDDEN, found)  # no such copy: the page does not exist
    if (
        action == DOCUMENT_EDIT
        and section is not None
        and section.role == schema_roles.HUB
        and principal.role != roles.HUB_ADVISER
    ):
        return Decision(Outcome.FORBIDDEN, found, given_by_glass)  # the hub's decision is theirs
    if action == CASE_ALLOCATE and principal.role == roles.HUB_ADVISER and found is Relation.EDIT:
        return Decision(Outcome.ALLOW, found)  # the hub's decision sends a case to a team
    if action == LETTER and principal.role == roles.PARTNER:
        return Decision(Outcome.FORBIDDEN, found, given_by_glass)  # the council's letterhead
    wanted = _download(audience or "") if action == DOWNLOAD else action
    if wanted in CASE_GRANTS[found] or (
        action == DOCUMENT_EDIT
        and found is Relation.TAF
        and section is not None
        and section.taf_edit
    ):
        return Decision(Outcome.ALLOW, found, given_by_glass)
    return Decision(Outcome.FORBIDDEN, found, given_by_glass)


# -- facts from the database -----------------------------------------------------------------


def active_glass(
    db: Session, principal: Principal, case_id: int, moment: dt.datetime
) -> Glass | None:
    if principal.user_id is None or not may(principal, BREAK_GLASS):
        return None
    row = db.execute(
        select(BreakGlass.expires_at, BreakGlass.reason)
        .where(
            BreakGlass.user_id == principal.user_id,
            BreakGlass.case_id == case_id,
            BreakGlass.expires_at > moment,
        )
        .order_by(BreakGlass.expires_at.desc())
        .limit(1)
    ).first()
    return Glass(row.expires_at, row.reason) if row is not None else None


def visible_cases(principal: Principal, moment: dt.datetime) -> ColumnElement[bool]:
    """The cases this person may see, as a condition for the cases query: the team and
    allocation in SQL; a partner's cases narrowed to those whose data holds their address
    (the exact match, and every consent, is then checked by `sees`)."""
    role, teams = principal.role, sorted(principal.team_ids)
    by_role: ColumnElement[bool]
    if principal.user_id is None:
        return false()
    if role == roles.HUB_ADVISER:
        by_role = CaseRow.team_id.is_(None)
    elif role == roles.TEAM_MANAGER:
        by_role = CaseRow.team_id.in_(teams)
    elif role == roles.PRACTITIONER:
        by_role = or_(CaseRow.allocated_to == principal.user_id, CaseRow.team_id.in_(teams))
    elif role == roles.PARTNER:
        by_role = func.lower(CaseRow.data).contains(principal.email.lower(), autoescape=True)
    else:
        by_role = false()
    if not may(principal, BREAK_GLASS):
        return by_role
    glass = select(BreakGlass.case_id).where(
        BreakGlass.user_id == principal.user_id, BreakGlass.expires_at > moment
    )
    return or_(by_role, CaseRow.id.in_(glass))


def sees(
    principal: Principal, cases: Iterable[StoredCase], glass_ids: set[int]
) -> list[StoredCase]:
    """Of the cases the query found, those the person may open."""
    out = []
    for stored in cases:
        glass = Glass(dt.datetime.max, "") if stored.id in glass_ids else None
        if decide(principal, CASE_VIEW, CaseFacts.of(stored), glass=glass).allowed:
            out.append(stored)
    return out


def glass_case_ids(db: Session, principal: Principal, moment: dt.datetime) -> set[int]:
    if principal.user_id is None or not may(principal, BREAK_GLASS):
        return set()
    return set(
        db.scalars(
            select(BreakGlass.case_id).where(
                BreakGlass.user_id == principal.user_id, BreakGlass.expires_at > moment
            )
        )
    )


# -- route rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A route's rule: the action a GET asks for and the one a POST asks for, and what a
    successful request writes in the audit trail (None: nothing, e.g. the hub queue's list)."""

    action: str
    post: str | None = None
    audit: str | None = None
    audit_post: str | None = None

    def action_for(self, method: str) -> str:
        return self.post if method not in ("GET", "HEAD") and self.post else self.action

    def audit_for(self, method: str) -> str | None:
        return self.audit_post if method not in ("GET", "HEAD") else self.audit


def rule(
    action: str,
    *,
    post: str | None = None,
    audit: str | None = None,
    audit_post: str | None = None,
) -> Callable[[View], View]:
    """`@rule(CASE_VIEW, audit="case.view")`: what the route asks the policy for."""

    def mark(view: View) -> View:
        setattr(view, RULE_ATTRIBUTE, Rule(action, post, audit, audit_post))
        return view

    return mark


def public(view: View) -> View:
    """Open to anyone, signed in or not: the sign-in pages, blank forms, the health check, a
    partner's request for a link."""
    setattr(view, RULE_ATTRIBUTE, "public")
    return view


def signed_in(view: View) -> View:
    """Any signed-in account, whatever its role (sign-out, setting up the second factor)."""
    setattr(view, RULE_ATTRIBUTE, "signed_in")
    return view


def partner_link(view: View) -> View:
    """A partner signed in by a single-use link (or an account): their own submissions."""
    setattr(view, RULE_ATTRIBUTE, "partner_link")
    return view


def rule_of(view: Callable[..., Any]) -> Rule | str | None:
    """The rule a view declares: a Rule, "public", "signed_in", "partner_link", or None."""
    found: Rule | str | None = getattr(view, RULE_ATTRIBUTE, None)
    return found

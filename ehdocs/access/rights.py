"""A person's rights over their record, besides subject access (ehdocs.access.subject_access):

- rectification: their details corrected once, in the case's people, by the data protection
  officer or a practitioner who may edit the case, with a reason. The correction goes through
  the one validation path and the store's stale-save check, and is saved in one transaction
  with a chronology entry (ehdocs.case.rectify) and an audit entry naming which fields changed
  and why, never the values;
- restriction: the data protection officer makes a case read-only, with a reason, and lifts it
  with one. The store refuses every change to a restricted case (ehdocs.storage.restrictions);
  placing one also raises the case's version, so a save that read the case just before is
  refused by the version check in its UPDATE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.access import audit, roles
from ehdocs.access.sessions import Principal
from ehdocs.case import rectify as rect
from ehdocs.case.model import Case
from ehdocs.errors import NotFoundError
from ehdocs.schema.model import FieldDef
from ehdocs.storage import restrictions
from ehdocs.storage.models import CaseRestriction, CaseRow, now
from ehdocs.storage.store import CaseStore, StoredCase
from ehdocs.validation import dump_case

Sessions = sessionmaker[Session]
REASON_MAX = 400  # a reason, never case notes: it goes in the audit trail


class NothingChanged(ValueError):
    """A correction that changes none of the person's details."""


@dataclass(frozen=True)
class Restriction:
    id: int
    case_id: int
    reference: str
    reason: str
    placed_by: str
    placed_at: dt.datetime
    lifted_by: str | None = None
    lifted_at: dt.datetime | None = None
    lift_reason: str | None = None


def checked_reason(reason: str, missing: str) -> str:
    """The reason, trimmed; ValueError saying what to do when it is missing (`missing`) or too
    long."""
    reason = reason.strip()
    if not reason:
        raise ValueError(missing)
    if len(reason) > REASON_MAX:
        raise ValueError(f"The reason must be {REASON_MAX} characters or fewer")
    return reason


# -- rectification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """A correction checked, not saved: the case with it (raw and validated), and what changes."""

    raw: dict[str, Any]
    case: Case
    changed: tuple[FieldDef, ...]


def preview(
    store: CaseStore, stored: StoredCase, person_id: str, answers: dict[str, Any]
) -> Correction:
    """The person's details corrected to `answers` (raw, as the person's record page gives
    them), through the one validation path. Raises InvalidCaseError with the problems, and
    NothingChanged."""
    formset = store.formset
    before = rect.person_row(stored.raw, formset, person_id)
    raw = rect.corrected(stored.raw, formset, person_id, answers)
    case = store.validated(raw)
    after = rect.person_row(dump_case(case), formset, person_id)
    changed = rect.changed_fields(formset, before, after)
    if not changed:
        raise NothingChanged("You have not changed any of this person's details")
    return Correction(raw, case, changed)


def rectify(
    store: CaseStore,
    case_id: int,
    person_id: str,
    answers: dict[str, Any],
    reason: str,
    expected_version: int,
    who: Principal | None,
    actor: str,
    today: dt.date | None = None,
) -> tuple[StoredCase, tuple[FieldDef, ...]]:
    """Correct one person's details, saved with a chronology entry and an audit entry in one
    transaction; returns the case saved and the fields changed. Raises ValueError for a missing
    reason, NothingChanged, InvalidCaseError with the problems, ConflictError for a stale
    version, RestrictedError for a restricted case."""
    reason = checked_reason(reason, "Enter why the details are being corrected")
    formset = store.formset
    stored = store.get(case_id)
    found = preview(store, stored, person_id, answers)
    source = roles.ROLES.get((who.role if who else None) or "", "ehdocs")
    raw = rect.with_entry(
        found.raw,
        formset,
        found.case.person_name(person_id),
        found.changed,
        reason,
        source,
        today or dt.date.today(),
    )
    position = [p.get("id") for p in stored.raw.get(rect.person_record(formset).key) or []]
    fields = ", ".join(f.id for f in found.changed)

    def audited(db: Session, saved_id: int, version: int | None, new_version: int) -> None:
        # The person by their place in the list: an id may be a first name (the examples).
        detail = (
            f"person {position.index(person_id) + 1}; corrected {fields}; "
            f"version {version}->{new_version}; reason: {reason}"
        )
        audit.append(
            db,
            "rights.rectify",
            case_id=saved_id,
            detail=detail[: audit.MAX_DETAIL],
            principal=who,
            actor=actor,
        )
        if has_request_context():
            g.change_audited = True  # this entry is the change's: no second one

    saved = store.save(case_id, raw, expected_version, also=audited)
    return saved, found.changed


# -- restriction --------------------------------------------------------------------------------


def place_restriction(
    sessions: Sessions, reference: str, reason: str, who: Principal | None, actor: str
) -> int:
    """Restrict the case `reference`: read-only until lifted. Returns the case's id."""
    reason = checked_reason(reason, "Enter why the case is restricted")
    reference = reference.strip()
    with audit.writing(sessions) as db:
        case_id = db.scalar(select(CaseRow.id).where(CaseRow.reference == reference))
        if case_id is None:
            raise NotFoundError(f"There is no case with the reference {reference}")
        if restrictions.active(db, case_id) is not None:
            raise ValueError(f"Case {reference} is already restricted")
        db.add(CaseRestriction(case_id=case_id, reason=reason, placed_by=actor))
        # A save that read the case before this commits is refused by its version check.
        db.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id)
            .values(version=CaseRow.version + 1, updated_at=CaseRow.updated_at)
            .execution_options(synchronize_session=False)
        )
        db.flush()
        audit.append(
            db,
            "rights.restrict",
            case_id=case_id,
            detail=f"reason: {reason}"[: audit.MAX_DETAIL],
            principal=who,
            actor=actor,
        )
    return int(case_id)


def lift_restriction(
    sessions: Sessions, restriction_id: int, reason: str, who: Principal | None, actor: str
) -> str:
    """Lift a restriction: the case can be changed again. Returns the case's reference."""
    reason = checked_reason(reason, "Enter why the restriction is no longer needed")
    with audit.writing(sessions) as db:
        found = db.get(CaseRestriction, restriction_id)
        if found is None or found.lifted_at is not None:
            raise NotFoundError("That restriction is not in place (it may have been lifted)")
        found.lifted_at, found.lifted_by, found.lift_reason = now(), actor, reason
        db.flush()
        audit.append(
            db,
            "rights.lift_restriction",
            case_id=found.case_id,
            detail=f"reason: {reason}"[: audit.MAX_DETAIL],
            principal=who,
            actor=actor,
        )
        return str(db.scalar(select(CaseRow.reference).where(CaseRow.id == found.case_id)))


def in_place(sessions: Sessions) -> list[Restriction]:
    """Every restriction in place, the oldest first."""
    return _listed(sessions, CaseRestriction.lifted_at.is_(None))


def of_case(sessions: Sessions, case_id: int) -> list[Restriction]:
    """A case's restrictions, in place and lifted, the newest first."""
    return list(reversed(_listed(sessions, CaseRestriction.case_id == case_id)))


def recently_lifted(sessions: Sessions, count: int = 20) -> list[Restriction]:
    lifted = _listed(sessions, CaseRestriction.lifted_at.is_not(None))
    return sorted(lifted, key=lambda r: r.lifted_at or r.placed_at, reverse=True)[:count]


def _listed(sessions: Sessions, where: Any) -> list[Restriction]:
    with sessions() as db:
        rows = db.execute(
            select(CaseRestriction, CaseRow.reference)
            .join(CaseRow, CaseRow.id == CaseRestriction.case_id)
            .where(where)
            .order_by(CaseRestriction.id)
        ).all()
    return [
        Restriction(
            r.id,
            r.case_id,
            reference,
            r.reason,
            r.placed_by,
            r.placed_at,
            r.lifted_by,
            r.lifted_at,
            r.lift_reason,
        )
        for r, reference in rows
    ]

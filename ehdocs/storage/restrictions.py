"""Restriction (the right to restriction of processing): a case the data protection officer
has restricted can be read but not changed. The one check is here, asked by the store inside
the transaction of every write to a case (a save from any page, the hub, the CLI, an import; a
page draft), so no way in can miss it. Placing and lifting, with their audit entries, are
ehdocs.access.rights."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ehdocs.errors import RestrictedError
from ehdocs.storage.models import CaseRestriction


def active(db: Session, case_id: int) -> CaseRestriction | None:
    """The restriction in place on the case, if any."""
    return db.scalar(
        select(CaseRestriction)
        .where(CaseRestriction.case_id == case_id, CaseRestriction.lifted_at.is_(None))
        .order_by(CaseRestriction.id.desc())
        .limit(1)
    )


def refuse_if_restricted(db: Session, case_id: int) -> None:
    """Raise RestrictedError, with the officer's reason, when the case is restricted."""
    found = active(db, case_id)
    if found is not None:
        raise RestrictedError(found.reason)

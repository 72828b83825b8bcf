"""Partners without an account: which work addresses may ask for a link, the single-use links
themselves (only their SHA-256 is kept), the limits on asking, and the partner's draft.

The limits are counted from the links already in the database, so they hold across every
worker process of the service; a link is used by one UPDATE that only one request can win.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from ehdocs.errors import LinkRefused, TooManyLinks
from ehdocs.storage import get_storage
from ehdocs.storage.models import PartnerDraft, PartnerLink, Submission, now

LINK_LIFETIME = dt.timedelta(hours=1)
WINDOW = dt.timedelta(hours=1)  # the rate limits count the links asked for in the last hour
PER_ADDRESS = 3
PER_IP = 10
SOURCE = "partner"  # a submission's source when a partner sent it online


def normalise(address: str) -> str:
    return address.strip().lower()


def domain_allowed(address: str, patterns: Iterable[str]) -> bool:
    """Whether a work address is on a domain the profile allows: `*.sch.uk` is any domain
    under sch.uk (not sch.uk itself), `nhs.net` exactly nhs.net."""
    domain = normalise(address).rpartition("@")[2]
    if not domain:
        return False
    for pattern in patterns:
        if pattern.startswith("*."):
            if domain.endswith(pattern[1:]) and len(domain) > len(pattern) - 1:
                return True
        elif domain == pattern:
            return True
    return False


def examples(patterns: Iterable[str]) -> list[str]:
    """Addresses that show what is allowed: name@school.sch.uk, name@nhs.net."""
    out = []
    for pattern in patterns:
        if pattern.startswith("*."):
            start = "name@school" if pattern.endswith("sch.uk") else "name@organisation"
            out.append(start + pattern[1:])
        else:
            out.append(f"name@{pattern}")
    return out


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Limits:
    per_address: int = PER_ADDRESS
    per_ip: int = PER_IP


def issue_link(email: str, requested_from: str | None, limits: Limits | None = None) -> str:
    """A new single-use link's token for `email` (only its hash is stored), or TooManyLinks."""
    limits = limits or Limits()
    moment = now()
    since = moment - WINDOW
    with get_storage().sessions() as db, db.begin():
        by_address = db.scalar(
            select(func.count(PartnerLink.id)).where(
                PartnerLink.email == email, PartnerLink.created_at > since
            )
        )
        by_ip = (
            db.scalar(
                select(func.count(PartnerLink.id)).where(
                    PartnerLink.requested_from == requested_from, PartnerLink.created_at > since
                )
            )
            if requested_from
            else 0
        )
        if (by_address or 0) >= limits.per_address or (by_ip or 0) >= limits.per_ip:
            raise TooManyLinks(
                "You have asked for too many links. Wait an hour, then ask again, or use the "
                "link in the last e-mail we sent you"
            )
        token = secrets.token_urlsafe(32)
        db.add(
            PartnerLink(
                email=email,
                token_hash=_hash(token),
                created_at=moment,
                expires_at=moment + LINK_LIFETIME,
                requested_from=requested_from,
            )
        )
    return token


def check_link(token: str) -> str:
    """The address a link was sent to, if it can still be used; else LinkRefused."""
    with get_storage().sessions() as db:
        link = db.scalar(select(PartnerLink).where(PartnerLink.token_hash == _hash(token)))
        if link is None:
            raise LinkRefused("invalid")
        if link.used_at is not None:
            raise LinkRefused("used", link.email)
        if link.expires_at <= now():
            raise LinkRefused("expired", link.email)
        return link.email


def use_link(token: str) -> str:
    """Mark a link used and return its address; one request wins, any other is refused."""
    email = check_link(token)
    moment = now()
    with get_storage().sessions() as db, db.begin():
        won = db.execute(
            update(PartnerLink)
            .where(
                PartnerLink.token_hash == _hash(token),
                PartnerLink.used_at.is_(None),
                PartnerLink.expires_at > moment,
            )
            .values(used_at=moment)
        ).rowcount  # type: ignore[attr-defined]
    if not won:
        check_link(token)  # says why: used in between, or expired in between
        raise LinkRefused("used", email)
    return email


# -- the partner's draft: one unsent notification per address -------------------------------


def get_draft(email: str, form: str) -> dict[str, Any]:
    """The answers as typed so far, by section id ({} when there is no draft)."""
    with get_storage().sessions() as db:
        row = _open_draft(db, email, form)
        return dict(json.loads(row.raw)) if row is not None else {}


def put_draft(email: str, form: str, raw: dict[str, Any]) -> None:
    text = json.dumps(raw, ensure_ascii=False)
    with get_storage().sessions() as db, db.begin():
        row = _open_draft(db, email, form)
        if row is None:
            db.add(PartnerDraft(email=email, form=form, raw=text))
        else:
            row.raw = text


def mark_sent(email: str, form: str, submission_id: int) -> None:
    with get_storage().sessions() as db, db.begin():
        row = _open_draft(db, email, form)
        if row is not None:
            row.submission_id = submission_id


def sent(email: str, since: dt.datetime) -> list[Submission]:
    """What this address sent online since `since`, newest first (detached rows)."""
    with get_storage().sessions() as db:
        rows = list(
            db.scalars(
                select(Submission)
                .where(
                    Submission.source == SOURCE,
                    Submission.sender == email,
                    Submission.received_at >= since,
                )
                .order_by(Submission.received_at.desc(), Submission.id.desc())
            )
        )
        db.expunge_all()
        return rows


def _open_draft(db: Any, email: str, form: str) -> PartnerDraft | None:
    found: PartnerDraft | None = db.scalar(
        select(PartnerDraft)
        .where(
            PartnerDraft.email == email,
            PartnerDraft.form == form,
            PartnerDraft.submission_id.is_(None),
        )
        .order_by(PartnerDraft.id.desc())
        .limit(1)
    )
    return found

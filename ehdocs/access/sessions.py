"""Signed-in sessions kept on the server: the cookie holds a random token, the database its
hash, so signing out or disabling an account ends the session there and then.

A session ends after `SESSION_IDLE_MINUTES` without a request and `SESSION_MAX_HOURS` after
sign-in, whatever happens in between; a new token is issued at every sign-in (no fixation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, g, request, session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ehdocs.storage import get_storage
from ehdocs.storage.models import TeamMember, User, UserSession, now

KEY = "sid"  # the session cookie's only personal-data-free key for sign-in


@dataclass(frozen=True)
class Principal:
    """Who is asking: an account (with its teams) or a partner known only by a verified
    address. Detached from the database session: safe to keep for the request."""

    user_id: int | None
    email: str
    name: str
    role: str | None
    team_ids: frozenset[int]
    partner_email: str | None = None
    session_id: str | None = None

    @property
    def is_partner_link(self) -> bool:
        return self.user_id is None and self.partner_email is not None


# How often a session's last-seen time is written: the idle timeout is counted in minutes, so
# writing it on every request would only add a disk sync to each page.
TOUCH_EVERY = dt.timedelta(minutes=1)


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_MAX_HOURS", 12)
    app.before_request(load_principal)


def current() -> Principal | None:
    """The person making this request, or None when nobody is signed in."""
    principal: Principal | None = g.get("principal")
    return principal


def load_principal() -> None:
    g.principal = None
    token = session.get(KEY)
    if not isinstance(token, str):
        return
    sessions = get_storage().sessions
    with sessions() as db, db.begin():
        row = db.get(UserSession, _hash(token))
        if row is None or row.ended_at is not None or row.stage != "full":
            return
        moment = now()
        if _expired(row, moment):
            row.ended_at = moment
            session.pop(KEY, None)
            return
        user = db.get(User, row.user_id) if row.user_id is not None else None
        if row.user_id is not None and (user is None or user.disabled):
            row.ended_at = moment  # a disabled account is signed out at its next request
            session.pop(KEY, None)
            return
        if moment - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = moment  # a write (and a disk sync) at most once a minute
        g.principal = _principal(db, row, user)


def start(user_id: int | None, *, partner_email: str | None = None, stage: str = "full") -> str:
    """A new session for this person (a fresh token: any earlier one is dropped)."""
    token = secrets.token_urlsafe(32)
    session.clear()
    session[KEY] = token
    moment = now()
    with get_storage().sessions() as db, db.begin():
        db.add(
            UserSession(
                id=_hash(token),
                user_id=user_id,
                partner_email=partner_email,
                stage=stage,
                created_at=moment,
                last_seen_at=moment,
                address=request.remote_addr,
            )
        )
    return _hash(token)


def pending() -> UserSession | None:
    """The session waiting for its second factor, if this browser has one."""
    token = session.get(KEY)
    if not isinstance(token, str):
        return None
    with get_storage().sessions() as db:
        row = db.get(UserSession, _hash(token))
        if row is None or row.ended_at is not None or row.stage != "password":
            return None
        if _expired(row, now()):
            return None
        db.expunge(row)
        return row


def promote() -> None:
    """The second factor is done: the waiting session becomes a full one, with a new token."""
    token = session.get(KEY)
    if not isinstance(token, str):
        return
    with get_storage().sessions() as db, db.begin():
        row = db.get(UserSession, _hash(token))
        if row is None:
            return
        row.ended_at = now()
        user_id = row.user_id
    start(user_id)


def end() -> None:
    """Sign out: the session ends on the server, and the cookie forgets it."""
    token = session.pop(KEY, None)
    if isinstance(token, str):
        with get_storage().sessions() as db, db.begin():
            db.execute(
                update(UserSession)
                .where(UserSession.id == _hash(token), UserSession.ended_at.is_(None))
                .values(ended_at=now())
            )
    session.clear()
    g.principal = None


def end_all(user_id: int) -> None:
    """End every session of an account (disabled, role changed, second factor reset)."""
    with get_storage().sessions() as db, db.begin():
        db.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .values(ended_at=now())
        )


def _expired(row: UserSession, moment: dt.datetime) -> bool:
    idle = dt.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    longest = dt.timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return moment - row.last_seen_at > idle or moment - row.created_at > longest


def _principal(db: Session, row: UserSession, user: User | None) -> Principal:
    if user is None:
        email = row.partner_email or ""
        return Principal(None, email, email, None, frozenset(), email, row.id)
    teams = frozenset(db.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id)))
    return Principal(user.id, user.email, user.name, user.role, teams, None, row.id)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

"""Accounts and sign-in for web tests, without the sign-in pages: an account and its teams are
rows in the database, and signing in is a server-side session whose token is put in the test
client's session cookie, exactly what the sign-in pages leave behind."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from ehdocs.access import roles, sessions
from ehdocs.storage import get_storage
from ehdocs.storage.models import Team, TeamMember, User, UserSession, now


def team(app: Flask, name: str, kind: str = "locality") -> int:
    """The id of the team called `name`, made if needed."""
    with get_storage(app).sessions() as db, db.begin():
        found = db.scalar(select(Team.id).where(Team.name == name))
        if found is not None:
            return int(found)
        row = Team(name=name, kind=kind)
        db.add(row)
        db.flush()
        return int(row.id)


def user(app: Flask, role: str, email: str, teams: Iterable[int] = ()) -> int:
    """A new account with `role`, member of `teams`: its id."""
    with get_storage(app).sessions() as db, db.begin():
        row = User(email=email.lower(), name=email.split("@")[0], role=role)
        db.add(row)
        db.flush()
        for team_id in teams:
            db.add(TeamMember(user_id=row.id, team_id=team_id))
        return int(row.id)


def sign_in(client: FlaskClient, user_id: int | None, **where: Any) -> None:
    """Sign `client` in as the account `user_id` (None: sign out); `where` (base_url=…) is the
    site the cookie belongs to."""
    app = client.application
    if user_id is None:
        with client.session_transaction(**where) as cookie:
            cookie.clear()
        return
    token = secrets.token_urlsafe(32)
    moment = now()
    with get_storage(app).sessions() as db, db.begin():
        db.add(
            UserSession(
                id=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user_id,
                stage="full",
                created_at=moment,
                last_seen_at=moment,
            )
        )
    with client.session_transaction(**where) as cookie:
        cookie.clear()
        cookie[sessions.KEY] = token


def signed_in_client(app: Flask, role: str, email: str, teams: Iterable[int] = ()) -> Any:
    """A new test client of `app` (the app's QualityClient in web tests), signed in as a new
    account."""
    client = app.test_client()
    sign_in(client, user(app, role, email, teams))
    return client


def hub_client(app: Flask, **where: Any) -> Any:
    """A new test client signed in as a new hub adviser (another person than `client`'s)."""
    client = app.test_client()
    sign_in(
        client, user(app, roles.HUB_ADVISER, f"hub-{secrets.token_hex(4)}@council.example"), **where
    )
    return client

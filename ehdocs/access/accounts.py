"""Local accounts: making and changing them (from the shell, `ehdocs users`), and the checks
of a sign-in: the password, then the one-time code of the required second factor.

Five wrong passwords or codes in a row lock an account for 15 minutes. A refused sign-in says
the same whatever the reason (unknown address, wrong password, locked, disabled); only the
audit trail records why. Every change to an account and every sign-in is audited, never with
the password or the code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ehdocs.access import audit, passwords, sessions, totp
from ehdocs.access.roles import ROLES
from ehdocs.access.sessions import Principal
from ehdocs.errors import AccountError
from ehdocs.storage import get_storage
from ehdocs.storage.models import Team, TeamMember, User, now

LOCK_AFTER = 5  # failed attempts in a row
LOCK_FOR = dt.timedelta(minutes=15)
TEAM_KINDS = ("hub", "locality")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Account:
    """What the shell and the sign-in pages need to know of an account."""

    id: int
    email: str
    name: str
    role: str
    teams: tuple[str, ...]
    disabled: bool
    locked: bool
    second_factor: bool  # set up and confirmed
    last_sign_in_at: dt.datetime | None


@dataclass(frozen=True)
class Verdict:
    """The outcome of one step of a sign-in. `refused` is why, for the audit trail only."""

    account: Account | None
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None


def normalise_email(email: str) -> str:
    return email.strip().lower()


# -- making and changing accounts --------------------------------------------------------------


def create(
    email: str,
    name: str,
    role: str,
    password: str,
    *,
    teams: Sequence[str] = (),
    team_kind: str = "locality",
    actor: str = "system",
    totp_secret: str | None = None,
) -> Account:
    """A new local account. Its second factor is set up at its first sign-in, unless a
    (demo) secret is given."""
    email = normalise_email(email)
    name = name.strip()
    if not _ADDRESS.fullmatch(email) or len(email) > 320:
        raise AccountError(f"'{email}' is not an e-mail address")
    if not name:
        raise AccountError("Give the person's name (--name)")
    _check_role(role)
    refused = passwords.problem(password, email=email, name=name)
    if refused:
        raise AccountError(refused)
    with get_storage().sessions() as db, db.begin():
        if db.scalar(select(User.id).where(User.email == email)) is not None:
            raise AccountError(f"There is already an account for {email}")
        user = User(
            email=email,
            name=name,
            role=role,
            password_hash=passwords.hash_password(password),
            totp_secret=totp_secret,
            totp_confirmed_at=now() if totp_secret else None,
        )
        db.add(user)
        db.flush()
        for team in teams:
            db.add(TeamMember(user_id=user.id, team_id=ensure_team(db, team, team_kind).id))
        account_id = user.id
    audit.record("account_created", detail=f"account {account_id}, role {role}", actor=actor)
    return get(email)


def ensure_team(db: Session, name: str, kind: str = "locality") -> Team:
    """The council team of this name, made if there is none yet."""
    if kind not in TEAM_KINDS:
        raise AccountError(f"A team is one of: {', '.join(TEAM_KINDS)}; not '{kind}'")
    team = db.scalar(select(Team).where(Team.name == name.strip()))
    if team is None:
        team = Team(name=name.strip(), kind=kind)
        db.add(team)
        db.flush()
    return team


def get(email: str) -> Account:
    account = find(email)
    if account is None:
        raise AccountError(f"There is no account for {normalise_email(email)}")
    return account


def find(email: str) -> Account | None:
    with get_storage().sessions() as db:
        user = db.scalar(select(User).where(User.email == normalise_email(email)))
        return _account(db, user) if user is not None else None


def by_id(user_id: int) -> Account | None:
    with get_storage().sessions() as db:
        user = db.get(User, user_id)
        return _account(db, user) if user is not None else None


def list_accounts() -> list[Account]:
    with get_storage().sessions() as db:
        return [_account(db, u) for u in db.scalars(select(User).order_by(User.email))]


def disable(email: str, *, actor: str = "system") -> Account:
    """Disable an account and end every session it has (its next request is signed out)."""
    account = _change(email, disabled=True)
    sessions.end_all(account.id)
    audit.record("account_disabled", detail=f"account {account.id}", actor=actor)
    return account


def reset_second_factor(email: str, *, actor: str = "system") -> Account:
    """Forget the account's authenticator: it sets one up again at its next sign-in."""
    account = _change(email, totp_secret=None, totp_confirmed_at=None, totp_last_step=None)
    sessions.end_all(account.id)
    audit.record("mfa_reset", detail=f"account {account.id}", actor=actor)
    return account


def set_role(email: str, role: str, *, actor: str = "system") -> Account:
    _check_role(role)
    before = get(email).role
    account = _change(email, role=role)
    sessions.end_all(account.id)
    audit.record("role_changed", detail=f"account {account.id}: {before} -> {role}", actor=actor)
    return account


def _change(email: str, **values: object) -> Account:
    with get_storage().sessions() as db, db.begin():
        user = db.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise AccountError(f"There is no account for {normalise_email(email)}")
        for key, value in values.items():
            setattr(user, key, value)
        db.flush()
        return _account(db, user)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"There is no role '{role}': one of {', '.join(ROLES)}")


# -- signing in ----------------------------------------------------------------------------


def check_password(email: str, password: str) -> Verdict:
    """The first step of a sign-in. The password is hashed even for an unknown address, so a
    wrong address takes as long to refuse as a wrong password."""
    account = find(email)
    with get_storage().sessions() as db:
        user = db.get(User, account.id) if account else None
        stored = user.password_hash if user else None
    right = passwords.verify(stored, password)
    if account is None or stored is None:
        return _refused(None, "unknown account")
    if account.disabled:
        return _refused(account, "account disabled")
    if account.locked:
        return _refused(account, "account locked")
    if not right:
        return _failed(account, "wrong password")
    if passwords.needs_rehash(stored):  # the hashing parameters changed since it was made
        _set_password_hash(account.id, passwords.hash_password(password))
    # The failure count is kept until the code is right too: a right password alone must not
    # let someone who has it try codes for ever.
    return Verdict(account)


def check_code(user_id: int, code: str, *, confirming: bool = False) -> Verdict:
    """The second step: a code from the account's authenticator, never one used before.
    `confirming` is the first code after setting the authenticator up."""
    with get_storage().sessions() as db:
        user = db.get(User, user_id)
        account = _account(db, user) if user else None
        secret, last = (user.totp_secret, user.totp_last_step) if user else (None, None)
    if account is None or secret is None or account.disabled:
        return _refused(account, "no second factor" if account else "unknown account")
    if account.second_factor == confirming:  # a code of an unconfirmed secret, or the reverse
        reason = "second factor already set up" if confirming else "second factor not set up"
        return _refused(account, reason)
    if account.locked:
        return _refused(account, "account locked")
    step = totp.matching_step(secret, code, last)
    if step is None:
        used = last is not None and totp.matching_step(secret, code, None) is not None
        return _failed(account, "code used before" if used else "wrong code")
    if not _use_step(user_id, step, confirming):
        return _failed(account, "code used before")  # another request used it first
    return Verdict(by_id(user_id))


def enrolment_secret(user_id: int) -> str | None:
    """The secret to set up an authenticator with (made on first asking, kept until it is
    confirmed by a code); None once the account has a confirmed one."""
    with get_storage().sessions() as db, db.begin():
        user = db.get(User, user_id)
        if user is None or user.totp_confirmed_at is not None:
            return None
        if user.totp_secret is None:
            user.totp_secret = totp.new_secret()
        return user.totp_secret


def principal_of(account: Account) -> Principal:
    """The account as the audit trail names it (during sign-in, before a session exists)."""
    return Principal(account.id, account.email, account.name, account.role, frozenset())


def _use_step(user_id: int, step: int, confirming: bool) -> bool:
    """Record the code's step, only if no code of this step or a later one was used: one
    UPDATE, so two requests racing with the same code cannot both win."""
    moment = now()
    values: dict[str, object] = {
        "totp_last_step": step,
        "failed_sign_ins": 0,
        "locked_until": None,
        "last_sign_in_at": moment,
    }
    if confirming:
        values["totp_confirmed_at"] = moment
    with get_storage().sessions() as db, db.begin():
        result = db.execute(
            update(User)
            .where(
                User.id == user_id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))


def _refused(account: Account | None, reason: str) -> Verdict:
    if account is None:
        audit.record("sign_in", outcome="refused", detail=reason, actor="anonymous")
    else:
        audit.record("sign_in", outcome="refused", detail=reason, principal=principal_of(account))
    return Verdict(account, reason)


def _failed(account: Account, reason: str) -> Verdict:
    """A wrong password or code: counted, and the fifth in a row locks the account."""
    with get_storage().sessions() as db, db.begin():
        db.execute(
            update(User)
            .where(User.id == account.id)
            .values(failed_sign_ins=User.failed_sign_ins + 1)
        )
        user = db.get(User, account.id)
        assert user is not None
        locking = user.failed_sign_ins >= LOCK_AFTER
        if locking:
            user.locked_until = now() + LOCK_FOR
            user.failed_sign_ins = 0
    verdict = _refused(account, reason)
    if locking:
        audit.record(
            "lockout",
            detail=f"{LOCK_AFTER} failed attempts: locked for {LOCK_FOR.seconds // 60} minutes",
            principal=principal_of(account),
        )
    return verdict


def _set_password_hash(user_id: int, password_hash: str) -> None:
    with get_storage().sessions() as db, db.begin():
        db.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


def _account(db: Session, user: User) -> Account:
    teams = db.scalars(
        select(Team.name)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.user_id == user.id)
        .order_by(Team.name)
    )
    return Account(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        teams=tuple(teams),
        disabled=user.disabled,
        locked=user.locked_until is not None and user.locked_until > now(),
        second_factor=user.totp_confirmed_at is not None,
        last_sign_in_at=user.last_sign_in_at,
    )

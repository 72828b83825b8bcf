"""`ehdocs users …` and the demo accounts, through main(argv): the rows they leave in the
service's database (a SQLite file under EHDOCS_DATA_DIR) and the audit trail of each change."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

import ehdocs.cli
from ehdocs.access import demo
from ehdocs.storage.models import AuditEntry, Team, TeamMember, User, UserSession, now

PASSWORD = "plum-kettle-orbit-9"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("EHDOCS_ENV", raising=False)
    engine = create_engine(f"sqlite:///{tmp_path / 'ehdocs.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def add(run_cli, monkeypatch):
    def run(email: str, *args: str, password: str = PASSWORD):
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return run_cli("users", "add", email, "--password-stdin", *args)

    return run


def users(engine: Engine) -> list[User]:
    with Session(engine) as db:
        return list(db.scalars(select(User).order_by(User.id)))


def audit(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as db:
        return [(e.action, e.actor, e.detail) for e in db.scalars(select(AuditEntry))]


def test_add_makes_the_first_administrator_and_says_how_to_sign_in(database, add):
    result = add("Sam.Taylor@Council.example", "--name", "Sam Taylor", "--role", "admin")

    assert result.code == 0, result.output
    assert (
        result.out.splitlines()[0] == "Added Sam Taylor <sam.taylor@council.example>, Administrator"
    )
    assert "/sign-in" in result.out and "authenticator app" in result.out
    [user] = users(database)
    assert (user.email, user.name, user.role) == (
        "sam.taylor@council.example",
        "Sam Taylor",
        "admin",
    )
    assert user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash and user.totp_secret is None
    [(action, actor, detail)] = audit(database)
    assert action == "account_created" and actor.startswith("system")
    assert detail == f"account {user.id}, role admin"


def test_add_with_teams_makes_the_teams_that_are_missing(database, add):
    add("a@council.example", "--name", "Ali Khan", "--role", "hub_adviser", "--team", "Hub",
        "--team-kind", "hub")  # fmt: skip
    add("b@council.example", "--name", "Bo Li", "--role", "team_manager", "--team", "Hub",
        "--team", "North")  # fmt: skip

    with Session(database) as db:
        teams = {t.name: t.kind for t in db.scalars(select(Team))}
        members = db.execute(select(TeamMember.user_id, TeamMember.team_id)).all()
    assert teams == {"Hub": "hub", "North": "locality"}
    assert len(members) == 3


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("--role", "admin"), "password123456", "this one is too common"),
        (("--role", "admin"), "short", "Password must be 12 characters or more"),
        (("--role", "admin"), "", "Enter a password"),
        (("--role", "wizard"), PASSWORD, "'wizard' is not one of"),
    ],
)
def test_add_refuses_a_weak_password_or_an_unknown_role_and_stores_nothing(
    database, add, args, password, message
):
    result = add("c@council.example", "--name", "Cy Dee", *args, password=password)

    assert result.code in (1, 2) and message in result.err
    assert "Traceback" not in result.output
    if "wizard" not in args:
        assert users(database) == []


def test_add_refuses_an_address_that_has_an_account(database, add):
    add("c@council.example", "--name", "Cy Dee", "--role", "dpo")
    again = add("C@council.example", "--name", "Cy Dee", "--role", "admin")

    assert again.code == 1
    assert again.err == "ehdocs: There is already an account for c@council.example\n"
    assert [u.role for u in users(database)] == ["dpo"]


def test_list_shows_each_account_and_its_state(database, add, run_cli):
    add("c@council.example", "--name", "Cy Dee", "--role", "dpo")
    add("d@council.example", "--name", "Di Eve", "--role", "practitioner", "--team", "North")
    run_cli("users", "disable", "d@council.example")

    result = run_cli("users", "list")

    assert result.out.splitlines() == [
        "c@council.example  Cy Dee  Data protection officer  active, authenticator not set up",
        "d@council.example  Di Eve  Practitioner (North)  disabled, authenticator not set up",
    ]


def test_disable_ends_every_session_of_the_account(database, add, run_cli):
    add("d@council.example", "--name", "Di Eve", "--role", "practitioner")
    [user] = users(database)
    with Session(database) as db, db.begin():
        for token in ("a", "b"):
            db.add(
                UserSession(id=token * 64, user_id=user.id, created_at=now(), last_seen_at=now())
            )

    result = run_cli("users", "disable", "d@council.example")

    assert result.code == 0
    assert users(database)[0].disabled
    with Session(database) as db:
        assert all(s.ended_at is not None for s in db.scalars(select(UserSession)))
    assert audit(database)[-1][0::2] == ("account_disabled", f"account {user.id}")


def test_reset_mfa_forgets_the_authenticator(database, add, run_cli):
    add("d@council.example", "--name", "Di Eve", "--role", "practitioner")
    with Session(database) as db, db.begin():
        user = db.scalars(select(User)).one()
        user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "A" * 32, now(), 5

    result = run_cli("users", "reset-mfa", "d@council.example")

    assert result.code == 0
    [user] = users(database)
    assert (user.totp_secret, user.totp_confirmed_at, user.totp_last_step) == (None, None, None)
    assert audit(database)[-1][0] == "mfa_reset"


def test_set_role_changes_the_role_and_audits_before_and_after(database, add, run_cli):
    add("d@council.example", "--name", "Di Eve", "--role", "practitioner")

    result = run_cli("users", "set-role", "d@council.example", "team_manager")

    assert result.out == "d@council.example is now Team manager\n"
    assert users(database)[0].role == "team_manager"
    assert (
        audit(database)[-1][2] == f"account {users(database)[0].id}: practitioner -> team_manager"
    )


def test_a_command_on_an_unknown_account_says_so(database, run_cli):
    result = run_cli("users", "disable", "nobody@council.example")

    assert (result.code, result.err) == (
        1,
        "ehdocs: There is no account for nobody@council.example\n",
    )


def test_demo_accounts_one_per_role_and_their_codes(database, run_cli):
    with ehdocs.cli._accounts_app():
        made = demo.create_accounts("development")
        again = demo.create_accounts("development")

    assert sorted(a.role for a in made) == sorted(
        ["hub_adviser", "practitioner", "team_manager", "partner", "dpo", "admin"]
    )
    assert again == []
    result = run_cli("users", "code", "practitioner@demo.example")
    assert result.code == 0
    assert pyotp.TOTP(demo.TOTP_SECRET).verify(result.out.strip(), valid_window=1)


def test_codes_are_never_given_for_a_real_account(database, add, run_cli):
    add("d@council.example", "--name", "Di Eve", "--role", "practitioner")

    result = run_cli("users", "code", "d@council.example")

    assert result.code == 1 and "is not a demo account" in result.err


def test_demo_accounts_and_examples_are_refused_in_production(database, run_cli, monkeypatch):
    monkeypatch.setenv("EHDOCS_ENV", "production")
    monkeypatch.setenv("EHDOCS_SECRET_KEY", "k3y-" + "0123456789abcdefghijklmnopqrstuvwxyz")

    served = run_cli("serve", "--load-examples", "--port", "1")
    code = run_cli("users", "code", "practitioner@demo.example")

    assert served.code == 1 and "never for a live service" in served.err
    assert code.code == 1 and "never for a live service" in code.err
    assert users(database) == []

"""Demo accounts, one per role, for trying ehdocs out on the example cases (`script/run`).

Their password and authenticator secret are written here, in the open: they are for a demo on
a laptop, never for a real service, and are refused when EHDOCS_ENV is production.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from ehdocs.access import accounts
from ehdocs.access.accounts import Account
from ehdocs.access.roles import ADMIN, DPO, HUB_ADVISER, PARTNER, PRACTITIONER, TEAM_MANAGER
from ehdocs.errors import AccountError
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseRow, Team, User

PASSWORD = "early-help-demo-only"
TOTP_SECRET = "EHDOCSDEMOTOTPSECRETFORDEMOSONLY"  # base32: the same for every demo account
HUB_TEAM = ("Early Help Hub", "hub")
LOCALITY_TEAM = ("North locality team", "locality")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    team: tuple[str, str] | None


ACCOUNTS = (
    DemoAccount("hub.adviser@demo.example", "Hana Adeyemi", HUB_ADVISER, HUB_TEAM),
    DemoAccount("practitioner@demo.example", "Pat Morgan", PRACTITIONER, LOCALITY_TEAM),
    DemoAccount("manager@demo.example", "Morgan Lewis", TEAM_MANAGER, LOCALITY_TEAM),
    DemoAccount("partner@demo.example", "Priya Shah", PARTNER, None),
    DemoAccount("dpo@demo.example", "Dee Okafor", DPO, None),
    DemoAccount("admin@demo.example", "Sam Taylor", ADMIN, None),
)
# Example cases given to the locality team and its practitioner; the rest stay with the hub.
ALLOCATED = ("EH-2026-0101", "EH-2026-0103")


def refuse_in_production(env_name: str) -> None:
    if env_name.strip().lower() == "production":
        raise AccountError(
            "Demo accounts and example cases are for a demo, never for a live service "
            "(EHDOCS_ENV is production)"
        )


def create_accounts(env_name: str) -> list[Account]:
    """Make the demo accounts that are missing, and give the example cases to their team.
    Returns the accounts made now."""
    refuse_in_production(env_name)
    made = []
    for demo in ACCOUNTS:
        if accounts.find(demo.email) is None:
            teams, kind = ((demo.team[0],), demo.team[1]) if demo.team else ((), "locality")
            made.append(
                accounts.create(
                    demo.email,
                    demo.name,
                    demo.role,
                    PASSWORD,
                    teams=teams,
                    team_kind=kind,
                    actor="demo",
                    totp_secret=TOTP_SECRET,
                )
            )
    _allocate_examples()
    return made


def is_demo(email: str) -> bool:
    """Whether an account is a demo one: it has the published secret."""
    with get_storage().sessions() as db:
        secret = db.scalar(select(User.totp_secret).where(User.email == email.strip().lower()))
    return secret == TOTP_SECRET


def _allocate_examples() -> None:
    with get_storage().sessions() as db, db.begin():
        team = db.scalar(select(Team.id).where(Team.name == LOCALITY_TEAM[0]))
        worker = db.scalar(select(User.id).where(User.email == ACCOUNTS[1].email))
        db.execute(
            update(CaseRow)
            .where(CaseRow.reference.in_(ALLOCATED), CaseRow.team_id.is_(None))
            .values(team_id=team, allocated_to=worker)
        )

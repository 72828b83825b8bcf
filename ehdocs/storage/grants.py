"""The PostgreSQL role the web service runs as: what it needs to work, and on the audit trail
only reading and adding. The tables belong to the owner who runs the migrations; a service
whose own role cannot update or delete audit rows cannot be made to rewrite the trail.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ehdocs.errors import ConfigError

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def app_role_statements(role: str) -> list[str]:
    """The grants, in order: everything on the service's tables, then the audit trail's (and
    the schema version's) write rights taken back."""
    if not ROLE_NAME.fullmatch(role):
        raise ConfigError(
            f"{role!r} is not a database role name ehdocs grants to: use lower-case letters, "
            "digits and underscores, starting with a letter"
        )
    name = f'"{role}"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM {name}",
        f"GRANT SELECT, INSERT ON audit_entries TO {name}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {name}",
    ]


def grant_app_role(engine: Engine, role: str) -> None:
    """Give `role` (an existing login role) what the web service needs, run as the tables'
    owner after each upgrade: tables added later are covered only once it has run again."""
    statements = app_role_statements(role)
    if engine.dialect.name != "postgresql":
        raise ConfigError("Database roles are PostgreSQL's: SQLite has none to grant to")
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise ConfigError(f"The grants to {role} were not made: {reason}") from exc

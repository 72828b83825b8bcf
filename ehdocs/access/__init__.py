"""Who is asking and what they may do: accounts, sign-in, the one access policy, the audit
trail. Sits above storage and below the web, ingestion and the CLI."""

from __future__ import annotations

from ehdocs.access.roles import ROLES
from ehdocs.access.sessions import Principal, current

__all__ = ["ROLES", "Principal", "current"]

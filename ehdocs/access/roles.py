"""The roles an account can have: what a person's job gives them in ehdocs.

What each role may do to which object is decided in one place (ehdocs.access.policy); a council
profile may rename a role for its people, never change what it means.
"""

from __future__ import annotations

HUB_ADVISER = "hub_adviser"  # the hub queue; every case while it is with the hub
PRACTITIONER = "practitioner"  # cases allocated to them; reads their own team's cases
TEAM_MANAGER = "team_manager"  # every case of their teams; allocation and oversight
PARTNER = "partner"  # a partner agency's professional: lead professional or TAF member
DPO = "dpo"  # the data protection officer: the audit trail, no case content
ADMIN = "admin"  # accounts, teams and organisations; no case content

ROLES: dict[str, str] = {
    HUB_ADVISER: "Hub adviser",
    PRACTITIONER: "Practitioner",
    TEAM_MANAGER: "Team manager",
    PARTNER: "Partner professional",
    DPO: "Data protection officer",
    ADMIN: "Administrator",
}

# Who may ask for time-limited access to a case outside their job, with a reason (audited).
BREAK_GLASS_ROLES = (HUB_ADVISER, TEAM_MANAGER, DPO)

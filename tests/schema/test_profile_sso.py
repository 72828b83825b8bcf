"""The profile's `sso:` mapping: identity-provider groups to ehdocs roles and teams."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehdocs.errors import SchemaError
from ehdocs.schema import FormSet, load_formset
from ehdocs.schema.model import SsoTeam


def test_the_example_council_maps_groups_to_roles_in_order_and_to_teams(
    council_formset: FormSet,
) -> None:
    sso = council_formset.profile.sso
    assert sso is not None
    assert sso.groups_claim == "groups"
    assert list(sso.roles)[:3] == ["EH-Admins", "EH-DPO", "EH-Managers"]  # the profile's order
    assert sso.roles["EH-Hub"] == "hub_adviser"
    assert sso.teams["EH-Hub"] == SsoTeam("Family Help Front Door", "hub")
    assert sso.teams["EH-North"] == SsoTeam("North locality", "locality")


def test_without_sso_the_profile_has_no_mapping(formset: FormSet) -> None:
    assert formset.profile.sso is None


BROKEN = """\
name: Broken Council
sso:
  group_claim: groups
  roles: {EH-Hub: 3}
  teams:
    EH-North: {name: North, kind: region}
    EH-South: {title: South}
"""


def test_mistakes_in_the_mapping_are_reported_where_they_are(tmp_path: Path) -> None:
    (tmp_path / "profile.yaml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(SchemaError) as error:
        load_formset(tmp_path)
    problems = {(p.line, p.message) for p in error.value.problems}
    assert any(line == 3 and "unknown key 'group_claim' in sso" in m for line, m in problems)
    assert any(line == 4 and "'roles' must be" in message for line, message in problems)
    assert any(
        line == 6 and "'kind' must be one of: hub, locality, other" in m for line, m in problems
    )
    assert any(line == 7 and "unknown key 'title'" in m for line, m in problems)

"""A council profile's `sessions:`: how long a signed-in session lasts, checked like the
timescales; without it, 30 minutes idle and 12 hours in all."""

from __future__ import annotations

import pytest

from ehdocs.errors import SchemaError
from ehdocs.schema import load_formset


def profile(tmp_path, text: str):
    folder = tmp_path / "session-council"
    folder.mkdir()
    (folder / "profile.yaml").write_text("name: Session Council\n" + text, encoding="utf-8")
    return load_formset(folder).profile


def test_without_sessions_a_profile_has_the_defaults(tmp_path):
    assert dict(profile(tmp_path, "").sessions) == {"idle_minutes": 30, "absolute_hours": 12}


def test_a_profile_sets_one_or_both(tmp_path):
    sessions = profile(tmp_path, "sessions:\n  idle_minutes: 15\n").sessions

    assert dict(sessions) == {"idle_minutes": 15, "absolute_hours": 12}


def test_the_default_profile_says_what_it_uses():
    assert dict(load_formset("default").profile.sessions) == {
        "idle_minutes": 30,
        "absolute_hours": 12,
    }


def test_unknown_settings_and_times_below_one_are_errors_at_their_lines(tmp_path):
    with pytest.raises(SchemaError) as caught:
        profile(tmp_path, "sessions:\n  idle_minutes: 0\n  absolut_hours: 4\n")

    assert [str(p).split("profile.yaml:", 1)[1] for p in caught.value.problems] == [
        "3:17: session setting 'idle_minutes' must be a whole number of at least 1",
        "4:3: unknown session setting 'absolut_hours' (did you mean 'absolute_hours'?) "
        "(expected one of: idle_minutes, absolute_hours)",
    ]

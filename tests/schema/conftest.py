"""One broken council profile, checked once through `ehdocs schema check` for many tests."""

from __future__ import annotations

import contextlib
import io

import pytest

from ehdocs.cli import main

# Each mistake sits on its own line; tests name them by line:column.
BROKEN_PROFILE = """\
name: Broken Council
timescales:
  review_interval_weks: 4
variants:
  assessment: signs_of_wellbeing
documents:
  notification:
    overrides:
      referrer.nmae: {label: Your full name}
    add_fields:
      - section: referrer
        field:
          id: team
          type: choice
          label: Team
          options: no_such_list
      - section: referrer
        sectoin: referrer
        field: {id: extra_note, type: text, label: Extra note}
      - field: {id: anywhere_note, type: text, label: Note}
records:
  person:
    overrides:
      person.given_nmae: {label: Forename}
"""


@pytest.fixture(scope="session")
def broken_profile_check(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, list[str]]:
    """(exit code, stdout, stderr lines without the 'ehdocs: ' prefix) of the check."""
    parent = tmp_path_factory.mktemp("profiles")
    (parent / "broken-council").mkdir()
    (parent / "broken-council" / "profile.yaml").write_text(BROKEN_PROFILE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with (
        contextlib.chdir(parent),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(["schema", "check", "broken-council"])
    lines = err.getvalue().splitlines()
    assert lines and lines[0].startswith("ehdocs: ")
    lines[0] = lines[0].removeprefix("ehdocs: ")
    return code, out.getvalue(), lines

"""Shared fixtures: the loaded form sets, a CLI runner, case files and tiny schema folders."""

from __future__ import annotations

import functools
import json
import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ehdocs.cli import main
from ehdocs.schema import FormSet, load_formset

REPO = Path(__file__).resolve().parents[1]
FORM_SCHEMAS = REPO / "form_schemas"
CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(autouse=True)
def _no_debug_or_env_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's shell must not change what the suite checks.
    for name in (
        "EHDOCS_DEBUG",
        "EHDOCS_PROFILE",
        "EHDOCS_SCHEMA_DIR",
        "EHDOCS_OIDC_ISSUER",
        "EHDOCS_OIDC_CLIENT_ID",
        "EHDOCS_OIDC_CLIENT_SECRET",
        "EHDOCS_OIDC_SCOPE",
        "EHDOCS_OIDC_REDIRECT_URI",
    ):
        monkeypatch.delenv(name, raising=False)


# The suites that start something slow are marked by the fixture that starts it (markers in
# pyproject.toml), so `-m "not browser and not postgres"` leaves them out; CI runs everything.
MARKED_FIXTURES = {
    "live_server": "browser",
    "browser": "browser",
    "pg_server": "postgres",
    "postgres_url": "postgres",
    "pdf_texts": "libreoffice",
    "dovecot": "mailserver",
    "smtp_catcher": "mailserver",
    "pdf_packs": "slow",  # two PDF packs of the largest example
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for marker in {m for fixture, m in MARKED_FIXTURES.items() if fixture in fixtures}:
            item.add_marker(marker)
        callspec = getattr(item, "callspec", None)
        # The `app` fixtures start PostgreSQL on demand, for their "postgresql" parameter.
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker("postgres")


@pytest.fixture(scope="session")
def formset() -> FormSet:
    """The base schemas without a council profile."""
    return load_formset()


@pytest.fixture(scope="session")
def council_formset() -> FormSet:
    """The example-council profile laid over the base schemas."""
    return load_formset("example-council")


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `ehdocs ARGS…` in-process through main(), as the console script does."""

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_case(tmp_path: Path) -> Callable[..., Path]:
    """Write a case dict as a JSON file in tmp_path and return its path."""

    def write(case: Any, name: str = "case.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(case, indent=2), encoding="utf-8")
        return path

    return write


@pytest.fixture
def copied_schemas(tmp_path: Path) -> Path:
    """A private copy of form_schemas/ that a test may break."""
    target = tmp_path / "schemas"
    shutil.copytree(FORM_SCHEMAS, target)
    return target


@functools.cache
def case_lists_yaml() -> str:
    """Only the option lists that case.yaml names, cut from the real lists.yaml."""
    case_yaml = (FORM_SCHEMAS / "case.yaml").read_text(encoding="utf-8")
    wanted = set(re.findall(r"options: (\w+)", case_yaml))
    text = (FORM_SCHEMAS / "lists.yaml").read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(?=  \w+:$)", text.split("\nlists:\n", 1)[1])
    kept = [b.rstrip("\n") + "\n" for b in blocks if b.split(":", 1)[0].strip() in wanted]
    assert len(kept) == len(wanted), "a list case.yaml names is missing from lists.yaml"
    return "lists:\n" + "".join(kept)


@pytest.fixture(scope="session")
def tiny_schema(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Make a schema folder holding case.yaml, its lists (plus `lists`) and one small form."""

    def make(form_yaml: str, lists: str = "", name: str = "tiny") -> Path:
        folder = tmp_path_factory.mktemp("schema") / name
        folder.mkdir()
        shutil.copy(FORM_SCHEMAS / "case.yaml", folder / "case.yaml")
        own = textwrap.indent(textwrap.dedent(lists), "  ")
        (folder / "lists.yaml").write_text(case_lists_yaml() + own, encoding="utf-8")
        (folder / "form.yaml").write_text(textwrap.dedent(form_yaml), encoding="utf-8")
        return folder

    return make


TEST_COUNCIL = """\
name: Test Council
timescales:
  hub_decision_hours: 72
documents:
  notification:
    remove_fields: [reason.support_tried]
records:
  person:
    add_fields:
      - field: {id: pronouns, type: text, label: Pronouns, max_length: 5}
"""


@pytest.fixture(scope="session")
def test_council_formset(tmp_path_factory: pytest.TempPathFactory) -> FormSet:
    """A valid council profile of our own: a slower hub, a removed and an added field."""
    folder = tmp_path_factory.mktemp("profiles") / "test-council"
    folder.mkdir()
    (folder / "profile.yaml").write_text(TEST_COUNCIL, encoding="utf-8")
    return load_formset(folder)

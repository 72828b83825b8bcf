"""`ehdocs retention run` (a dry run unless --apply), `hold` and `lift`, on the service's SQLite
database as cron would run them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ehdocs.schema import load_formset
from ehdocs.storage.db import make_engine, migrate, session_factory
from ehdocs.storage.store import CaseStore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'ehdocs.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    store = CaseStore(session_factory(engine), load_formset())
    for reference in ("EH-2026-0501", "EH-2026-0502"):
        raw = json.loads((EXAMPLES / "step-up.json").read_text("utf-8"))
        raw["reference"] = reference
        store.create(raw)
    engine.dispose()
    return url


def test_a_dry_run_lists_and_deletes_nothing_then_apply_does(run_cli: Any, database: str) -> None:
    listed = run_cli("retention", "run", "--today", "2052-01-02", "--database", database)
    assert listed.code == 0, listed.err
    assert "EH-2026-0501: Closed on 3 September 2026; kept until the youngest child's" in (
        listed.out
    )
    assert "2 due. Nothing was deleted: run again with --apply to do it." in listed.out
    held = run_cli(
        "retention", "hold", "EH-2026-0502", "--reason", "Complaint", "--by", "dpo@c.example",
        "--database", database,
    )  # fmt: skip
    assert held.code == 0 and "on legal hold" in held.out
    applied = run_cli(
        "retention", "run", "--apply", "--today", "2052-01-02", "--database", database
    )
    assert applied.code == 0, applied.err
    assert "Disposed of 1 of 1" in applied.out
    again = run_cli("retention", "run", "--today", "2052-01-02", "--database", database)
    assert "Nothing is due for disposal." in again.out
    lifted = run_cli(
        "retention", "lift", "EH-2026-0502", "--reason", "Resolved", "--by", "dpo@c.example",
        "--database", database,
    )  # fmt: skip
    assert lifted.code == 0
    after = run_cli("retention", "run", "--today", "2052-01-02", "--database", database)
    assert "EH-2026-0502" in after.out


def test_holding_an_unknown_case_says_so(run_cli: Any, database: str) -> None:
    result = run_cli(
        "retention", "hold", "EH-1900-0001", "--reason", "x", "--by", "d@c.example",
        "--database", database,
    )  # fmt: skip
    assert result.code == 1
    assert "There is no case with the reference EH-1900-0001" in result.err
    assert "Traceback" not in result.err

"""The report's definitions: a council changes or adds a KPI in YAML; mistakes are reported
with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehdocs.errors import SchemaError
from ehdocs.report.definitions import load_report
from ehdocs.schema import FormSet, load_formset


def test_a_council_replaces_and_adds_kpis_without_python(council_formset: FormSet) -> None:
    ours = load_report(load_formset())
    theirs = load_report(council_formset)
    assert ours.kpi("request_to_first_visit").target == 5
    assert theirs.kpi("request_to_first_visit").target == 3
    added = theirs.kpi("requests_from_schools")
    assert added.where == {"source": ("school",)} and added.split == "month"
    assert [k.id for k in theirs.kpis][: len(ours.kpis)] == [k.id for k in ours.kpis]
    assert theirs.suppress_under == 10 and ours.suppress_under == 5
    assert theirs.population["gender"]["Female"] == 21900


def _copy(copied_schemas: Path, text: str) -> Path:
    (copied_schemas / "report" / "kpis.yaml").write_text(text, encoding="utf-8")
    return copied_schemas


def test_mistakes_are_reported_with_file_and_line(copied_schemas: Path) -> None:
    original = (copied_schemas / "report" / "kpis.yaml").read_text(encoding="utf-8")
    broken = original.replace(
        "  hub_decision: {answer: notification.hub.decision, take: first}",
        "  hub_decision: {answer: notification.hub.descision, take: first}",
    ).replace("    count: received\n    split: source", "    count: recieved\n    split: source")
    _copy(copied_schemas, broken)
    formset = load_formset(schema_dir=copied_schemas)
    with pytest.raises(SchemaError) as caught:
        load_report(formset, schema_dir=copied_schemas)
    text = str(caught.value)
    line = (
        broken.splitlines().index(
            "  hub_decision: {answer: notification.hub.descision, take: first}"
        )
        + 1
    )
    assert f"report/kpis.yaml:{line}" in text
    assert "the form 'notification' has no question 'hub.descision'" in text
    assert "uses the fact 'recieved', which is not defined (did you mean 'received'?)" in text
    kpi_line = broken.splitlines().index("  - id: requests_by_source") + 1
    assert f"report/kpis.yaml:{kpi_line}:" in text

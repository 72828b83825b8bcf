"""The people summary's "Lives at": each household with its address, as far as the copy may show
it (a family copy has no addresses: the schema keeps them for professionals)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ehdocs.render.context import build_context
from ehdocs.render.items import Table
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.render.test_pdf import TODAY, page_texts

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blended-family.json"


def case_of(formset: FormSet, change: Any = None) -> Any:
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    if change:
        change(raw)
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems[:3]
    return result.case


def lives_at(case: Any, audience: str) -> dict[str, str]:
    ctx = build_context(case, "n1", audience, TODAY)
    people = next(s for s in ctx.sections if s.id == "people")
    summary = next(i for i in people.items if isinstance(i, Table) and i.label == "Summary")
    column = summary.columns.index("Lives at")
    return {row[0]: row[column] for row in summary.rows}


def test_professional_copy_shows_each_household_with_its_address(formset: FormSet) -> None:
    shown = lives_at(case_of(formset), "professional")
    assert shown["Rachel Doyle"].startswith("Mum's home: 12 Heron Way, Southmead, Eastbury, QT")
    assert shown["Darren Doyle"].startswith("Dad's home: Flat 5, Linden Court, Westbrook")
    assert all(shown.values()), shown


def test_family_copy_shows_households_without_their_addresses(formset: FormSet) -> None:
    shown = lives_at(case_of(formset), "family")
    assert shown["Rachel Doyle"] == "Mum's home"  # addresses are for professionals (schema)
    assert shown["Darren Doyle"] == "Dad's home"
    assert not any("Heron Way" in v or "Linden Court" in v for v in shown.values())


def test_someone_in_no_household_is_shown_at_their_own_address(formset: FormSet) -> None:
    def no_households(raw: dict[str, Any]) -> None:
        raw["households"] = []

    case = case_of(formset, no_households)
    shown = lives_at(case, "professional")
    assert shown["Rachel Doyle"].startswith("12 Heron Way, Southmead, Eastbury")
    pdf = render_document(case, case.documents[0], RenderOptions("professional", "pdf", TODAY))
    assert "12 Heron Way, Southmead, Eastbury" in " ".join(page_texts(pdf))

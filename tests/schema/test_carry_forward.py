"""`carry_forward:` declarations are checked when the forms load: each mistake is reported at
its file and line, in words a schema author can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehdocs.schema import load_formset
from tests.schema.test_loader_errors import copy_schemas, load_problems

MISTAKES = {
    "no such form": (
        "from: assessment.goals.goals\n",
        "from: asessment.goals.goals\n",
        "there is no form 'asessment' (did you mean 'assessment'?)",
    ),
    "no such field": (
        "  - into: goals.goals\n    from: assessment.goals.goals\n",
        "  - into: goals.goals\n    from: assessment.goals.wishes\n",
        "'goals.wishes' is not a field of form 'assessment'",
    ),
    "no such target": (
        "  - into: actions.actions\n    from: plan.actions.actions\n",
        "  - into: actions.things\n    from: plan.actions.actions\n",
        "'actions.things' is not a field of form 'plan'",
    ),
    "group into a field": (
        "  - into: actions.actions\n    from: plan.actions.actions\n",
        "  - into: header.version_note\n    from: plan.actions.actions\n",
        "a group can only be carried into a group",
    ),
    "no such records": (
        '    from: records.professionals\n    where: {lead_practitioner: "yes"}\n'
        "    take: id\n  - into: goals.goals",
        '    from: records.profesionals\n    where: {lead_practitioner: "yes"}\n'
        "    take: id\n  - into: goals.goals",
        "there are no case records 'profesionals' (did you mean 'professionals'?)",
    ),
    "unknown key": ("    from: plan.goals.goals\n", "    form: plan.goals.goals\n", "'form'"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_in_carry_forward_is_reported_at_its_line(tmp_path: Path, mistake: str) -> None:
    old, new, words = MISTAKES[mistake]
    schemas = copy_schemas(tmp_path)
    plan = schemas / "plan.yaml"
    text = plan.read_text("utf-8")
    assert text.count(old) == 1, old
    plan.write_text(text.replace(old, new), "utf-8")
    line = text[: text.index(old)].count("\n") + 1
    problems = [p for p in load_problems(schemas) if words in p]
    assert problems, load_problems(schemas)
    assert problems[0].startswith("schemas/plan.yaml:")
    reported = int(problems[0].split(":")[1])
    assert abs(reported - line) <= 3  # the entry's first line, or the key's own


def test_types_that_do_not_match_are_refused(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    closure = schemas / "closure.yaml"
    text = closure.read_text("utf-8")
    text = text.replace(
        "    from: plan.header.lead_practitioner\n", "    from: plan.header.date_agreed\n", 1
    )
    closure.write_text(text, "utf-8")
    assert any(
        "'date_agreed' is a date field and cannot fill 'lead_practitioner', a professional field"
        in p
        for p in load_problems(schemas)
    )


def test_a_longer_text_cannot_fill_a_shorter_one(tmp_path: Path) -> None:
    schemas = copy_schemas(tmp_path)
    closure = schemas / "closure.yaml"
    text = closure.read_text("utf-8")
    old = "            error_name: the goal or need\n            max_length: 1000\n"
    assert old in text
    closure.write_text(text.replace(old, old.replace("1000", "500")), "utf-8")
    assert any(
        "'goal' is a long_text field and cannot fill 'goal'" in p for p in load_problems(schemas)
    )


def test_the_shipped_declarations_load() -> None:
    forms = load_formset().forms
    assert {c.into for c in forms["plan"].carry_forward} == {
        "header.lead_practitioner",
        "goals.goals",
        "actions.actions",
    }
    assert {c.into for c in forms["review"].carry_forward} == {
        "attendees.attendees",
        "actions_reviewed.actions",
        "scores.scores",
    }
    assert {c.into for c in forms["closure"].carry_forward} == {
        "outcomes.goal_outcomes",
        "final_scores.scores",
        "sign_off.lead_practitioner",
    }

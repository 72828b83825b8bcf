"""Mistakes in form schemas and profiles: each reported as file:line:column with a hint."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from ehdocs.errors import SchemaError
from ehdocs.fields import REGISTRY
from ehdocs.schema import load_formset
from tests.conftest import FORM_SCHEMAS


def replace_once(path: Path, old: str, new: str, marker: str) -> tuple[int, int]:
    """Replace `old` (which must occur once) and return the 1-based line:column of `marker`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    offset = text.index(new) + new.index(marker)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def load_problems(schema_dir: Path) -> list[str]:
    # File names in messages are relative to the working directory: keep them short.
    with contextlib.chdir(schema_dir.parent), pytest.raises(SchemaError) as caught:
        load_formset(None, schema_dir)
    return [str(p) for p in caught.value.problems]


def copy_schemas(parent: Path) -> Path:
    target = parent / "schemas"
    shutil.copytree(FORM_SCHEMAS, target)
    return target


@pytest.fixture(scope="module")
def broken_base(tmp_path_factory):
    """A copy of form_schemas/ with three mistakes; loaded once: (problems, positions)."""
    schemas = copy_schemas(tmp_path_factory.mktemp("broken"))
    where = {
        "txt": replace_once(
            schemas / "plan.yaml",
            "      - id: version_note\n        type: text\n",
            "      - id: version_note\n        type: txt\n",
            "txt",
        ),
        "lable": replace_once(
            schemas / "plan.yaml",
            "        label: Date the plan was agreed\n",
            "        lable: Date the plan was agreed\n",
            "lable",
        ),
        "list": replace_once(
            schemas / "notification.yaml",
            "options: levels_of_need\n",
            "options: levels_of_need_x\n",
            "levels_of_need_x",
        ),
    }
    return load_problems(schemas), where


def test_typo_in_a_field_type_points_at_the_value_and_suggests_the_type(broken_base):
    problems, where = broken_base
    line, col = where["txt"]

    assert (
        f"schemas/plan.yaml:{line}:{col}: unknown field type 'txt' (did you mean 'text'?) "
        f"(expected one of: {', '.join(sorted(REGISTRY))})"
    ) in problems


def test_unknown_key_in_a_field_is_reported_with_a_suggestion(broken_base):
    problems, where = broken_base
    line, col = where["lable"]
    prefix = (
        f"schemas/plan.yaml:{line}:{col}: unknown key 'lable' in field 'date_agreed' "
        "(did you mean 'label'?) (expected one of: id, type, label,"
    )

    assert [p for p in problems if p.startswith(prefix)] != []
    # …and the key it should have been is missing, reported at the field (its id key).
    assert f"schemas/plan.yaml:{line - 2}:9: field 'date_agreed' is missing 'label'" in problems


def test_option_list_that_does_not_exist_is_reported_with_a_suggestion(broken_base):
    problems, where = broken_base
    line, col = where["list"]

    assert (
        f"schemas/notification.yaml:{line}:{col}: option list 'levels_of_need_x' is not "
        "defined in lists.yaml (did you mean 'levels_of_need'?)"
    ) in problems


def test_all_mistakes_in_all_files_are_reported_in_one_run(broken_base):
    problems, _ = broken_base

    files = sorted(p.split(":")[0] for p in problems)

    assert files == [
        "schemas/notification.yaml",
        "schemas/plan.yaml",
        "schemas/plan.yaml",
        "schemas/plan.yaml",
    ]


@pytest.fixture
def bad_yaml(tmp_path) -> tuple[Path, int]:
    schemas = copy_schemas(tmp_path)
    line, _ = replace_once(schemas / "lists.yaml", "  genders:\n", "  genders: [\n", "[")
    return schemas, line


def test_yaml_syntax_error_is_reported_at_its_place(bad_yaml):
    schemas, line = bad_yaml

    # The parser stops at the first option, which cannot follow an unclosed '['.
    assert load_problems(schemas) == [
        f"schemas/lists.yaml:{line + 1}:5: YAML syntax: expected the node content, but found '-'"
    ]


def test_cli_schema_check_reports_a_broken_base_schema_with_exit_3(bad_yaml, run_cli, monkeypatch):
    schemas, line = bad_yaml
    monkeypatch.setenv("EHDOCS_SCHEMA_DIR", str(schemas))
    monkeypatch.chdir(schemas.parent)

    result = run_cli("schema", "check", schemas / "profiles" / "default")

    assert result.code == 3
    assert result.out == ""
    assert result.err.startswith(f"ehdocs: schemas/lists.yaml:{line + 1}:5: YAML syntax: ")
    assert "Traceback" not in result.output


def test_profile_adding_a_field_with_a_missing_option_list_fails_check(broken_profile_check):
    code, out, lines = broken_profile_check

    assert code == 3
    assert out == ""
    assert (
        "broken-council/profile.yaml:16:20: option list 'no_such_list' is not defined in lists.yaml"
    ) in lines


@pytest.mark.parametrize(
    ("folder", "name"),
    [("default", "Default council"), ("example-council", "Example Borough Council")],
)
def test_the_shipped_profiles_check_clean(run_cli, folder, name):
    path = FORM_SCHEMAS / "profiles" / folder

    result = run_cli("schema", "check", path)

    assert result.code == 0
    assert result.out == f"{path}: {name}: 5 documents, 3 earlier versions kept, no problems\n"

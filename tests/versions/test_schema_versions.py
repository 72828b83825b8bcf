"""Earlier versions of a form kept and read (labels, options), migrations in YAML applied to a
document's data, and `ehdocs schema check` refusing a version change no migration explains."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ehdocs.schema import FormSet
from ehdocs.schema.migrations import migrate_data, path_in
from ehdocs.schema.versions import definition, keep
from ehdocs.validation import dump_case, validate_case
from tests.conftest import CliResult
from tests.factories import make_case, make_document, make_notification_data
from tests.versions import schemas as fixture

V1_DATA = {
    "referrer": {"name": "Ada Okafor", "role": "School nurse"},
    "reason": {
        "presenting_needs": ["school_attendance", "housing", "money"],
        "support_tried": "A parenting course",
        "service_requested": "A family support worker",
        "concern": "Sam has missed school.",
    },
    "children": {"children": [{"child": "c1"}, {"child": "c2"}]},
}


def test_each_version_is_read_with_its_own_labels_and_options(v3: FormSet) -> None:
    now = v3.form("notification")
    first = definition(v3, "notification", 1)
    second = definition(v3, "notification", 2)
    assert (first.version, second.version, now.version) == (1, 2, 3)
    assert first.field_at("referrer.role").label == fixture.V1_ROLE_LABEL
    assert second.field_at("referrer.job_title").label == fixture.V3_ROLE_LABEL
    needs = "reason.presenting_needs"
    assert first.field_at(needs).option_label("housing") == fixture.V1_HOUSING
    assert second.field_at(needs).option_label("housing_money") == fixture.V2_HOUSING_MONEY
    assert second.field_at(needs).option_label("school_attendance") == fixture.V1_ATTENDANCE
    assert now.field_at(needs).option_label("attendance") == fixture.V3_ATTENDANCE
    assert definition(v3, "notification", 1) is first  # read once, then cached


def test_data_of_version_1_becomes_version_3(v3: FormSet) -> None:
    moved = migrate_data(V1_DATA, v3.form("notification"), 1)
    assert moved.version == 3
    assert moved.data["referrer"] == {"name": "Ada Okafor", "job_title": "School nurse"}
    assert moved.data["reason"] == {
        "presenting_needs": ["attendance", "housing_money"],  # two merged needs count once
        "concern": "Sam has missed school.",
    }
    assert moved.data["agencies"] == {"support_tried": "A parenting course"}
    assert moved.data["children"] == V1_DATA["children"]
    assert moved.removed == (
        {
            "form_version": 2,
            "field": "reason.service_requested",
            "value": V1_DATA["reason"]["service_requested"],
        },
    )
    said = [str(c) for c in moved.changes]
    assert "v1→v2: referrer.role renamed to referrer.job_title" in said
    assert "v1→v2: reason.support_tried moved to agencies.support_tried" in said
    assert "v3→v4" not in " ".join(said)
    assert "v2→v3: referrer.team_or_service is new: the draft asks for it" in said
    assert V1_DATA["referrer"] == {"name": "Ada Okafor", "role": "School nurse"}  # not changed
    notification = v3.form("notification")
    assert path_in("referrer.role", notification, 1) == "referrer.job_title"
    assert path_in("reason.service_requested", notification, 1) is None
    assert path_in("children.children[1].child", notification, 1) == "children.children[1].child"


@pytest.fixture
def schema_dir(schemas: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the versioned schemas, used by `ehdocs` commands."""
    target = tmp_path / "form_schemas"
    shutil.copytree(schemas, target)
    monkeypatch.setenv("EHDOCS_SCHEMA_DIR", str(target))
    return target


def test_schema_check_accepts_versions_their_migrations_explain(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    result = run_cli("schema", "check")
    assert result.code == 0, result.output
    # the notification's 1 and 2, and version 1 of the assessment, plan and review
    assert "5 documents, 5 earlier versions kept, no problems" in result.out


def test_schema_check_refuses_a_version_change_without_its_migration(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    form = schema_dir / "notification.yaml"
    form.write_text(form.read_text().replace(fixture.MIGRATION_2, ""))
    result = run_cli("schema", "check")
    assert result.code != 0
    assert "notification.yaml:1:1: 'notification' version 2 → 3:" in result.err
    assert "'reason.service_requested' is gone, and no step says where its answers go" in result.err
    assert "'referrer.team_or_service' is new: declare it with add_field" in result.err
    assert (
        "option 'school_attendance' of 'reason.presenting_needs' is gone, and no step says what "
        "it becomes" in result.err
    )
    assert "version 1 → 2" not in result.err  # that change is explained


def test_schema_check_refuses_a_bare_version_bump(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    keep(schema_dir, "notification")  # version 3 kept, then bumped with nothing declared
    form = schema_dir / "notification.yaml"
    form.write_text(form.read_text().replace("version: 3\n", "version: 4\n"))
    result = run_cli("schema", "check")
    assert result.code != 0
    assert (
        "'notification' version 3 → 4: the version went up, but no migration says what changed"
        in result.err
    )


def test_schema_check_refuses_a_change_without_a_version_bump(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    keep(schema_dir, "notification")
    form = schema_dir / "notification.yaml"
    form.write_text(form.read_text().replace(fixture.TEAM, ""))  # version 3 loses a field
    result = run_cli("schema", "check")
    assert result.code != 0
    assert "'notification' is still version 3, but its fields or options differ" in result.err
    assert "versions/notification/3.yaml" in result.err


def test_schema_check_refuses_a_bump_whose_earlier_version_was_not_kept(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    (schema_dir / "versions/notification/2.yaml").unlink()
    result = run_cli("schema", "check")
    assert result.code != 0
    assert "'notification' is version 3, but version 2 is not kept" in result.err


def test_a_migration_step_naming_a_missing_field_is_reported(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    form = schema_dir / "notification.yaml"
    form.write_text(form.read_text().replace("to: referrer.job_title", "to: referrer.jobtitle"))
    result = run_cli("schema", "check")
    assert result.code != 0
    assert "rename_field: 'referrer.jobtitle' is not a field of version 2" in result.err


def test_a_case_file_with_a_draft_of_version_1_is_read_as_version_3(v3: FormSet) -> None:
    """Whichever way a case comes in (a file, the API), validation reads an earlier version's
    draft as the current version's: the store is not the only way in."""
    data = make_notification_data()
    data["reason"]["service_requested"] = "A family support worker"
    doc = {**make_document("notification", data, doc_id="n1", status="draft"), "form_version": 1}
    result = validate_case(make_case(documents=[doc]), v3)
    assert result.ok, result.problems
    assert result.case is not None
    dumped = dump_case(result.case)["documents"][0]
    assert dumped["form_version"] == 3
    assert dumped["data"]["referrer"]["job_title"] == "School nurse"
    assert dumped["history"] == [
        {"form_version": 2, "field": "reason.service_requested", "value": "A family support worker"}
    ]


def test_a_malformed_migration_is_reported_at_its_line(
    schema_dir: Path, run_cli: Callable[..., CliResult]
) -> None:
    form = schema_dir / "notification.yaml"
    text = form.read_text()
    text = text.replace("to: agencies.support_tried", "to: agencies.support.tried")
    text = text.replace(
        "      - add_field: referrer.team_or_service\n", "      - add: referrer.x\n"
    )
    form.write_text(text)
    result = run_cli("schema", "check")
    assert result.code != 0
    lines = text.splitlines()
    moved = next(i for i, line in enumerate(lines, 1) if "move_field:" in line)
    bad = next(i for i, line in enumerate(lines, 1) if "- add: referrer.x" in line)
    assert (
        f"notification.yaml:{moved}:9: move_field moves a section's field to another section"
        in result.err
    )
    assert f"notification.yaml:{bad}:9: a migration step says one of: rename_field" in result.err

"""A copy of form_schemas/ in which the notification changed twice (#17).

Version 1 is today's notification, kept by `ehdocs schema keep-version`. Then:
- 1 -> 2: referrer.role renamed referrer.job_title ("Job title"); the needs 'housing' and
  'money' merged into 'housing_money'; reason.support_tried moved to agencies.support_tried.
- 2 -> 3: the need 'school_attendance' renamed 'attendance'; reason.service_requested removed;
  referrer.team_or_service added, required.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ehdocs.schema.versions import keep
from tests.conftest import FORM_SCHEMAS

V1_ROLE_LABEL = "Your role"
V3_ROLE_LABEL = "Job title"
V1_HOUSING = "Housing or homelessness"
V2_HOUSING_MONEY = "Housing, money or debt"
V1_ATTENDANCE = "School attendance"
V3_ATTENDANCE = "Attendance at school or nursery"

MIGRATION_1 = """
migrations:
  - from: 1
    steps:
      - rename_field: referrer.role
        to: referrer.job_title
      - merge_options: reason.presenting_needs
        from: [housing, money]
        to: housing_money
      - move_field: reason.support_tried
        to: agencies.support_tried
"""
MIGRATION_2 = """\
  - from: 2
    steps:
      - rename_option: reason.presenting_needs
        from: school_attendance
        to: attendance
      - remove_field: reason.service_requested
      - add_field: referrer.team_or_service
"""
SUPPORT_TRIED = """\
      - id: support_tried
        type: long_text
        label: What support has already been tried?
        error_name: what support has already been tried
        family_label: Help you have already had
        hint: Include what helped and what did not
        max_length: 3000
"""
SERVICE_REQUESTED = """\
      - id: service_requested
        type: long_text
        label: What support are you asking for?
        family_label: What help was asked for
        hint: For example, a family support worker, parenting support, or a team around the family
        error_name: what support you are asking for
        max_length: 2000
"""
TEAM = """\
      - id: team_or_service
        type: text
        label: Team or service
        error_name: your team or service
        max_length: 200
        required: true
"""


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} is not in {path.name} {count} time(s)"
    path.write_text(text.replace(old, new), encoding="utf-8")


def version_2(base: Path) -> None:
    form, lists = base / "notification.yaml", base / "lists.yaml"
    _edit(form, "version: 1\n", "version: 2\n")
    _edit(
        form,
        "      - id: role\n        type: text\n        label: Your role\n",
        "      - id: job_title\n        type: text\n        label: Job title\n",
    )
    _edit(form, SUPPORT_TRIED, "")
    _edit(
        form, "      - id: lead_professional\n", SUPPORT_TRIED + "      - id: lead_professional\n"
    )
    _edit(lists, "    - {value: housing, label: Housing or homelessness}\n", "")
    _edit(
        lists,
        '    - {value: money, label: "Money, debt or worklessness"}\n',
        '    - {value: housing_money, label: "Housing, money or debt"}\n',
    )
    _append(form, MIGRATION_1)


def version_3(base: Path) -> None:
    form, lists = base / "notification.yaml", base / "lists.yaml"
    _edit(form, "version: 2\n", "version: 3\n")
    _edit(
        lists,
        "    - {value: school_attendance, label: School attendance}\n",
        "    - {value: attendance, label: Attendance at school or nursery}\n",
    )
    _edit(form, SERVICE_REQUESTED, "")
    _edit(
        form,
        "      - id: agency\n        type: text\n",
        TEAM + "      - id: agency\n        type: text\n",
    )
    _append(form, MIGRATION_2)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + text, encoding="utf-8")


def versioned_schemas(target: Path) -> Path:
    """form_schemas copied to `target`, the notification taken to version 3 (each version
    kept on the way)."""
    shutil.copytree(FORM_SCHEMAS, target)
    keep(target, "notification")
    version_2(target)
    keep(target, "notification")
    version_3(target)
    return target

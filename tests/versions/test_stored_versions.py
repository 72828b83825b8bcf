"""Cases written on version 1 of the notification, read by a service whose notification is at
version 3, on SQLite and PostgreSQL: drafts and page drafts are migrated when read, completed
documents keep their version (and its words in the PDF), `ehdocs migrate` reports and applies."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from ehdocs.render.outputs import render_document
from ehdocs.schema import FormSet
from ehdocs.storage import Storage
from ehdocs.storage.models import AuditEntry, CaseRow, PageDraft
from ehdocs.validation import validate_case
from tests.conftest import CliResult
from tests.factories import make_case, make_document, make_notification_data
from tests.versions import schemas as fixture


def v1_notification() -> dict[str, Any]:
    data = make_notification_data()
    data["reason"] = {
        **data["reason"],
        "presenting_needs": ["school_attendance", "housing", "money"],
        "support_tried": "A parenting course last spring",
        "service_requested": "A family support worker",
    }
    return data


def case_with(reference: str, status: str) -> dict[str, Any]:
    doc = make_document("notification", v1_notification(), doc_id="n1", status=status)
    doc["form_version"] = 1
    return make_case(reference=reference, documents=[doc])


@pytest.fixture
def opened(database_url: str, tmp_path: Path) -> Iterator[Callable[[FormSet], Storage]]:
    """Storage on the test's database for a form set (each closed at the end)."""
    stores: list[Storage] = []

    def open_with(formset: FormSet) -> Storage:
        config = {"DATABASE_URL": database_url, "DATA_DIR": tmp_path / "data"}
        stores.append(Storage.open(config, formset))
        return stores[-1]

    yield open_with
    for store in stores:
        store.close()


@pytest.fixture
def written(opened: Callable[[FormSet], Storage], v1: FormSet) -> dict[str, int]:
    """A case with a draft notification (and page drafts), one with a completed one: written
    by the service while the notification was at version 1."""
    before = opened(v1).cases
    draft = before.create(case_with("EH-2026-0001", "draft"))
    done = before.create(case_with("EH-2026-0002", "completed"))
    before.put_draft(draft.id, "doc:n1:referrer", {"name": "Ada O", "role": "Nurse"}, 1)
    before.put_draft(
        draft.id,
        "doc:n1:reason",
        {"presenting_needs": ["housing"], "support_tried": "Typed, not saved"},
        1,
    )
    # a correction to the completed document, typed and not saved: on its own version
    before.put_draft(done.id, "doc:n1:referrer", {"role": "Lead nurse"}, 1)
    return {"draft": draft.id, "completed": done.id}


def test_a_draft_is_read_as_the_current_version(
    opened: Callable[[FormSet], Storage], v3: FormSet, written: dict[str, int]
) -> None:
    stored = opened(v3).cases.get(written["draft"])
    doc = stored.raw["documents"][0]
    assert doc["form_version"] == 3
    assert doc["data"]["referrer"]["job_title"] == "School nurse"
    assert "role" not in doc["data"]["referrer"]
    assert doc["data"]["reason"]["presenting_needs"] == ["attendance", "housing_money"]
    assert doc["data"]["agencies"]["support_tried"] == "A parenting course last spring"
    assert doc["history"] == [
        {
            "form_version": 2,
            "field": "reason.service_requested",
            "value": "A family support worker",
        }
    ]
    typed = stored.case.documents[0]
    assert typed.definition.version == 3
    # the new required question is asked before the draft can be completed
    result = validate_case(stored.raw, v3, complete=["n1"])
    assert [(p.path, p.message) for p in result.problems] == [
        ("referrer.team_or_service", "Enter your team or service")
    ]


def test_page_drafts_are_migrated_with_their_document(
    opened: Callable[[FormSet], Storage], v3: FormSet, written: dict[str, int]
) -> None:
    store = opened(v3)
    cases, form = store.cases, v3.form("notification")
    case_id = written["draft"]
    assert cases.get_draft(case_id, "doc:n1:referrer", form) == {
        "name": "Ada O",
        "job_title": "Nurse",
    }
    assert cases.get_draft(case_id, "doc:n1:reason", form) == {
        "presenting_needs": ["housing_money"]
    }
    # the typed answer moved to its new section: a draft of that section, over its saved answers
    agencies = cases.get_draft(case_id, "doc:n1:agencies", form)
    assert agencies == {"existing_taf": "no", "support_tried": "Typed, not saved"}
    with store.sessions() as session:
        versions = session.scalars(
            select(PageDraft.form_version).where(PageDraft.case_id == case_id)
        ).all()
    assert sorted(versions) == [3, 3, 3]  # kept migrated: not moved twice


def test_a_completed_document_keeps_its_version_and_its_words(
    opened: Callable[[FormSet], Storage], v3: FormSet, written: dict[str, int]
) -> None:
    stored = opened(v3).cases.get(written["completed"])
    doc = stored.raw["documents"][0]
    assert doc["form_version"] == 1
    assert doc["data"]["referrer"]["role"] == "School nurse"
    assert "history" not in doc
    document = stored.case.documents[0]
    assert document.definition.version == 1
    text = _pdf_text(render_document(stored.case, document))
    assert fixture.V1_ROLE_LABEL in text and "School nurse" in text
    assert fixture.V1_HOUSING in text and fixture.V1_ATTENDANCE in text
    assert fixture.V2_HOUSING_MONEY not in text and fixture.V3_ATTENDANCE not in text
    assert "A family support worker" in text  # its own version still asks this question


def test_a_new_document_is_written_on_the_current_version(
    opened: Callable[[FormSet], Storage], v3: FormSet
) -> None:
    data = make_notification_data()
    data["referrer"] = {**data["referrer"], "team_or_service": "School nursing"}
    data["referrer"]["job_title"] = data["referrer"].pop("role")
    data["reason"]["presenting_needs"] = ["attendance"]
    doc = {**make_document("notification", data, doc_id="n1"), "form_version": 3}
    stored = opened(v3).cases.create(make_case(reference="EH-2026-0003", documents=[doc]))
    text = _pdf_text(render_document(stored.case, stored.case.documents[0]))
    assert fixture.V3_ROLE_LABEL in text and fixture.V3_ATTENDANCE in text
    assert fixture.V1_ROLE_LABEL not in text


def test_migrate_reports_then_applies_to_drafts_only(
    opened: Callable[[FormSet], Storage],
    v3: FormSet,
    written: dict[str, int],
    database_url: str,
    schemas: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_cli: Callable[..., CliResult],
) -> None:
    monkeypatch.setenv("EHDOCS_SCHEMA_DIR", str(schemas))
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path / "data"))
    store = opened(v3)
    before = _rows(store)

    report = run_cli("migrate", "--dry-run", "--database", database_url)
    assert report.code == 0, report.output
    assert "Case EH-2026-0001:\n  notification n1: version 1 to 3\n" in report.out
    assert "v1→v2: referrer.role renamed to referrer.job_title" in report.out
    assert "v1→v2: reason.presenting_needs: 'housing, money' became 'housing_money'" in report.out
    assert "v1→v2: reason.support_tried moved to agencies.support_tried" in report.out
    assert "v2→v3: reason.service_requested removed" in report.out
    assert "2 page draft(s) typed on an earlier version" in report.out
    assert "EH-2026-0002" not in report.out  # completed: keeps its version
    assert "1 case(s) would change. Nothing was changed (--dry-run)." in report.out
    assert _rows(store) == before

    applied = run_cli("migrate", "--database", database_url)
    assert applied.code == 0, applied.output
    assert "1 case(s) migrated, each with an audit entry." in applied.out
    after = _rows(store)
    assert after[written["completed"]] == before[written["completed"]]  # untouched
    version, data = after[written["draft"]]
    assert version == before[written["draft"]][0] + 1  # saved as a save is
    doc = json.loads(data)["documents"][0]
    assert (doc["form_version"], doc["data"]["referrer"]["job_title"]) == (3, "School nurse")
    assert doc["history"][0]["field"] == "reason.service_requested"
    with store.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "form.migrate")).one()
        drafts = session.scalars(select(PageDraft).where(PageDraft.case_id == written["draft"]))
        assert {d.page: d.form_version for d in drafts} == {
            "doc:n1:referrer": 3,
            "doc:n1:reason": 3,
            "doc:n1:agencies": 3,
        }
        kept = session.scalars(select(PageDraft).where(PageDraft.case_id == written["completed"]))
        assert [(d.form_version, json.loads(d.raw)) for d in kept] == [(1, {"role": "Lead nurse"})]
    assert entry.case_id == written["draft"]
    assert entry.detail == "notification n1 v1->v3 (2 page drafts)"
    assert entry.actor.startswith("system")

    again = run_cli("migrate", "--dry-run", "--database", database_url)
    assert "nothing to migrate" in again.out


def test_migrate_changes_nothing_when_one_case_would_not_be_valid(
    opened: Callable[[FormSet], Storage],
    v1: FormSet,
    v3: FormSet,
    written: dict[str, int],
) -> None:
    # a draft written on version 1 with an answer of the wrong type for the field it becomes
    # (one merely too long no longer stops it: a stored draft is read, and migrated, without
    # its upper limits, and asked to be cut when next saved: tests/versions/test_lowered_limits)
    bad = case_with("EH-2026-0009", "draft")
    bad["documents"][0]["data"]["referrer"]["role"] = ["School", "nurse"]
    opened(v1)  # the tables
    store = opened(v3)
    with store.sessions() as session, session.begin():
        session.add(CaseRow(reference="EH-2026-0009", profile="default", data=json.dumps(bad)))
    before = _rows(store)
    with pytest.raises(Exception, match="EH-2026-0009 would not be valid after the migration"):
        store.cases.migrate_forms(apply=True)
    assert _rows(store) == before  # not even the cases that would have migrated


def _rows(store: Storage) -> dict[int, tuple[int, str]]:
    with store.sessions() as session:
        return {r.id: (r.version, r.data) for r in session.scalars(select(CaseRow))}


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

"""The assessment's, plan's and review's long answers went from 10,000 characters to 2,000-4,000
(version 1 -> 2, `limit_field` steps): a completed document written on version 1 keeps its
version's limit (stored, read back and printed whole); a draft over a new limit keeps its whole
answer and its case still opens, and the limit holds when it is next saved."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from ehdocs.errors import InvalidCaseError
from ehdocs.fields import field_type
from ehdocs.render.outputs import render_document
from ehdocs.schema import FormSet
from ehdocs.schema.versions import definition
from ehdocs.storage import Storage, get_storage
from ehdocs.storage.models import CaseRow
from tests.conftest import FORM_SCHEMAS, CliResult
from tests.web.accounts import hub_client
from tests.web.conftest import app_builder, make_app, page_of  # noqa: F401

REPO = FORM_SCHEMAS.parent
NEW_LIMIT = 2000  # assessment reason.reason, version 2 (10,000 in version 1)
START = "Riley's story begins here."
END = "And that is where it ends."


def long_answer(length: int) -> str:
    middle = "Riley walks to school with his mum. " * (length // 36 + 1)
    text = f"{START} {middle}"[: length - len(END) - 1]
    return f"{text.rstrip()} {END}".rjust(length, "x")


def example_case(status: str, answer: str) -> dict[str, Any]:
    """The single-parent example with its notification and its assessment (`status`, written
    on version 1) whose reason is `answer`."""
    raw = json.loads((REPO / "examples" / "single-parent.json").read_text(encoding="utf-8"))
    docs = [d for d in raw["documents"] if d["form"] in ("notification", "assessment")]
    assessment = next(d for d in docs if d["form"] == "assessment")
    assessment.update(status=status, form_version=1)
    assessment["data"]["reason"]["reason"] = answer
    return {**raw, "documents": docs}


def _assessment(raw: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in raw["documents"] if d["form"] == "assessment")


@pytest.fixture
def store(tmp_path: Path, v1: FormSet) -> Iterator[Storage]:
    config = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ehdocs.sqlite3'}", "DATA_DIR": tmp_path}
    opened = Storage.open(config, v1)
    yield opened
    opened.close()


def _written_before(storage: Storage, raw: dict[str, Any]) -> int:
    """Store `raw` as the service did while the limit was 10,000: stored with a short answer
    (today's save would refuse the long one), then its text replaced in the database."""
    short = json.loads(json.dumps(raw))
    _assessment(short)["data"]["reason"]["reason"] = "Short for now"
    stored = storage.cases.create(short)
    with storage.sessions() as session, session.begin():
        row = session.get(CaseRow, stored.id)
        assert row is not None
        data = json.loads(row.data)
        _assessment(data)["data"]["reason"] = _assessment(raw)["data"]["reason"]
        _assessment(data)["form_version"] = 1  # (today's create stored it as version 2)
        row.data = json.dumps(data, ensure_ascii=False)
    return stored.id


# -- the versions ------------------------------------------------------------------------------


def test_version_1_is_kept_with_its_10000_character_limits(v1: FormSet) -> None:
    for name, lowered in (("assessment", 51), ("plan", 1), ("review", 5)):
        now = v1.form(name)
        assert now.version == 2
        kept = definition(v1, name, 1)
        steps = now.migration_from(1).steps
        assert [s.kind for s in steps] == ["limit_field"] * lowered
        for step in steps:
            old, new = kept.field_at(step.path), now.field_at(step.path)
            if old is None:  # the other variant's question (the profile chose one)
                continue
            assert old.param("max_length", field_type(old.type).default_max) == 10000
            assert new is not None and new.param("max_length") == step.max_length < 10000


def test_schema_check_accepts_the_limits_their_steps_explain(
    run_cli: Callable[..., CliResult],
) -> None:
    result = run_cli("schema", "check")
    assert result.code == 0, result.output
    assert "3 earlier versions kept, no problems" in result.out


def test_schema_check_refuses_a_limit_change_no_step_explains(
    copied_schemas: Path, run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EHDOCS_SCHEMA_DIR", str(copied_schemas))
    form = copied_schemas / "assessment.yaml"
    text = form.read_text(encoding="utf-8")
    step = "      - limit_field: wellbeing.working_well\n        max_length: 4000\n"
    assert step in text
    form.write_text(text.replace(step, ""), encoding="utf-8")
    review = copied_schemas / "review.yaml"
    text = review.read_text(encoding="utf-8")
    wrong = "      - limit_field: decision.new_actions\n        max_length: 3000\n"
    assert wrong in text
    review.write_text(text.replace(wrong, wrong.replace("3000", "2500")), encoding="utf-8")
    result = run_cli("schema", "check")
    assert result.code != 0
    assert (
        "'assessment' version 1 → 2: the max_length of 'wellbeing.working_well' changed "
        "(the default → 4000), and no step says so (limit_field: wellbeing.working_well, "
        "max_length: 4000)" in result.err
    )
    assert (
        "'review' version 1 → 2: limit_field: 'decision.new_actions' says max_length 2500, "
        "but version 2 says 3000" in result.err
    )
    assert "'plan'" not in result.err


# -- completed documents keep their version's limit ----------------------------------------------


def test_a_completed_version_1_assessment_over_the_new_limit_is_stored_read_and_printed(
    store: Storage,
) -> None:
    answer = long_answer(5010)
    stored = store.cases.create(example_case("completed", answer))
    again = store.cases.get(stored.id)
    doc = next(d for d in again.case.documents if d.form == "assessment")
    assert doc.definition.version == 1
    assert doc.data["reason"]["reason"] == answer
    assert _assessment(again.raw)["data"]["reason"]["reason"] == answer
    pdf = PdfReader(io.BytesIO(render_document(again.case, doc)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert START in text and END in text


# -- drafts over a lowered limit --------------------------------------------------------------


def test_a_draft_over_the_new_limit_opens_whole_and_is_cut_before_it_saves(
    store: Storage,
) -> None:
    answer = long_answer(5010)
    case_id = _written_before(store, example_case("draft", answer))
    opened = store.cases.get(case_id)  # InvalidCaseError before
    doc = _assessment(opened.raw)
    assert doc["form_version"] == 2  # read as the current version
    assert doc["data"]["reason"]["reason"] == answer  # whole: nothing cut
    # A change elsewhere in the case (the draft left as it is) goes through, keeping it whole.
    elsewhere = json.loads(json.dumps(opened.raw))
    elsewhere["family_name"] = "Changed family name"
    opened = store.cases.save(case_id, elsewhere, opened.version)
    assert _assessment(opened.raw)["data"]["reason"]["reason"] == answer
    # A change to the draft holds it to the new limit.
    edited = json.loads(json.dumps(opened.raw))
    _assessment(edited)["data"]["reason"]["reason"] = answer + " More."
    with pytest.raises(InvalidCaseError) as refused:
        store.cases.save(case_id, edited, opened.version)
    said = [p.message for p in refused.value.problems]
    assert said == [
        f"Why the assessment is being done must be {NEW_LIMIT:,} characters or fewer: it is "
        "3,016 characters too long"
    ]
    with store.sessions() as session:
        kept = json.loads(session.scalars(select(CaseRow.data)).one())
    assert _assessment(kept)["data"]["reason"]["reason"] == answer  # nothing half-stored
    cut = json.loads(json.dumps(opened.raw))
    _assessment(cut)["data"]["reason"]["reason"] = answer[:NEW_LIMIT]
    saved = store.cases.save(case_id, cut, opened.version)
    assert _assessment(saved.raw)["data"]["reason"]["reason"] == answer[:NEW_LIMIT]
    assert _assessment(saved.raw)["form_version"] == 2


def test_migrate_reports_a_draft_over_a_new_limit_and_keeps_it_whole(store: Storage) -> None:
    answer = long_answer(5010)
    case_id = _written_before(store, example_case("draft", answer))
    found = store.cases.migrate_forms(apply=True)
    said = [str(c) for m in found for d in m.documents for c in d.changes]
    assert said == [
        "v1→v2: reason.reason: 5,010 characters, over the new limit of 2,000 (kept whole: cut "
        "when next saved)"
    ]
    assert _assessment(store.cases.get(case_id).raw)["data"]["reason"]["reason"] == answer


@pytest.fixture
def web_draft(make_app: Callable[..., Flask], v1: FormSet) -> tuple[Flask, int]:  # noqa: F811
    app = make_app("sqlite")
    case_id = _written_before(get_storage(app), example_case("draft", long_answer(5010)))
    return app, case_id


def test_the_draft_page_shows_the_whole_answer_over_its_character_count(
    web_draft: tuple[Flask, int],
) -> None:
    app, case_id = web_draft
    client = hub_client(app)
    answer = long_answer(5010)
    client.page(f"/cases/{case_id}/documents/a1")
    url = f"/cases/{case_id}/documents/a1/sections/reason"
    page = client.page(url)
    assert page.value("reason-reason") == answer
    counts = page.all("div", "govuk-character-count")
    assert any(c.get("data-maxlength") == str(NEW_LIMIT) for c in counts)
    # Saved for later as it is: kept whole (nothing lost; completing it holds it to the limit).
    response = client.submit(url, action="later")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert client.page(url).value("reason-reason") == answer
    # Changed but still too long: refused, saying how much to cut, the answer kept on the page.
    response = client.submit(url, {"reason-reason": answer + " More."}, action="later")
    assert response.status_code == 200
    again = page_of(response)
    assert any(
        "must be 2,000 characters or fewer: it is 3,016 characters too long" in text
        for text, _ in again.error_summary
    )
    assert again.value("reason-reason") == answer + " More."
    # Coming back: the saved answer (a page draft keeps nothing over a limit), not an empty box
    assert client.page(url).value("reason-reason") == answer
    response = client.submit(url, {"reason-reason": answer[:NEW_LIMIT]}, action="later")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    stored = get_storage(app).cases.get(case_id)
    assert _assessment(stored.raw)["data"]["reason"]["reason"] == answer[:NEW_LIMIT]


def test_a_councils_version_1_keeps_its_own_overlay(council_formset: FormSet) -> None:
    """The example council's profile names other documents too: its assessment overlay is still
    laid over the kept version 1 (before: dropped whole, "Early Help Assessment")."""
    kept = definition(council_formset, "assessment", 1)
    assert kept.version == 1
    assert kept.title == council_formset.form("assessment").title == "Family Help Assessment"
    assert [s.id for s in kept.sections] == [
        s.id for s in council_formset.form("assessment").sections
    ]

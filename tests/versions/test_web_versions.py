"""The document pages of a service whose notification moved from version 1 to 3: a section
page shows the answers and the unsaved page draft typed on version 1 under version 3's
questions; saving a section stores the draft as version 3."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.schema import FormSet
from ehdocs.storage import Storage, get_storage
from ehdocs.storage.models import CaseRow
from tests.factories import make_case, make_document, make_notification_data
from tests.web.accounts import hub_client
from tests.web.conftest import app_builder, make_app  # noqa: F401


@pytest.fixture
def app_v3(
    make_app: Callable[..., Flask],  # noqa: F811
    schemas: Path,
    v1: FormSet,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Flask, int]:
    """The service at version 3, holding a case written at version 1 (a draft notification,
    and an unsaved page draft of its referrer section)."""
    monkeypatch.setenv("EHDOCS_SCHEMA_DIR", str(schemas))
    app = make_app("sqlite")
    before = Storage.open(app.config, v1)
    try:
        doc = make_document("notification", make_notification_data(), doc_id="n1", status="draft")
        stored = before.cases.create(make_case(documents=[{**doc, "form_version": 1}]))
        typed = {"name": "Ada Okafor", "role": "Nurse (typed, not saved)"}
        before.cases.put_draft(stored.id, "doc:n1:referrer", typed, form_version=1)
    finally:
        before.close()
    return app, stored.id


def test_a_section_page_asks_version_3_with_what_was_typed_on_version_1(
    app_v3: tuple[Flask, int],
) -> None:
    app, case_id = app_v3
    client = hub_client(app)
    page = client.page(f"/cases/{case_id}/documents/n1/sections/referrer")
    assert "Job title" in page.text and "Your role" not in page.text
    assert "Team or service" in page.text  # the new question
    assert page.value("referrer-job_title") == "Nurse (typed, not saved)"


def test_saving_a_section_stores_the_draft_on_version_3(app_v3: tuple[Flask, int]) -> None:
    app, case_id = app_v3
    client = hub_client(app)
    response = client.submit(f"/cases/{case_id}/documents/n1/sections/safety")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    with get_storage(app).sessions() as session:
        data = json.loads(session.scalars(select(CaseRow.data)).one())
    doc = data["documents"][0]
    assert doc["form_version"] == 3
    assert doc["data"]["referrer"]["job_title"] == "School nurse"

"""Wording on the section pages (#11): the article before a repeating group's item ("Add an
agency", not "Add a agency"), from the item's first sound or declared in the form's YAML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask

from ehdocs.fields.types import item_with_article
from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from tests.web.conftest import page_of

if TYPE_CHECKING:
    from tests.web.conftest import AppBuilder, QualityClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FORMSET = load_formset()


@pytest.fixture(scope="module")
def app(app_builder: AppBuilder) -> Iterator[Flask]:
    app = app_builder.build("sqlite")
    yield app
    app_builder.close(app)


def _emptied(raw: dict[str, Any]) -> dict[str, Any]:
    """The example family with every document's answers cleared: every group has no rows."""
    for doc in raw["documents"]:
        doc["data"] = {}
        doc["status"] = "draft"
    return raw


@pytest.fixture(scope="module")
def case_id(app: Flask) -> int:
    raw = json.loads((EXAMPLES / "step-up.json").read_text("utf-8"))
    return get_storage(app).cases.create(_emptied(raw)).id


@pytest.mark.parametrize(
    ("doc_id", "section", "button"),
    [
        ("n1", "agencies", "Add an agency"),
        ("pl1", "actions", "Add an action"),
        ("rv1", "attendees", "Add an attendee"),
        ("rv1", "actions_reviewed", "Add an action"),
        ("n1", "children", "Add a child"),
        ("n1", "parents_carers", "Add a parent or carer"),
    ],
)
def test_add_buttons_use_the_right_article(
    client: QualityClient, case_id: int, doc_id: str, section: str, button: str
) -> None:
    page = client.page(f"/cases/{case_id}/documents/{doc_id}/sections/{section}")
    assert button in page.html
    for wrong in ("Add a agency", "Add a action", "Add a attendee", "Add an child"):
        assert wrong not in page.html


def _groups(fields: Any) -> Iterator[Any]:
    for f in fields:
        if f.fields:
            yield f
            yield from _groups(f.fields)


def test_every_group_of_every_form_has_a_sensible_article() -> None:
    seen = set()
    for form_id in FORMSET.forms:
        for section in FORMSET.form(form_id).sections:
            for group in _groups(section.fields):
                phrase = item_with_article(group)
                item = str(group.param("item_name", "entry"))
                article = "an" if item[:1].lower() in "aeiou" else "a"
                assert phrase == f"{article} {item}", (form_id, group.id, phrase)
                seen.add(phrase)
    assert {"an agency", "an action", "an attendee", "a child"} <= seen


@pytest.mark.parametrize(
    ("doc_id", "title"),
    [
        ("rv1", "You cannot complete these TAF review minutes yet"),
        ("pl1", "You cannot complete this"),
    ],
)
def test_the_refusal_to_complete_agrees_with_the_title(
    client: QualityClient, case_id: int, doc_id: str, title: str
) -> None:
    response = client.submit(f"/cases/{case_id}/documents/{doc_id}/check")
    assert response.status_code == 400
    page = page_of(response)
    assert title in page.html
    assert "this TAF review minutes" not in page.html

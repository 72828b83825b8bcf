"""Limits on length and on the number of rows hold at every save, not only at Complete: a
draft keeps what was typed on the page and shows the error, and nothing over a limit is stored
(neither in the case nor in the page's draft). A 5,000,000-character answer is refused before
it is read, with a page about answers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from ehdocs.case.new import add_document
from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from ehdocs.validation import validate_case
from tests.factories import make_case
from tests.web.conftest import QualityClient

NAME_LIMIT = 100  # notification referrer.name's max_length


@pytest.fixture
def draft(app: Flask) -> tuple[int, str]:
    """A case whose notification is a draft, and a draft plan: (case id, case URL)."""
    raw = make_case()
    raw["documents"][0]["status"] = "draft"
    add_document(raw, load_formset().forms["plan"])
    stored = get_storage(app).cases.create(raw)
    return stored.id, f"/cases/{stored.id}"


def _doc(app: Flask, case_id: int, doc_id: str) -> dict[str, Any]:
    raw = get_storage(app).cases.get(case_id).raw
    return next(d for d in raw["documents"] if d["id"] == doc_id)


def test_a_too_long_answer_in_a_draft_is_refused_and_kept_on_the_page(
    client: QualityClient, parse: Any, app: Flask, draft: tuple[int, str]
) -> None:
    case_id, base = draft
    url = f"{base}/documents/n1/sections/referrer"
    before = get_storage(app).cases.get(case_id)
    too_long = "Ann " + "B" * NAME_LIMIT
    response = client.submit(
        url, {"referrer-name": too_long, "referrer-role": "Nurse"}, action="later"
    )
    assert response.status_code == 200
    page = parse(response)
    assert (
        f"Your name must be {NAME_LIMIT} characters or fewer: it is 4 characters too long",
        "#referrer-name",
    ) in page.error_summary
    assert page.value("referrer-name") == too_long  # kept on the page to shorten
    assert page.value("referrer-role") == "Nurse"
    after = get_storage(app).cases.get(case_id)
    assert (after.version, after.raw) == (before.version, before.raw)  # nothing stored
    kept = get_storage(app).cases.get_draft(case_id, "doc:n1:referrer")
    assert kept is not None and kept.get("role") == "Nurse"
    saved_name = _doc(app, case_id, "n1")["data"].get("referrer", {}).get("name")
    # The draft keeps no answer over its limit: the saved one in its place (or none), so that
    # coming back shows the saved answer, not an empty box a save would store.
    assert kept.get("name") == saved_name and kept.get("name") != too_long
    assert client.page(url).value("referrer-name") == (saved_name or None)

    # shortened, it saves
    response = client.submit(url, {"referrer-name": "Ann Bee"}, action="later")
    assert response.status_code == 302
    assert _doc(app, case_id, "n1")["data"]["referrer"]["name"] == "Ann Bee"


def test_too_many_rows_in_a_draft_are_refused(
    client: QualityClient, parse: Any, app: Flask, draft: tuple[int, str]
) -> None:
    case_id, base = draft
    plan = next(
        d for d in get_storage(app).cases.get(case_id).raw["documents"] if d["form"] == "plan"
    )
    url = f"{base}/documents/{plan['id']}/sections/goals"
    goals = {f"goals-goals-{i}-goal": f"Goal {i + 1}" for i in range(5)}
    response = client.submit(url, {"goals-goals-rows": "5", **goals}, action="later")
    assert response.status_code == 200
    page = parse(response)
    assert any("You can add up to 4 goals" in text for text, _ in page.error_summary)
    assert page.value("goals-goals-4-goal") == "Goal 5"
    assert "goals" not in (_doc(app, case_id, plan["id"]).get("data") or {})


def test_a_five_million_character_answer_is_refused_with_a_page_about_answers(
    client: QualityClient, parse: Any, app: Flask, draft: tuple[int, str]
) -> None:
    case_id, base = draft
    url = f"{base}/documents/n1/sections/reason"
    page = client.page(url)
    data = {**page.form_data().to_dict(), "reason-concern": "x" * 5_000_000, "action": "later"}
    response = client.post(url, data=data)
    assert response.status_code == 413
    shown = parse(response)
    assert shown.h1 == "Your answers are too long to save"
    assert "10,000 characters" in shown.text
    assert "file" not in shown.text.lower().replace("profile", "")
    assert get_storage(app).cases.get(case_id).version == 1
    assert get_storage(app).cases.get_draft(case_id, "doc:n1:reason") is None


def test_every_way_in_refuses_a_draft_over_a_limit() -> None:
    """The CLI, the API and e-mailed forms share the web's validation: a draft too."""
    raw = make_case()
    raw["documents"][0]["status"] = "draft"
    raw["documents"][0]["data"]["reason"]["concern"] = "x" * 5_000_000
    result = validate_case(raw, load_formset())
    assert [(p.path, p.message) for p in result.problems] == [
        (
            "reason.concern",
            "What the concern is must be 5,000 characters or fewer: it is 4,995,000 "
            "characters too long",
        )
    ]

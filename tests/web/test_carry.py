"""Telling the story once: a new plan, review or closure starts with what the form definitions
say it carries forward (goals, actions, scores, attendees, the lead practitioner), marked on the
page and in the stored case; editable; never rewriting a completed document; and the plan's
downloads show the carried goals."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document as DocxDocument
from flask import Flask
from pypdf import PdfReader

from ehdocs.storage import get_storage
from tests.web.conftest import QualityClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SINGLE = json.loads((EXAMPLES / "single-parent.json").read_text("utf-8"))
BLENDED = json.loads((EXAMPLES / "blended-family.json").read_text("utf-8"))
ASSESSED_ON = "15 September 2026"  # single-parent's assessment: header.date_started


def _keep(raw: dict[str, Any], *forms: str) -> dict[str, Any]:
    raw = copy.deepcopy(raw)
    raw["documents"] = [d for d in raw["documents"] if d["form"] in forms]
    return raw


def _doc(raw: dict[str, Any], doc_id: str) -> dict[str, Any]:
    return next(d for d in raw["documents"] if d["id"] == doc_id)


def _create(app: Flask, raw: dict[str, Any]) -> int:
    return get_storage(app).cases.create(copy.deepcopy(raw)).id


def _new(client: QualityClient, case_id: int, form: str) -> tuple[str, str]:
    """Press the overview's button for a new `form`: (document id, first section URL)."""
    new = f"/cases/{case_id}/documents/new/{form}"
    response = client.submit(f"/cases/{case_id}", form_action=new)
    assert response.status_code == 302, response.get_data(as_text=True)
    where = response.headers["Location"]
    doc_id = where.split("/documents/")[1].split("/")[0]
    return doc_id, where


def _stored(app: Flask, case_id: int) -> dict[str, Any]:
    return get_storage(app).cases.get(case_id).raw


def _carried(page: Any) -> list[str]:
    return [
        " ".join(t.split()) for t in (page_of_text(e) for e in page.all("div", "ehdocs-carried"))
    ]


def page_of_text(element: Any) -> str:
    return "".join(element.itertext())


# -- the plan -----------------------------------------------------------------------------------


def test_new_plan_starts_with_the_assessment_goals_and_the_lead_practitioner(
    client: QualityClient, app: Flask
) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment"))
    doc_id, _ = _new(client, case_id, "plan")
    goals = [g["goal"] for g in _doc(SINGLE, "a1")["data"]["goals"]["goals"]]

    stored = _doc(_stored(app, case_id), doc_id)
    assert [g["goal"] for g in stored["data"]["goals"]["goals"]] == goals
    assert stored["data"]["header"]["lead_practitioner"] == "pr1"  # the professional records
    marks = {m["into"]: m for m in stored["carried"]}
    assert marks["goals.goals"]["form"] == "assessment"
    assert marks["goals.goals"]["document"] == "a1"
    assert marks["header.lead_practitioner"]["records"] == "professionals"

    page = client.page(f"/cases/{case_id}/documents/{doc_id}/sections/goals")
    assert [page.value(f"goals-goals-{i}-goal") for i in range(4)] == goals
    assert _carried(page) == [
        f"Carried forward Family goals: carried forward from the Early Help Assessment of "
        f"{ASSESSED_ON}. You can change it here."
    ]
    header = client.page(f"/cases/{case_id}/documents/{doc_id}/sections/header")
    assert header.value("header-lead_practitioner") == "pr1"
    assert (
        "Lead practitioner: carried forward from the professional or agency records of this case"
        in " ".join(header.text.split())
    )


def test_carried_goals_can_be_edited_and_the_mark_stays(client: QualityClient, app: Flask) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment"))
    doc_id, _ = _new(client, case_id, "plan")
    url = f"/cases/{case_id}/documents/{doc_id}/sections/goals"
    response = client.submit(url, {"goals-goals-0-goal": "Riley is at school on time every day."})
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = _doc(_stored(app, case_id), doc_id)
    assert stored["data"]["goals"]["goals"][0]["goal"] == "Riley is at school on time every day."
    assert client.page(url).value("goals-goals-0-goal") == "Riley is at school on time every day."
    assert _carried(client.page(url))  # still says where it started from
    # The user's own edit is not a change of the source: nothing to "update".
    assert "Changed since it was carried forward" not in client.page(url).text


def test_a_revised_plan_starts_from_the_last_plan(client: QualityClient, app: Flask) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment", "plan"))
    doc_id, _ = _new(client, case_id, "plan")
    stored = _doc(_stored(app, case_id), doc_id)
    plan = _doc(SINGLE, "pl1")["data"]
    assert stored["data"]["goals"]["goals"] == plan["goals"]["goals"]
    assert stored["data"]["actions"]["actions"] == plan["actions"]["actions"]
    assert stored["data"]["header"]["lead_practitioner"] == plan["header"]["lead_practitioner"]
    assert {m["into"]: m.get("document") for m in stored["carried"]}["actions.actions"] == "pl1"


def test_more_goals_than_the_plan_holds_are_capped_and_said(
    client: QualityClient, app: Flask
) -> None:
    case_id = _create(app, _keep(BLENDED, "notification", "assessment"))
    doc_id, _ = _new(client, case_id, "plan")
    stored = _doc(_stored(app, case_id), doc_id)
    assert len(stored["data"]["goals"]["goals"]) == 4  # the plan holds 4, the assessment has 5
    page = client.page(f"/cases/{case_id}/documents/{doc_id}/sections/goals")
    assert "1 more from the Early Help Assessment" in page.text
    assert "did not fit: this form holds 4 family goals at most" in page.text


def test_the_plan_downloads_show_the_carried_goals(client: QualityClient, app: Flask) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment"))
    doc_id, _ = _new(client, case_id, "plan")
    goals = [g["goal"] for g in _doc(SINGLE, "a1")["data"]["goals"]["goals"]]
    pdf = client.get(f"/cases/{case_id}/documents/{doc_id}/professional.pdf")
    assert pdf.status_code == 200
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf.data)).pages
    )
    docx = client.get(f"/cases/{case_id}/documents/{doc_id}/professional.docx")
    assert docx.status_code == 200
    document = DocxDocument(io.BytesIO(docx.data))
    words = " ".join(p.text for p in document.paragraphs) + " ".join(
        c.text for t in document.tables for r in t.rows for c in r.cells
    )
    for goal in goals:
        assert goal in text
        assert goal in words


# -- the review and the closure -----------------------------------------------------------------


def test_new_review_starts_with_the_plan_actions_attendees_and_areas_to_score(
    client: QualityClient, app: Flask
) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment", "plan"))
    doc_id, _ = _new(client, case_id, "review")
    stored = _doc(_stored(app, case_id), doc_id)
    actions = _doc(SINGLE, "pl1")["data"]["actions"]["actions"]
    assert stored["data"]["actions_reviewed"]["actions"] == [
        {"action": a["action"], "status": a["status"]} for a in actions
    ]
    attendees = stored["data"]["attendees"]["attendees"]
    assert [a["professional"] for a in attendees] == [p["id"] for p in SINGLE["professionals"]]
    assert attendees[0]["name"] == SINGLE["professionals"][0]["name"]
    baseline = _doc(SINGLE, "a1")["data"]["baseline_scores"]["scores"]
    # The same areas are scored again: the scores themselves are left to the meeting.
    assert stored["data"]["scores"]["scores"] == [
        {k: s[k] for k in ("area", "person") if k in s} for s in baseline
    ]
    page = client.page(f"/cases/{case_id}/documents/{doc_id}/sections/actions_reviewed")
    assert page.value("actions_reviewed-actions-0-action") == actions[0]["action"]
    plan_date = "the Early Help Plan of"
    assert any(plan_date in c for c in _carried(page))


def test_new_closure_starts_with_each_goal_of_the_plan(client: QualityClient, app: Flask) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment", "plan", "review"))
    doc_id, _ = _new(client, case_id, "closure")
    stored = _doc(_stored(app, case_id), doc_id)
    plan_goals = [g["goal"] for g in _doc(SINGLE, "pl1")["data"]["goals"]["goals"]]
    assert [g["goal"] for g in stored["data"]["outcomes"]["goal_outcomes"]] == plan_goals
    assert all("outcome" not in g for g in stored["data"]["outcomes"]["goal_outcomes"])
    review_areas = [
        {k: s[k] for k in ("area", "person") if k in s}
        for s in _doc(SINGLE, "rv1")["data"]["scores"]["scores"]
    ]
    assert stored["data"]["final_scores"]["scores"] == review_areas
    plan_lead = _doc(SINGLE, "pl1")["data"]["header"]["lead_practitioner"]
    assert stored["data"]["sign_off"]["lead_practitioner"] == plan_lead
    page = client.page(f"/cases/{case_id}/documents/{doc_id}/sections/outcomes")
    assert page.value("outcomes-goal_outcomes-0-goal") == plan_goals[0]
    assert any("carried forward from the Early Help Plan of" in c for c in _carried(page))


# -- later changes to the source ----------------------------------------------------------------


def test_a_completed_document_is_not_rewritten_when_its_source_changes(
    client: QualityClient, app: Flask
) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment", "plan"))
    before = _doc(_stored(app, case_id), "pl1")
    raw = _stored(app, case_id)
    stored = get_storage(app).cases.get(case_id)
    _doc(raw, "a1")["data"]["goals"]["goals"][0]["goal"] = "A new first goal."
    get_storage(app).cases.save(case_id, raw, stored.version)
    assert _doc(_stored(app, case_id), "pl1") == before
    page = client.page(f"/cases/{case_id}/documents/pl1/sections/goals")
    assert "Changed since it was carried forward" not in page.text


def test_an_in_progress_plan_offers_update_from_the_assessment(
    client: QualityClient, app: Flask
) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment"))
    doc_id, _ = _new(client, case_id, "plan")
    stored = get_storage(app).cases.get(case_id)
    raw = copy.deepcopy(stored.raw)
    _doc(raw, "a1")["data"]["goals"]["goals"][0]["goal"] = "A new first goal."
    get_storage(app).cases.save(case_id, raw, stored.version)
    # Not silently: the draft still says what it said.
    draft = _doc(_stored(app, case_id), doc_id)
    assert draft["data"]["goals"]["goals"][0]["goal"] != "A new first goal."

    url = f"/cases/{case_id}/documents/{doc_id}/sections/goals"
    page = client.page(url)
    banner = " ".join(" ".join(page.banners).split())
    assert "Changed since it was carried forward" in banner
    assert "Family goals in the Early Help Assessment" in banner
    assert "A new first goal." in banner
    update = f"/cases/{case_id}/documents/{doc_id}/sections/goals/update-carried"
    button = page.form(update).find("button")
    assert button is not None
    assert (button.text or "").strip() == "Update from the Early Help Assessment"
    response = client.submit(url, form_action=update)
    assert response.status_code == 302
    draft = _doc(_stored(app, case_id), doc_id)
    assert draft["data"]["goals"]["goals"][0]["goal"] == "A new first goal."
    after = client.page(url)
    assert after.value("goals-goals-0-goal") == "A new first goal."
    assert "Changed since it was carried forward" not in after.text


def test_update_is_refused_for_a_completed_document(client: QualityClient, app: Flask) -> None:
    case_id = _create(app, _keep(SINGLE, "notification", "assessment", "plan"))
    before = _doc(_stored(app, case_id), "pl1")
    page = client.page(f"/cases/{case_id}/documents/pl1/sections/goals")
    response = client.post(
        f"/cases/{case_id}/documents/pl1/sections/goals/update-carried",
        data={
            "csrf_token": page.csrf_token,
            "version": str(get_storage(app).cases.get(case_id).version),
        },
    )
    assert response.status_code == 302
    assert _doc(_stored(app, case_id), "pl1") == before
    assert (
        "it keeps what it said"
        in client.page(f"/cases/{case_id}/documents/pl1/sections/goals").text
    )


@pytest.mark.parametrize("form", ["notification", "assessment"])
def test_documents_that_carry_nothing_start_empty(
    client: QualityClient, app: Flask, form: str
) -> None:
    keep = ("notification",) if form == "assessment" else ()
    case_id = _create(app, _keep(SINGLE, *keep))
    doc_id, _ = _new(client, case_id, form)
    stored = _doc(_stored(app, case_id), doc_id)
    assert stored["data"] == {}
    assert "carried" not in stored

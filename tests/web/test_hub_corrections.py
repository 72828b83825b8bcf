"""A form sent again, corrected (#16): offered as "a corrected version" of what the hub has (a
case's notification, or an earlier submission still waiting), with what differs question by
question in the form's order; the adviser takes chosen answers, or the whole version, into a
draft; a completed notification is changed only after they confirm; the hub's section is never
taken from a file; the case, the submission and the audit entry in one transaction. On SQLite
and PostgreSQL, every page checked."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from ehdocs.case.io import read_case_file
from ehdocs.errors import ConflictError
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, Submission
from tests.web.conftest import QualityClient, page_of
from tests.web.test_hub import (  # noqa: F401
    RILEY,
    _stop_parsers,
    blank,
    fill,
    hub_answers,
    upload,
)

CONCERN = "reason.concern"
CONCERN_LABEL = "Reason for the request, What is the concern?"


def form(
    empty: bytes, concern: str, phone: str = "", child: str = "Amy Smith", born: str = "02/03/2015"
) -> bytes:
    return fill(
        empty,
        {
            "safety__significant_harm": "no",
            "consent__obtained": "yes",
            "referrer__name": "Sam Visitor",
            "referrer__phone": phone,
            "referrer__date": "19/11/2026",
            "children__children__0__child": child,
            "children__children__0__child__date_of_birth": born,
            "reason__concern": concern,
        },
    )


def accepted_draft(client: QualityClient, app: Flask, empty: bytes) -> Any:
    """Amy's notification, accepted into a new case with the hub's decision (a draft: the form
    leaves required answers blank)."""
    url = upload(client, form(empty, "Tired and often late")).headers["Location"]
    done = client.submit(
        url, {"target": "new", **hub_answers("signpost")}, form_action=f"{url}/accept"
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    (case,) = get_storage(app).cases.list()
    (doc,) = case.raw["documents"]
    assert doc["status"] == "draft"
    return case


def submission(app: Flask, reference: str) -> Submission:
    with get_storage(app).sessions() as session:
        row = session.scalar(select(Submission).where(Submission.reference == reference))
    assert row is not None
    return row


def test_chosen_answers_of_a_corrected_version_go_into_the_draft_notification(
    client: QualityClient,
    app: Flask,
    blank: bytes,  # noqa: F811
) -> None:
    case = accepted_draft(client, app, blank)
    url = upload(
        client, form(blank, "Tired, often late, and hungry", phone="01632 960 111")
    ).headers["Location"]
    reference = url.rsplit("/", 1)[1]
    page = client.page(url)
    heading = f"A corrected version of the Early Help Notification of case {case.reference}"
    assert heading in page.text
    assert "2 answers in this version differ from what the hub has" in page.text
    assert "the Early Help Notification in the case is a draft" in page.text
    # Field by field, in the form's order, each with its place in words and both answers.
    items = page.all("div", "govuk-checkboxes__item")
    labels = [" ".join((i.find(".//label").text or "").split()) for i in items]  # type: ignore[union-attr]
    assert labels == ["About you, Your phone number", CONCERN_LABEL]
    assert "The hub has: Tired and often late" in page.text
    assert "This version: Tired, often late, and hungry" in page.text
    assert "The hub has: Not given" in page.text and "This version: 01632 960 111" in page.text
    # The case it corrects is not also listed as a case it "cannot be added to".
    assert "cannot be added to" not in page.text

    # Nothing chosen: said, nothing changed.
    none = client.submit(url, {"action": "merge"}, form_action=f"{url}/correct")
    assert none.status_code == 400
    assert [t for t, _ in page_of(none).error_summary] == [
        "Select the answers to take from this version"
    ]
    assert get_storage(app).cases.get(case.id).version == case.version

    taken = client.submit(
        url, {"action": "merge", "fields": [CONCERN]}, form_action=f"{url}/correct"
    )
    assert taken.status_code == 302, taken.get_data(as_text=True)
    after = get_storage(app).cases.get(case.id)
    assert after.version == case.version + 1
    (doc,) = after.raw["documents"]
    assert doc["status"] == "draft"
    assert doc["data"]["reason"]["concern"] == "Tired, often late, and hungry"
    assert "phone" not in doc["data"]["referrer"]  # not chosen: as the hub had it
    assert doc["data"]["hub"]["decision"] == "signpost"  # the hub's section kept
    assert [p["given_name"] for p in after.raw["people"]] == ["Amy"]  # nobody added
    row = submission(app, reference)
    assert (row.status, row.case_id) == ("accepted", after.id)
    overview = client.page(taken.headers["Location"])
    assert (
        f"1 answer from the corrected version {reference} taken into the Early Help "
        f"Notification of case {case.reference}." in " ".join(overview.banners)
    )
    with get_storage(app).sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "submission.correct")
        ).one()
    assert entry.case_id == after.id and reference in (entry.detail or "")
    assert f"version {case.version}->{case.version + 1}" in (entry.detail or "")


def test_a_corrected_version_can_replace_the_draft_notification_whole(
    client: QualityClient,
    app: Flask,
    blank: bytes,  # noqa: F811
) -> None:
    case = accepted_draft(client, app, blank)
    url = upload(client, form(blank, "Hungry", phone="01632 960 111")).headers["Location"]
    done = client.submit(url, {"action": "replace"}, form_action=f"{url}/correct")
    assert done.status_code == 302, done.get_data(as_text=True)
    (doc,) = get_storage(app).cases.get(case.id).raw["documents"]
    assert doc["data"]["reason"]["concern"] == "Hungry"
    assert doc["data"]["referrer"]["phone"] == "01632 960 111"
    assert doc["data"]["hub"]["decision"] == "signpost"


def test_a_completed_notification_changes_only_once_the_adviser_confirms(
    client: QualityClient,
    app: Flask,
    blank: bytes,  # noqa: F811
) -> None:
    store = get_storage(app).cases
    riley = store.create(read_case_file(RILEY))  # its notification is completed
    url = upload(
        client, form(blank, "Attendance is worse", child="Riley Hancock", born="18/04/2017")
    ).headers["Location"]
    page = client.page(url)
    assert "the Early Help Notification in the case is completed" in page.text
    asked = client.submit(
        url, {"action": "merge", "fields": [CONCERN]}, form_action=f"{url}/correct"
    )
    assert asked.status_code == 200
    confirm = page_of(asked)
    assert confirm.h1 == "Change the completed Early Help Notification?"
    assert "Becomes: Attendance is worse" in confirm.text
    assert store.get(riley.id).version == riley.version  # nothing changed yet
    done = client.submit(url, form_action=f"{url}/correct", page=confirm)
    assert done.status_code == 302, done.get_data(as_text=True)
    after = store.get(riley.id)
    notification = next(d for d in after.raw["documents"] if d["form"] == "notification")
    assert notification["status"] == "completed"
    assert notification["data"]["reason"]["concern"] == "Attendance is worse"
    before = next(d for d in riley.raw["documents"] if d["form"] == "notification")
    assert notification["data"]["referrer"] == before["data"]["referrer"]  # not chosen
    assert notification["data"]["hub"] == before["data"]["hub"]


def test_a_corrected_version_of_a_waiting_submission_replaces_it(
    client: QualityClient,
    app: Flask,
    blank: bytes,  # noqa: F811
) -> None:
    first = upload(client, form(blank, "Tired")).headers["Location"].rsplit("/", 1)[1]
    url = upload(client, form(blank, "Tired and hungry")).headers["Location"]
    second = url.rsplit("/", 1)[1]
    page = client.page(url)
    assert f"A corrected version of submission {first}, still waiting for a decision" in page.text
    assert "It names the same child: the same date of birth and a similar name" in page.text
    assert f"{first}: Tired" in page.text and "This version: Tired and hungry" in page.text
    done = client.submit(url, {"action": "replace"}, form_action=f"{url}/correct")
    assert done.status_code == 302
    old, new = submission(app, first), submission(app, second)
    assert old.status == "dismissed" and old.reason == f"Replaced by the corrected version {second}"
    assert new.status == "ready" and new.answers_reference == first
    assert new.deadline_at <= old.deadline_at
    assert (
        f"Replaced by the corrected version {second}"
        in client.page(f"/hub/submissions/{first}").text
    )
    queue = client.page("/hub/").text
    assert second in queue and first not in queue


def test_a_change_made_alongside_a_save_that_fails_undoes_the_save(
    client: QualityClient,
    app: Flask,
    blank: bytes,  # noqa: F811
) -> None:
    """The case and the submission change together or not at all (CaseStore.save alongside)."""
    case = accepted_draft(client, app, blank)
    store = get_storage(app).cases
    raw = copy.deepcopy(store.get(case.id).raw)
    raw["documents"][0]["data"]["reason"]["concern"] = "Changed"

    def handled_elsewhere(session: Any) -> None:
        raise ConflictError("This submission has already been dealt with")

    with pytest.raises(ConflictError):
        store.save(case.id, raw, case.version, alongside=handled_elsewhere)
    after = store.get(case.id)
    assert after.version == case.version
    assert after.raw["documents"][0]["data"]["reason"]["concern"] == "Tired and often late"

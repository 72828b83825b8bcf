"""Accepting a received form whose answers still need work (issue #16): the page promises it is
kept as a draft, so it is — and nothing typed is dropped: an answer that cannot be stored yet
(a date that is not a real date) stays on its section page as typed, with what is wrong."""

from __future__ import annotations

from flask import Flask

from ehdocs.storage import get_storage
from tests.web.conftest import QualityClient
from tests.web.test_hub import blank, fill, hub_answers, ingestor, referral, upload

__all__ = ["blank"]  # the module's fixture, used here


def test_a_form_with_an_impossible_date_is_accepted_as_a_draft_keeping_what_was_typed(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    form = fill(referral(blank), {"referrer__date": "31/02/2026"})
    response = upload(client, form)
    assert response.status_code == 302
    url = response.headers["Location"]
    page = client.page(url)
    assert "must be a real date" in page.text
    accepted = client.submit(
        url, {"target": "new", **hub_answers("advice")}, form_action=f"{url}/accept"
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    ingestor(app).close()
    overview = client.page(accepted.headers["Location"])
    assert "they are kept, as written, on the ‘About you’ page" in overview.text
    case_id = int(accepted.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    stored = get_storage(app).cases.get(case_id)
    doc = stored.raw["documents"][0]
    assert doc["status"] == "draft"
    assert "date" not in doc["data"]["referrer"]  # not stored as it is not a date…
    assert doc["data"]["referrer"]["name"] == "Sam Visitor"
    section = client.page(f"/cases/{case_id}/documents/{doc['id']}/sections/referrer")
    assert section.value("referrer-date-day") == "31"  # …but kept on its page as typed
    assert section.value("referrer-date-month") == "02"
    assert "real date" in section.text

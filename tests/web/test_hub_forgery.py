"""The hub's pages with forged or sealed case copies (issue 16): a file never pre-fills the
hub's decision, never replaces a case's notification, and is "a copy of case …" only sealed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from pyhanko.sign.signers import SimpleSigner

from ehdocs.case.io import read_case_file
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document
from ehdocs.storage import get_storage
from ehdocs.validation import validate_case
from tests.ingest.test_forgery import forged_payload, with_attachment
from tests.ingest.test_signatures import changed_after, signed, signer  # noqa: F401
from tests.web.conftest import QualityClient, page_of
from tests.web.test_hub import RILEY, blank, hub_answers, referral, upload  # noqa: F401


def test_a_forged_copy_neither_prefills_the_decision_nor_replaces_the_notification(
    client: QualityClient,
    app: Flask,
    blank: bytes,  # noqa: F811
) -> None:
    store = get_storage(app).cases
    riley = store.create(read_case_file(RILEY))
    forged = with_attachment(referral(blank), forged_payload("social_care"))
    url = upload(client, forged).headers["Location"]
    page = client.page(url)
    assert "This is a copy of case" not in page.text
    assert page.value("hub-decision") is None  # nothing chosen from the file
    assert "Forged" not in page.text
    refused = client.submit(
        url, {"target": f"case-{riley.id}", **hub_answers("advice")}, form_action=f"{url}/accept"
    )
    assert refused.status_code == 400
    assert "already has an Early Help Notification" in page_of(refused).text
    assert store.get(riley.id).version == riley.version


def sealed_copy(app: Flask, raw: dict[str, Any]) -> bytes:
    formset = get_storage(app).cases.formset
    case = validate_case(raw, formset).case
    assert case is not None
    doc = case.documents_of("notification")[0]
    options = RenderOptions("hub", "pdf", dt.date(2026, 11, 23), seal=app.extensions["ehdocs.seal"])
    return render_document(case, doc, options)


def test_a_sealed_copy_never_replaces_a_completed_notification(
    client: QualityClient, app: Flask
) -> None:
    store = get_storage(app).cases
    raw = read_case_file(RILEY)
    riley = store.create(raw)
    doc = next(d for d in raw["documents"] if d["form"] == "notification")
    doc["data"].setdefault("hub", {})["checks_made"] = "From the sealed copy"
    url = upload(client, sealed_copy(app, raw)).headers["Location"]
    page = client.page(url)
    assert f"This is a copy of case {riley.reference}" in page.text
    assert page.value("hub-checks_made") in (None, "")  # the hub's section: the adviser's
    refused = client.submit(
        url, {"target": f"case-{riley.id}", **hub_answers("advice")}, form_action=f"{url}/accept"
    )
    assert refused.status_code == 400
    assert "completed: a copy received by the hub cannot replace it" in page_of(refused).text
    assert store.get(riley.id).version == riley.version


def test_the_submission_page_shows_who_signed_and_what_changed_after(
    client: QualityClient,
    blank: bytes,  # noqa: F811
    signer: SimpleSigner,  # noqa: F811
) -> None:
    pdf = signed(referral(blank), signer)
    page = client.page(upload(client, pdf).headers["Location"])
    assert "Signed by Sam Visitor (Example Health Trust)" in page.text
    assert "Covers the answers" in page.text and "Changed after signing" not in page.text

    tampered = changed_after(pdf, {"reason__concern": "Nothing to worry about"})
    page = client.page(upload(client, tampered).headers["Location"])
    assert "Changed after signing" in page.text
    assert "The signature does not cover the answers as they are now" in page.text
    assert "Answers changed" in page.text and "Covers the answers" not in page.text


def test_a_forged_copy_is_shown_as_not_made_by_this_service(
    client: QualityClient,
    blank: bytes,  # noqa: F811
) -> None:
    forged = with_attachment(referral(blank), forged_payload("social_care"))
    page = client.page(upload(client, forged).headers["Location"])
    assert "This file carries case data that this service did not make" in page.text

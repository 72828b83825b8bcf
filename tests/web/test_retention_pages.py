"""The data protection officer's retention page (what is due, legal holds placed and lifted, what
was disposed of) and the case overview's "how long this record is kept"."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, LegalHold
from tests.web.accounts import hub_client, signed_in_client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _closed_case(app: Flask, reference: str = "EH-2026-0777") -> int:
    raw = json.loads((EXAMPLES / "step-up.json").read_text("utf-8"))
    raw["reference"] = reference
    return get_storage(app).cases.create(raw).id


def test_the_dpo_places_and_lifts_a_legal_hold(app: Flask) -> None:
    case_id = _closed_case(app)
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    page = dpo.page("/retention/")
    assert page.h1 == "Retention and legal holds"
    assert "No case is on legal hold." in page.text
    assert "Until the youngest child's 25th birthday" in page.text
    # nothing typed: both boxes say what is missing; nothing is stored
    refused = dpo.submit("/retention/holds", {"reference": "", "reason": ""}, page=page)
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Enter the case reference" in text and "Enter why the case must be kept" in text
    unknown = dpo.submit(
        "/retention/holds", {"reference": "EH-1999-0001", "reason": "Claim"}, page=page
    )
    assert "There is no case with the reference EH-1999-0001" in unknown.get_data(as_text=True)
    placed = dpo.submit(
        "/retention/holds", {"reference": "EH-2026-0777", "reason": "Insurance claim"}, page=page
    )
    assert placed.status_code == 302
    page = dpo.page("/retention/")
    assert "EH-2026-0777" in page.text and "Insurance claim" in page.text
    with get_storage(app).sessions() as db:
        hold = db.scalars(select(LegalHold)).one()
        actions = list(db.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)))
    assert hold.placed_by == "dpo@council.example"
    assert "retention.hold" in actions
    # the case's overview says it is held, to someone who may see the case
    overview = hub_client(app).page(f"/cases/{case_id}")
    until = overview.by_id("keeping-until")
    assert until is not None and "On legal hold" in "".join(until.itertext())
    # lifting needs a reason
    url = f"/retention/holds/{hold.id}/lift"
    kept = dpo.submit(url, {"lift_reason": ""}, page=page)
    assert kept.status_code == 302
    assert get_storage(app).sessions().get(LegalHold, hold.id).lifted_at is None
    dpo.submit(url, {"lift_reason": "Claim settled"}, page=page)
    with get_storage(app).sessions() as db:
        lifted = db.get(LegalHold, hold.id)
        assert lifted is not None and lifted.lift_reason == "Claim settled"
    assert "No case is on legal hold." in dpo.page("/retention/").text


def test_the_overview_says_how_long_the_record_is_kept(app: Flask) -> None:
    case_id = _closed_case(app)
    page = hub_client(app).page(f"/cases/{case_id}")
    until = "".join(page.by_id("keeping-until").itertext())  # type: ignore[union-attr]
    rule = "".join(page.by_id("keeping-rule").itertext())  # type: ignore[union-attr]
    assert until == "28 December 2051"
    assert rule == "Closed on 3 September 2026; kept until the youngest child's 25th birthday"


def test_only_the_dpo_has_the_retention_page(app: Flask) -> None:
    assert hub_client(app).get("/retention/").status_code == 403
    practitioner = signed_in_client(app, roles.PRACTITIONER, "p@council.example")
    assert practitioner.get("/retention/").status_code == 403

"""Subject access: the DPO finds a person across cases by name, date of birth or NHS number,
and the pack withholds every other person: a sentinel third party never appears in the PDF or
the JSON, and the withheld list says what and why."""

from __future__ import annotations

import io
import json
import re

import pypdf
from flask import Flask
from sqlalchemy import select

from ehdocs.access import roles
from ehdocs.access import subject_access as sar
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry
from tests.factories import make_case
from tests.web.accounts import hub_client, signed_in_client

SENTINEL = "Quillon"  # the third party's family name: must never reach the pack


def _cases(app: Flask) -> tuple[int, int]:
    storage = get_storage(app)
    first = make_case(reference="EH-2026-0301")
    first["people"][1].update(given_name="Kerry", family_name="Morgan", nhs_number="943 476 5919")
    first["people"].append(
        {"id": "x1", "given_name": "Bartholomew", "family_name": SENTINEL,
         "category": "significant_adult", "date_of_birth": "1970",
         "address": "1 Sentinel Street"}
    )  # fmt: skip
    first["documents"][0]["data"]["reason"]["concern"] = (
        "Kerry's partner Bartholomew Quillon shouts at night; Bartholomew drinks."
    )
    second = make_case(reference="EH-2026-0302", family_name="Morgan")
    second["people"][1].update(given_name="Kerry", family_name="Morgan", date_of_birth="1988")
    return storage.cases.create(first).id, storage.cases.create(second).id


def test_search_finds_the_person_in_every_case(app: Flask) -> None:
    one, two = _cases(app)
    storage = get_storage(app)
    found = sar.search(storage.sessions, storage.cases.formset, name="kerry morgan")
    assert {(m.case_id, m.person_id) for m in found} == {(one, "p1"), (two, "p1")}
    by_nhs = sar.search(storage.sessions, storage.cases.formset, nhs_number="9434765919")
    assert [(m.case_id, m.reference) for m in by_nhs] == [(one, "EH-2026-0301")]
    assert (
        sar.search(storage.sessions, storage.cases.formset, name="Kerry", date_of_birth="1970")
        == []
    )


def test_the_pack_withholds_every_other_person(app: Flask) -> None:
    one, _ = _cases(app)
    dpo = signed_in_client(app, roles.DPO, "dpo@council.example")
    page = dpo.page("/subject-access/")
    assert page.h1 == "Subject access"
    results = dpo.submit("/subject-access/", {"name": "Kerry Morgan"}, page=page)
    html = results.get_data(as_text=True)
    assert "2 records found" in html and "EH-2026-0301" in html
    form = {"csrf_token": page.csrf_token, "match": f"{one}:p1", "subject": "Kerry Morgan"}
    review = dpo.post("/subject-access/pack", data=form)
    text = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "Person A: name, dates, contact and other details" in text  # Sam, the child
    assert SENTINEL not in text
    data = json.loads(dpo.post("/subject-access/pack/json", data=form).data)
    dumped = json.dumps(data)
    assert (
        SENTINEL not in dumped and "Bartholomew" not in dumped and "Sentinel Street" not in dumped
    )
    (case,) = data["cases"]
    kerry = next(p for p in case["people"] if p["id"] == "p1")
    assert kerry["given_name"] == "Kerry" and kerry["nhs_number"] == "943 476 5919"
    concern = case["documents"][0]["data"]["reason"]["concern"]
    assert re.fullmatch(
        r"Kerry's partner Person [A-Z] shouts at night; Person [A-Z] drinks\.", concern
    )
    pdf = dpo.post("/subject-access/pack/pdf-EH-2026-0301", data=form)
    assert pdf.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    words = " ".join(p.extract_text() for p in reader.pages)
    assert "Kerry" in words and SENTINEL not in words and "Bartholomew" not in words
    assert SENTINEL.encode() not in pdf.data  # nor in the embedded data
    with get_storage(app).sessions() as db:
        actions = set(
            db.scalars(select(AuditEntry.action).where(AuditEntry.actor == "dpo@council.example"))
        )
    assert {"subject_access.search", "subject_access.prepare", "subject_access.released"} <= actions


def test_only_the_dpo_has_subject_access(app: Flask) -> None:
    assert hub_client(app).get("/subject-access/").status_code == 403

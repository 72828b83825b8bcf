"""New ids, documents and cases (ehdocs.case.new): one allocator and one constructor, so a record
or document made on a web page and one made from a form sent to the hub look the same."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from ehdocs.case.new import (
    RECORD_ID_PREFIXES,
    add_document,
    empty_case,
    new_document_id,
    new_record_id,
    next_id,
    only_copy,
)
from ehdocs.fillable.fieldmap import field_map
from ehdocs.ingest import cases as ingest_cases
from ehdocs.schema import FormSet, load_formset
from ehdocs.storage import get_storage
from ehdocs.validation import validate_case
from ehdocs.web import create_app
from tests.factories import make_case, make_professional
from tests.web.accounts import hub_client


@pytest.fixture(scope="module")
def formset() -> FormSet:
    return load_formset(None)


def test_next_id_takes_the_first_free_number() -> None:
    assert next_id("p", set()) == "p1"
    assert next_id("p", {"p1", "p2", "p4"}) == "p3"
    assert next_id("pl", {"pl1"}, start=1) == "pl2"
    assert next_id("e", {"e3"}, start=3) == "e4"


def test_a_record_id_counts_on_from_the_rows_there_are() -> None:
    assert new_record_id("person", []) == "p1"
    assert new_record_id("person", [{"id": "c1"}]) == "p2"
    assert new_record_id("person", [{"id": "p2"}]) == "p3"  # p2 is taken
    assert new_record_id("person", [{"id": "p2"}, {"id": "c1"}]) == "p3"
    assert new_record_id("professional", [{"id": "w1"}]) == "pr2"
    assert new_record_id("a_council_record", []) == "x1"


def test_every_record_of_the_definitions_has_its_own_prefix(formset: FormSet) -> None:
    assert set(RECORD_ID_PREFIXES) == set(formset.records)
    prefixes = list(RECORD_ID_PREFIXES.values())
    assert len(set(prefixes)) == len(prefixes)


def test_a_document_id_is_the_form_and_the_first_free_number() -> None:
    raw = {"documents": [{"id": "pl1"}, {"id": "no1"}, {"id": "pl3"}]}
    assert new_document_id(raw, "plan") == "pl2"
    assert new_document_id(raw, "review") == "re1"
    assert new_document_id({}, "notification") == "no1"


def test_add_document_appends_a_draft(formset: FormSet) -> None:
    raw = empty_case("default", "EH-2026-0001", dt.date(2026, 3, 2))
    plan = formset.form("plan")
    first = add_document(raw, plan)
    second = add_document(raw, plan, {"goals": {}})
    assert raw["documents"] == [first, second]
    assert first == {
        "id": "pl1",
        "form": "plan",
        "form_version": plan.version,
        "status": "draft",
        "data": {},
    }
    assert (second["id"], second["data"]) == ("pl2", {"goals": {}})


def test_only_copy_is_for_forms_a_case_holds_once(formset: FormSet) -> None:
    raw = make_case()  # holds notification n1
    assert only_copy(raw, formset.form("notification"))["id"] == "n1"  # type: ignore[index]
    assert only_copy(raw, formset.form("assessment")) is None
    raw["documents"].append({"id": "pl1", "form": "plan"})
    assert only_copy(raw, formset.form("plan")) is None  # plans repeat


def test_an_empty_case_is_valid(formset: FormSet) -> None:
    raw = empty_case("default", "EH-2026-0007", dt.date(2026, 3, 2))
    assert raw["created"] == "2026-03-02"
    result = validate_case(raw, formset)
    assert result.ok, result.problems


# -- the web and the hub give the same ids ------------------------------------------------------


def _hub_adds_professional(formset: FormSet, raw: dict[str, Any], name: str) -> str:
    """Ingestion: a returned assessment naming a professional, added to the case."""
    fmap = field_map(formset, "assessment", "pdf")
    entry = next(e for e in fmap if e.type == "professional" and e.widget == "text")
    values: dict[str, Any] = {e.name: None for e in fmap}
    values[entry.name] = f"{name}, Health visitor, Eastbury Health"
    extracted = {
        "kind": "form",
        "format": "pdf",
        "form": "assessment",
        "version": fmap.version,
        "digest": fmap.digest,
        "values": values,
    }
    attached, _ = ingest_cases.attach(formset, raw, extracted)
    (added,) = [p for p in attached["professionals"] if p["name"] == name]
    return str(added["id"])


def _web_adds_professional(tmp_path: Path, raw: dict[str, Any], name: str) -> str:
    """The web: the new-professional page of the same case."""
    app = create_app(
        {
            "TESTING": True,
            "ENV_NAME": "test",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'ehdocs.sqlite3'}",
            "DATA_DIR": tmp_path,
        }
    )
    storage = get_storage(app)
    try:
        stored = storage.cases.create(raw)
        client = hub_client(app)
        url = f"/cases/{stored.id}/records/professional/new"
        # the page's own hidden fields (its one-time token and version), as a browser sends them
        hidden = dict(
            re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"',
                client.get(url).get_data(as_text=True),
            )
        )
        response = client.post(
            url,
            data={
                **hidden,
                "version": str(stored.version),
                "professional-name": name,
                "professional-role": "Health visitor",
                "professional-agency": "Eastbury Health",
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        professionals = storage.cases.get(stored.id).raw["professionals"]
        (added,) = [p for p in professionals if p["name"] == name]
        return str(added["id"])
    finally:
        app.extensions["ehdocs.ingestor"].close()
        storage.close()


def test_the_web_and_the_hub_give_a_new_professional_the_same_id(
    tmp_path: Path, formset: FormSet
) -> None:
    raw = make_case(professionals=[make_professional()])  # w1, as older web cases have
    from_hub = _hub_adds_professional(formset, raw, "Ama Mensah")
    from_web = _web_adds_professional(tmp_path, raw, "Ama Mensah")
    assert from_web == from_hub == "pr2"

"""Every page type renders and passes the client's quality checks, with the example families
loaded: the case list, a new case, the overview, records, every section and check page of
every document, service pages, error pages; and a few downloads, named without a person."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask, Response

from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from ehdocs.storage.store import StoredCase
from ehdocs.web.conflicts import fingerprint
from tests.factories import make_case
from tests.web.accounts import hub_client
from tests.web.conftest import Page

if TYPE_CHECKING:
    from tests.web.conftest import AppBuilder, QualityClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LOADED = ("blended-family", "step-up")
RAW = {name: json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")) for name in LOADED}
FORMSET = load_formset()
RECORDS = sorted(FORMSET.records)
DOCUMENTS = [(name, doc["id"]) for name in LOADED for doc in RAW[name]["documents"]]


def _raw_doc(name: str, doc_id: str) -> dict[str, Any]:
    return next(d for d in RAW[name]["documents"] if d["id"] == doc_id)


SECTIONS = [
    (name, doc_id, section.id)
    for name, doc_id in DOCUMENTS
    for section in FORMSET.form(_raw_doc(name, doc_id)["form"]).sections
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def app(app_builder: AppBuilder) -> Iterator[Flask]:
    """One SQLite app for the module: these tests only read."""
    app = app_builder.build("sqlite")
    yield app
    app_builder.close(app)


@pytest.fixture(scope="module")
def cases(app: Flask) -> dict[str, StoredCase]:
    return {
        name: get_storage(app).cases.create(json.loads(json.dumps(RAW[name]))) for name in LOADED
    }


def people_names(raw: dict[str, Any]) -> set[str]:
    names = {raw["family_name"]}
    for person in raw["people"]:
        names |= {person.get("given_name", ""), person.get("family_name", "")}
    return {n for n in names if n}


# -- service pages --------------------------------------------------------------------------


def test_home_goes_to_the_case_list(client: QualityClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/cases/")


def test_case_list_shows_every_case(client: QualityClient, cases: dict[str, StoredCase]) -> None:
    page = client.page("/cases/")
    assert page.h1 == "Cases"
    assert page.title.startswith("Cases – Early help documents")
    for stored in cases.values():
        assert stored.reference in page.text
        assert page.all("a", href=f"/cases/{stored.id}")


def test_case_list_when_empty(make_app: Any) -> None:
    page = hub_client(make_app("sqlite")).page("/cases/")
    assert "There are no cases yet." in page.text


def test_new_case_page(client: QualityClient) -> None:
    page = client.page("/cases/new")
    assert page.h1 == "Create a new case"
    assert page.value("reference")
    assert page.value("family_name") == ""


def test_accessibility_statement(client: QualityClient) -> None:
    page = client.page("/accessibility")
    assert page.h1 == "Accessibility statement"


def test_blank_forms_page(client: QualityClient) -> None:
    page = client.page("/forms")
    assert page.h1 == "Blank forms to download"
    for form in FORMSET.forms_in_order():
        for fmt in ("pdf", "docx"):
            assert page.all("a", href=f"/forms/{form.form}.{fmt}"), (form.form, fmt)


def test_blank_form_download(client: QualityClient) -> None:
    response = client.get("/forms/notification.docx")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert response.data.startswith(b"PK\x03\x04")
    assert re.fullmatch(
        r"attachment; filename=notification-blank-v\d+\.docx",
        response.headers["Content-Disposition"],
    )


def test_health_check(client: QualityClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


@pytest.mark.parametrize(
    "url",
    [
        "/cases/999999",
        "/cases/99999999999999999999999999",  # beyond a database integer: still not found
        "/cases/9223372036854775808",
        "/cases/99999999999999999999999999/audit",
        "/cases/99999999999999999999999999/documents/n1/sections/referrer",
        "/no-such-page",
        "/cases/{id}/records/no_such_record",
        "/cases/{id}/records/person/nobody",
        "/cases/{id}/documents/zz9/sections/referrer",
        "/cases/{id}/documents/n1/sections/no_such_section",
        "/cases/{id}/documents/n1/check-answers",
        "/cases/{id}/documents/n1/someone.pdf",
        "/cases/{id}/pack/professional.exe",
        "/forms/no_such_form.pdf",
        "/forms/notification.exe",
    ],
)
def test_not_found_page(client: QualityClient, cases: dict[str, StoredCase], url: str) -> None:
    page = client.page(url.format(id=cases["step-up"].id), status=404)
    assert page.h1 == "Page not found"
    assert "Traceback" not in page.html


# -- a case ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LOADED)
def test_overview(client: QualityClient, cases: dict[str, StoredCase], name: str) -> None:
    stored = cases[name]
    page = client.page(f"/cases/{stored.id}")
    assert page.h1 == f"The {RAW[name]['family_name']} family"
    assert f"Case {stored.reference}" in page.title
    # every document is listed with its downloads, and every record type with its count
    for doc in RAW[name]["documents"]:
        assert page.all("a", href=f"/cases/{stored.id}/documents/{doc['id']}/family.pdf")
    for record in FORMSET.records.values():
        assert page.all("a", href=f"/cases/{stored.id}/records/{record.name}")
    # repeatable forms can be added again, through a POST form with the case version
    adds = [f for f in page.all("form") if "/documents/new/" in (f.get("action") or "")]
    assert adds
    assert page.form_data(adds[0].get("action"))["version"] == str(stored.version)


@pytest.mark.parametrize("record", RECORDS)
def test_record_pages(client: QualityClient, cases: dict[str, StoredCase], record: str) -> None:
    """The list, the add page and the change page of the first entry, for every record type."""
    definition = FORMSET.records[record]
    for name, stored in cases.items():
        base = f"/cases/{stored.id}/records/{record}"
        listing = client.page(base)
        assert listing.h1 == f"{definition.title}: all recorded"
        added = client.page(f"{base}/new")
        assert added.h1 == f"Add {definition.title.lower()}"
        entries = RAW[name].get(definition.key, [])
        if entries:
            first = entries[0]["id"]
            assert listing.all("a", href=f"{base}/{first}")
            changed = client.page(f"{base}/{first}")
            assert changed.h1 == f"Change {definition.title.lower()}"
            # the page carries the fingerprint of the record it shows (conflicts are per record)
            assert changed.value("answers") == fingerprint(stored.raw[definition.key][0])
            assert added.value("once") and added.value("answers") is None
            client.page(f"{base}/{first}/remove")


def test_remove_person_page_names_the_person(
    client: QualityClient, cases: dict[str, StoredCase]
) -> None:
    stored = cases["step-up"]
    page = client.page(f"/cases/{stored.id}/records/person/noah/remove")
    assert page.h1 == "Remove Noah Kerr?"


@pytest.mark.parametrize(("name", "doc_id", "section_id"), SECTIONS)
def test_section_page(
    client: QualityClient, cases: dict[str, StoredCase], name: str, doc_id: str, section_id: str
) -> None:
    stored = cases[name]
    form = FORMSET.form(_raw_doc(name, doc_id)["form"])
    ids = [s.id for s in form.sections]
    page = client.page(f"/cases/{stored.id}/documents/{doc_id}/sections/{section_id}")
    section = form.section(section_id)
    # a long section is asked a page at a time: its first page's title is the heading
    assert page.h1 == (section.pages[0].title if section.pages else section.title)
    assert f"part {ids.index(section_id) + 1} of {len(ids)}" in page.text
    # the page carries the fingerprint of the section it shows (conflicts are per section)
    saved = next(d for d in stored.raw["documents"] if d["id"] == doc_id)
    assert page.value("answers") == fingerprint(saved["data"].get(section_id, {}))
    assert page.all("button", name="action", value="continue")
    assert page.all("button", name="action", value="later")


@pytest.mark.parametrize(("name", "doc_id"), DOCUMENTS)
def test_check_page(
    client: QualityClient, cases: dict[str, StoredCase], name: str, doc_id: str
) -> None:
    stored = cases[name]
    form = FORMSET.form(_raw_doc(name, doc_id)["form"])
    base = f"/cases/{stored.id}/documents/{doc_id}"
    page = client.page(f"{base}/check")
    # a completed document shows its answers, each section with a Change link, and no button
    assert page.h1 == "Your answers"
    assert not page.main_forms()
    for section in form.sections:
        assert page.all("a", href=f"{base}/sections/{section.id}?next=check"), section.id


def test_resume_goes_to_the_check_page_of_a_completed_document(
    client: QualityClient, cases: dict[str, StoredCase]
) -> None:
    stored = cases["step-up"]
    response = client.get(f"/cases/{stored.id}/documents/n1/continue")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/cases/{stored.id}/documents/n1/check")


def test_section_page_shows_saved_answers(
    client: QualityClient, cases: dict[str, StoredCase]
) -> None:
    stored = cases["step-up"]
    referrer = next(d for d in RAW["step-up"]["documents"] if d["id"] == "n1")["data"]["referrer"]
    page = client.page(f"/cases/{stored.id}/documents/n1/sections/referrer")
    assert page.value("referrer-name") == referrer["name"]
    year, month, day = referrer["date"].split("-")
    assert page.value("referrer-date-day") == day.lstrip("0")
    assert page.value("referrer-date-month") == month.lstrip("0")
    assert page.value("referrer-date-year") == year


def test_pages_carry_the_protective_marking(
    client: QualityClient, cases: dict[str, StoredCase]
) -> None:
    page = client.page(f"/cases/{cases['step-up'].id}")
    marking = FORMSET.profile.marking
    if marking:
        assert marking in page.text


# -- downloads ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "mimetype", "magic"),
    [
        ("documents/n1/professional.pdf", "application/pdf", b"%PDF-"),
        ("documents/n1/family.docx", DOCX, b"PK\x03\x04"),
    ],
    ids=["document-pdf", "document-docx"],
)
def test_document_download(
    client: QualityClient, cases: dict[str, StoredCase], path: str, mimetype: str, magic: bytes
) -> None:
    stored = cases["step-up"]
    response = client.get(f"/cases/{stored.id}/{path}")
    assert_download(response, mimetype, magic, stored.reference, people_names(RAW["step-up"]))


@pytest.mark.parametrize(
    ("path", "mimetype", "magic"),
    [
        ("pack/family.pdf", "application/pdf", b"%PDF-"),
        ("pack/professional.docx", DOCX, b"PK\x03\x04"),
    ],
    ids=["pack-pdf", "pack-docx"],
)
def test_pack_download(make_app: Any, path: str, mimetype: str, magic: bytes) -> None:
    """A pack renders every document: a small case keeps this quick."""
    app = make_app("sqlite")
    raw = make_case()
    stored = get_storage(app).cases.create(raw)
    response = hub_client(app).get(f"/cases/{stored.id}/{path}")
    assert_download(response, mimetype, magic, stored.reference, people_names(raw))


def assert_download(
    response: Any, mimetype: str, magic: bytes, reference: str, names: set[str]
) -> None:
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data.startswith(magic)
    disposition = response.headers["Content-Disposition"]
    match = re.fullmatch(r"attachment; filename=([A-Za-z0-9._-]+)", disposition)
    assert match, disposition
    filename = match.group(1)
    assert filename.startswith(reference + "_")
    assert filename.endswith("." + ("pdf" if mimetype == "application/pdf" else "docx"))
    for name in names:
        assert name.lower() not in filename.lower(), (name, filename)
    assert response.headers["Cache-Control"] == "no-store"


# -- the page checks themselves -----------------------------------------------------------------

GOOD = """<!DOCTYPE html>
<html lang="en-GB"><head><title>A page</title></head><body>
<h1>A page</h1>
<a href="#name">Enter a name</a>
<label for="name">Name</label><input id="name" name="name" aria-describedby="name-hint">
<p id="name-hint">As on their passport</p>
<fieldset><legend>Date</legend><input id="day" name="day"></fieldset>
<input type="checkbox" id="ok" name="ok"><label for="ok">OK</label>
<input type="hidden" name="csrf_token" value="t">
</body></html>"""


def test_the_page_checks_pass_a_good_page() -> None:
    assert Page(Response(GOOD)).problems() == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("<title>A page</title>", "<title></title>", "no <title>"),
        ('lang="en-GB"', 'lang="en"', 'lang="en"'),
        ('<p id="name-hint">', '<p id="name">', 'id="name" is used 2 times'),
        ("<h1>A page</h1>", "<h1>A</h1><h1>B</h1>", "2 <h1>"),
        ("<h1>A page</h1>", "", "0 <h1>"),
        ('<label for="name">Name</label>', "", '<input name="name"> has no label'),
        ("<legend>Date</legend>", "", '<input name="day"> has no label'),
        ('<label for="ok">OK</label>', "", 'checkbox "ok" has no <label for>'),
        ('aria-describedby="name-hint"', 'aria-describedby="nope"', 'aria-describedby="nope"'),
        ('href="#name"', 'href="#nowhere"', 'link to "#nowhere"'),
        ("</body>", "<p>Traceback (most recent call last):</p></body>", "traceback"),
    ],
)
def test_the_page_checks_find_problems(old: str, new: str, problem: str) -> None:
    assert old in GOOD
    problems = Page(Response(GOOD.replace(old, new))).problems()
    assert any(problem in p for p in problems), problems


def test_the_page_checks_refuse_html_that_does_not_parse() -> None:
    with pytest.raises(AssertionError, match="not well-formed HTML"):
        Page(Response(GOOD.replace("</h1>", "</h2>")))


def test_overview_shows_family_warnings_without_blocking(client: QualityClient, app: Flask) -> None:
    """Identical twins recorded with different genders: the overview asks to check, naming them."""
    raw = make_case()
    raw["people"] += [
        {"id": "t1", "given_name": "Nia", "family_name": "Adeyemi", "category": "child",
         "date_of_birth": "2018-04-02", "gender": "female"},
        {"id": "t2", "given_name": "Tayo", "family_name": "Adeyemi", "category": "child",
         "date_of_birth": "2018-04-02", "gender": "male"},
    ]  # fmt: skip
    raw["relationships"].append(
        {"id": "r7", "kind": "twins", "person_a": "t1", "person_b": "t2", "identical": "yes"}
    )
    stored = get_storage(app).cases.create(raw)
    page = client.page(f"/cases/{stored.id}")
    banner = page.all("div", "govuk-notification-banner")
    assert len(banner) == 1
    text = " ".join(" ".join(banner[0].itertext()).split())
    assert "Please check the family's details" in text
    assert "Nia Adeyemi and Tayo Adeyemi are recorded as identical twins" in text
    assert page.all("a", href=f"/cases/{stored.id}/records/relationship")

"""Every repeating group of every form, through its page as a person uses it: add a row, save
it empty, fill it in, save, and read it back from the page and from the database.

Generated from the form definitions, so a group added to a YAML file is tested without a line
of test code. The section-page tests only ever *opened* pages of the example cases, whose rows
are all filled in: nobody saved a new, empty row, which is how "Add a family update" on the
TAF review's Updates page came to fail with a server error (a row question named `update`,
read from an empty row by marshmallow 4, gave `dict.update`, which reached json.dumps).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from ehdocs.case.new import add_document
from ehdocs.fields import field_type
from ehdocs.schema import load_formset
from ehdocs.schema.model import FieldDef, FormDefinition, SectionDef
from ehdocs.storage import get_storage
from ehdocs.web.pages import html_name
from tests.factories import make_case, make_professional
from tests.web.accounts import hub_client
from tests.web.conftest import AppBuilder, Page, QualityClient

FORMSET = load_formset()
GROUPS = [
    pytest.param(form, section, group, id=f"{form.form}-{section.id}-{group.id}")
    for form in FORMSET.forms.values()
    for section in form.sections
    for group in section.fields
    if group.fields
]
TYPED_TEXT = "Typed into the new row – Zoë’s words"
FORMATTED = {
    "email": "ann.bee@school.example",
    "phone": "01632 960 001",
    "postcode": "AA3 1AB",
    "nhs_number": "943 476 5919",
}
REFERENCES = itertools.count(1)  # each test's case has a reference of its own


@pytest.fixture(scope="module")
def app(app_builder: AppBuilder) -> Iterator[Flask]:
    app = app_builder.build("sqlite")
    yield app
    app_builder.close(app)


def test_every_group_of_every_form_is_tested() -> None:
    assert len(GROUPS) >= 18


def _case_with(app: Flask, form: FormDefinition, section: SectionDef) -> tuple[int, str]:
    """A case with a draft of `form` whose `section` is not answered yet."""
    number = next(REFERENCES)
    raw = make_case(reference=f"EH-2026-{number:04d}", professionals=[make_professional()])
    if form.form == "notification":
        doc = raw["documents"][0]
        doc["status"] = "draft"
    else:
        doc = add_document(raw, form)
    doc.setdefault("data", {}).pop(section.id, None)
    return get_storage(app).cases.create(raw).id, doc["id"]


def _stored_rows(
    app: Flask, case_id: int, doc_id: str, section: SectionDef, group: FieldDef
) -> Any:
    raw = get_storage(app).cases.get(case_id).raw
    doc = next(d for d in raw["documents"] if d["id"] == doc_id)
    return (doc.get("data") or {}).get(section.id, {}).get(group.id)


def _choice(page: Page, name: str) -> str:
    """The first real option a control named `name` offers (a select's, a radio's)."""
    for element in page.root.iter():
        if element.get("name") != name:
            continue
        if element.tag == "select":
            values = [o.get("value") for o in element.iter("option") if o.get("value")]
            assert values, f"{name} offers nothing to choose"
            return str(values[0])
        if element.tag == "input" and element.get("type") in ("radio", "checkbox"):
            return str(element.get("value"))
    raise AssertionError(f"no control named {name}")


def _fill(page: Page, fdef: FieldDef, name: str) -> dict[str, str]:
    """What a person types or picks for one question of the row, as the browser sends it."""
    macro = field_type(fdef.type).web_macro(fdef)
    if macro in ("govukDateInput", "ehdocsPartialDate"):
        return {f"{name}-day": "3", f"{name}-month": "3", f"{name}-year": "2025"}
    if macro in ("govukRadios", "govukCheckboxes", "govukSelect"):
        return {name: _choice(page, name)}
    if fdef.type == "number":
        return {name: str(fdef.param("min", 1) or 1)}
    fmt = fdef.param("format")
    return {name: FORMATTED[fmt] if fmt else TYPED_TEXT}


def assert_enter_saves(page: Page) -> None:
    """Enter in a box presses the form's first submit button: it must be the main action,
    hidden from sight and from screen readers, never a row's "Remove"."""
    first = next(page.form().iter("button"))
    assert (first.get("name"), first.get("value")) == ("action", "continue")
    assert first.get("tabindex") == "-1"
    assert any(e.get("aria-hidden") == "true" for e in page.ancestors(first))


@pytest.mark.parametrize(("form", "section", "group"), GROUPS)
def test_add_save_empty_fill_save_and_read_back(
    app: Flask, form: FormDefinition, section: SectionDef, group: FieldDef
) -> None:
    case_id, doc_id = _case_with(app, form, section)
    client: QualityClient = hub_client(app)
    url = f"/cases/{case_id}/documents/{doc_id}/sections/{section.id}"
    name = html_name(f"{section.id}.{group.id}")
    item = str(group.param("item_name", "entry"))

    # add a row
    page = client.page(url)
    assert page.all("button", name="action", value=f"add:{name}"), f"no 'Add a {item}' button"
    assert_enter_saves(page)
    response = client.submit(url, action=f"add:{name}", page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.page(url)
    assert page.value(f"{name}-rows") == "1"
    assert f"{item[:1].upper()}{item[1:]} 1" in page.text

    # save it empty: nothing lost, no server error, the row is still there
    response = client.submit(url, action="later", page=page)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    page = client.page(url)
    assert page.value(f"{name}-rows") == "1"

    # fill every question of the row, save, and read it back
    typed: dict[str, str] = {}
    for fdef in group.fields:
        typed |= _fill(page, fdef, html_name(f"{section.id}.{group.id}[0].{fdef.id}"))
    response = client.submit(url, typed, action="later", page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.page(url)
    for control, value in typed.items():
        assert page.value(control) == value, control
    rows = _stored_rows(app, case_id, doc_id, section, group)
    assert isinstance(rows, list) and len(rows) == 1
    assert set(rows[0]) == {f.id for f in group.fields}, rows[0]
    for fdef in group.fields:
        if fdef.type in ("text", "long_text") and not fdef.param("format"):
            assert rows[0][fdef.id] == TYPED_TEXT

"""GOV.UK patterns done right (issue 11): no raw placeholders in any text, the hub's section is
the hub's alone, and "Yes" to significant harm stops the notification."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from pypdf import PdfReader

from ehdocs.schema import load_formset
from ehdocs.schema.loader import default_schema_dir
from ehdocs.storage import get_storage
from tests.web.accounts import hub_client

if TYPE_CHECKING:
    from tests.web.conftest import AppBuilder

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROFILES = sorted(p.name for p in (default_schema_dir() / "profiles").iterdir() if p.is_dir())
BASE = json.loads((EXAMPLES / "blended-family.json").read_text("utf-8"))


def blank_documents_case(profile: str) -> dict[str, Any]:
    """The example family with one draft of every document the profile defines."""
    raw = json.loads(json.dumps(BASE))
    raw["profile"] = profile
    forms = load_formset(profile).forms_in_order()
    raw["documents"] = [
        {"id": f"d{i}", "form": f.form, "form_version": f.version, "status": "draft", "data": {}}
        for i, f in enumerate(forms, 1)
    ]
    return raw


RAW_PLACEHOLDER = re.compile(r"\{(contact|profile)\.\w+\}|\{\w+\.\w+\}")


@pytest.fixture(scope="module", params=PROFILES)
def profile_app(request: pytest.FixtureRequest, app_builder: AppBuilder) -> Iterator[Flask]:
    app = app_builder.build("sqlite", PROFILE=request.param)
    yield app
    app_builder.close(app)


def test_no_section_page_shows_a_raw_placeholder_for_any_profile(profile_app: Flask) -> None:
    formset = load_formset(profile_app.config["PROFILE"])
    client = hub_client(profile_app)
    raw = blank_documents_case(profile_app.config["PROFILE"])
    stored = get_storage(profile_app).cases.create(raw)
    closure_url, seen = "", 0
    for doc in raw["documents"]:
        for section in formset.form(doc["form"]).sections:
            url = f"/cases/{stored.id}/documents/{doc['id']}/sections/{section.id}"
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert not RAW_PLACEHOLDER.search(html), (url, RAW_PLACEHOLDER.search(html))
            seen += 1
            if section.id == "continuing_support":
                closure_url = url
    assert seen >= sum(len(f.sections) for f in formset.forms.values()) and closure_url
    # The filled values are the council's own: the closure's hint gives the hub's number.
    html = client.get(closure_url).get_data(as_text=True)
    assert formset.profile.contact["hub_phone"] in html


def test_no_blank_form_pdf_shows_a_raw_placeholder_for_any_profile(profile_app: Flask) -> None:
    formset = load_formset(profile_app.config["PROFILE"])
    client = hub_client(profile_app)
    for form in formset.forms_in_order():
        response = client.get(f"/forms/{form.form}.pdf")
        assert response.status_code == 200, form.form
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
        assert "{" not in text, (form.form, text[text.index("{") - 80 : text.index("{") + 80])
    safety = "\n".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(client.get("/forms/notification.pdf").data)).pages
    )
    assert formset.profile.contact["social_care_phone"] in safety


def test_only_a_hub_adviser_may_edit_the_hub_section() -> None:
    from ehdocs.access import policy, roles
    from ehdocs.access.sessions import Principal

    hub = load_formset().hub_section()
    assert hub is not None
    case = policy.CaseFacts(1, 7, 5, {}, frozenset(), {})
    worker = Principal(5, "worker@council.example", "W", roles.PRACTITIONER, frozenset({7}))
    edit = policy.DOCUMENT_EDIT
    assert policy.decide(worker, edit, case, section=hub[1]).outcome is policy.Outcome.FORBIDDEN
    other = hub[0].sections[0]
    assert policy.decide(worker, edit, case, section=other).outcome is policy.Outcome.ALLOW

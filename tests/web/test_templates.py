"""Undefined variables fail in our templates; GOV.UK Frontend's macros may leave theirs out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from jinja2 import UndefinedError

from ehdocs.storage import get_storage
from tests.web.accounts import hub_client
from tests.web.test_pages import RAW

if TYPE_CHECKING:
    from tests.web.conftest import AppBuilder, QualityClient

BUTTON = '{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}'


@pytest.fixture(scope="module")
def app(app_builder: AppBuilder) -> Iterator[Flask]:
    app = app_builder.build("sqlite")
    yield app
    app_builder.close(app)


def render(app: Flask, source: str, **context: Any) -> str:
    with app.test_request_context():
        return app.jinja_env.from_string(source).render(**context)


@pytest.mark.parametrize(
    "source",
    ["{{ nothing }}", "{% if nothing %}x{% endif %}", "{{ values.nothing }}", "{{ x.y.z }}"],
)
def test_a_missing_variable_in_our_templates_fails(app: Flask, source: str) -> None:
    with pytest.raises(UndefinedError):
        render(app, source, values={})


def test_optional_variables_are_named_with_default_or_defined(app: Flask) -> None:
    source = "{{ nothing | default('none') }} {{ 'yes' if nothing is defined else 'no' }}"
    assert render(app, source) == "none no"


def test_govuk_macros_may_leave_their_optional_parameters_out(app: Flask) -> None:
    html = render(app, BUTTON + '{{ govukButton({"text": "Save"}) }}')
    assert 'class="govuk-button"' in html and "Save" in html


def test_a_missing_value_given_to_a_govuk_macro_fails(app: Flask) -> None:
    with pytest.raises(UndefinedError, match="'nothing' is undefined"):
        render(app, BUTTON + '{{ govukButton({"text": nothing}) }}')


def test_the_check_page_shows_a_diagram_by_its_table(app: Flask) -> None:
    stored = get_storage(app).cases.create(json.loads(json.dumps(RAW["blended-family"])))
    client: QualityClient = hub_client(app)  # the case is with the hub: a hub adviser's
    page = client.page(f"/cases/{stored.id}/documents/a1/check")
    rows = {
        " ".join("".join(key.itertext()).split()): " ".join("".join(value.itertext()).split())
        for row in page.all("div", "govuk-summary-list__row")
        for key, value in [(row.find("dt"), row.find("dd"))]
        if key is not None and value is not None
    }
    assert "Keith Marsh" in rows["Genogram"]  # the people of the genogram, in words
    # the ecomap in the parts its printed copy has, each with its links in words
    parts = [k for k in rows if k.startswith("Ecomap: the family's support network, part ")]
    assert len(parts) == 5 and all(rows[k] for k in parts)
    assert "Brook Lane Primary School" in " ".join(rows[k] for k in parts)

"""A long section asked a page at a time (#11: the assessment's need areas were 5,000-6,000 px
tall): one area per page, saved into the one section, with links to the right page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

from ehdocs.storage import get_storage
from tests.factories import make_case, make_document
from tests.web.conftest import page_of

if TYPE_CHECKING:
    from tests.web.conftest import QualityClient

SECTION = "child_development"


def _assessment_case(app: Flask) -> str:
    raw = make_case()
    raw["documents"].append(make_document("assessment", {}, doc_id="a1", status="draft"))
    case_id = get_storage(app).cases.create(raw).id
    return f"/cases/{case_id}/documents/a1"


def _saved(app: Flask, doc: str) -> dict:  # type: ignore[type-arg]
    case_id = int(doc.split("/")[2])
    stored = get_storage(app).cases.get(case_id)
    return next(d for d in stored.raw["documents"] if d["id"] == "a1")["data"].get(SECTION, {})


def test_each_area_is_a_page_and_the_answers_stay_one_section(
    client: QualityClient, app: Flask
) -> None:
    doc = _assessment_case(app)
    first = client.page(f"{doc}/sections/{SECTION}")
    assert first.h1 == "Health"
    assert "page 1 of 7" in first.text and "The child's developmental needs" in first.text
    names = {e.get("name") for e in first.all("textarea")}
    assert names == {f"{SECTION}-health_strengths", f"{SECTION}-health_needs"}

    went = client.submit(
        f"{doc}/sections/{SECTION}",
        {f"{SECTION}-health_strengths": "Growing well", f"{SECTION}-health_score": "7"},
        action="continue",
    )
    assert went.status_code == 302
    assert went.location.endswith(f"/sections/{SECTION}?page=2")
    second = client.page(went.location)
    assert second.h1 == "Education and learning"
    client.submit(
        went.location,
        {f"{SECTION}-education_learning_needs": "Late most Mondays"},
        action="continue",
    )
    assert _saved(app, doc) == {
        "health_strengths": "Growing well",
        "health_score": 7,
        "education_learning_needs": "Late most Mondays",
    }
    # the last page goes on to the next section
    last = client.submit(f"{doc}/sections/{SECTION}?page=7", {}, action="continue")
    assert last.location.endswith(f"{doc}/sections/parenting_capacity")
    # a page number out of range is the first page, not an error
    assert client.page(f"{doc}/sections/{SECTION}?page=99").h1 == "Health"


def test_a_problem_on_another_page_links_to_that_page(client: QualityClient, app: Flask) -> None:
    doc = _assessment_case(app)
    url = f"{doc}/sections/{SECTION}?page=3"
    wrong = {f"{SECTION}-emotional_behavioural_score": "11"}  # not one of the 1 to 10
    refused = page_of(client.submit(url, wrong, action="continue"))
    ((message, href),) = refused.error_summary
    assert href.startswith(f"#{SECTION}-emotional_behavioural_score")  # on this page: a plain link
    # from another page of the section, the problem links to the page that asks it
    first = client.page(f"{doc}/sections/{SECTION}")
    assert first.error_summary == [
        (message, f"{doc}/sections/{SECTION}?page=3#{SECTION}-emotional_behavioural_score")
    ]

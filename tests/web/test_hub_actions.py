"""The hub never offers an action it will then refuse (issue 11): for each state a submission
can be in, every button and every case choice the page shows is one the POST handler takes;
what it would refuse is not offered, and the page says why."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from ehdocs.case.io import read_case_file
from ehdocs.fillable import blank_form
from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseRow, Submission
from tests.factories import make_case
from tests.web.accounts import hub_client, team
from tests.web.conftest import Page, QualityClient, page_of
from tests.web.test_hub import RILEY, fill, hub_answers, ingestor, referral, upload

REFUSALS = ("already been dealt with", "already has", "There is no case", "cannot")


@pytest.fixture(scope="module")
def blank() -> bytes:
    return blank_form(load_formset(None), "notification", "pdf")[1]


@pytest.fixture
def client(make_app: Any) -> Any:
    app = make_app("sqlite")
    yield hub_client(app)
    ingestor(app).close()


def _app(client: QualityClient) -> Flask:
    app: Flask = client.application
    return app


def offered(page: Page) -> list[tuple[str, str]]:
    """(the form's action, the case chosen) for each thing the page lets the adviser do: a
    button of a form, once per case choice for the accept form."""
    out = []
    for form in page.all("form"):
        action = form.get("action") or ""
        if "/hub/submissions/" not in action:
            continue
        targets = [i.get("value") or "" for i in page.all("input", name="target")]
        if action.endswith("/accept"):
            out.extend((action, t) for t in targets)
        else:
            out.append((action, ""))
    return out


def do(client: QualityClient, url: str, action: str, target: str, other: str = "") -> Any:
    data: dict[str, str] = {}
    if action.endswith("/accept"):
        data = {"target": target, "other_reference": other, **hub_answers("advice")}
    return client.submit(url, data, form_action=action)


def assert_taken(client: QualityClient, response: Any) -> None:
    """The handler did what was asked: a redirect to a page with a success banner."""
    assert response.status_code == 302, page_of(response).text[:2000]
    after = client.page(response.headers["Location"])
    banners = " ".join(after.banners)
    assert not any(r in banners for r in REFUSALS), banners


def test_each_thing_offered_for_a_ready_submission_is_taken(
    client: QualityClient, blank: bytes
) -> None:
    store = get_storage(_app(client)).cases
    other = store.create(make_case(reference="EH-2026-0400", family_name="Other", documents=[]))
    wanted = [("accept", "new"), ("accept", "other"), ("close", "")]
    for n, (kind, target) in enumerate(wanted):
        url = upload(client, referral(blank, "Amy Smith", f"0{n + 1}/03/2015")).headers["Location"]
        choices = offered(client.page(url))
        assert [(a.rsplit("/", 1)[1], t) for a, t in choices] == [
            ("accept", "other"),
            ("accept", "new"),
            ("close", ""),
        ]
        assert_taken(client, do(client, url, f"{url}/{kind}", target, other.reference))


def test_received_refused_accepted_and_closed_offer_only_what_is_taken(
    client: QualityClient, blank: bytes
) -> None:
    app = _app(client)
    hub = ingestor(app)
    received = hub.receive_file(referral(blank, "Dee Jones"), source="file")
    url = f"/hub/submissions/{received.reference}"
    choices = offered(client.page(url))
    assert [a.rsplit("/", 1)[1] for a, _ in choices] == ["close"]
    assert_taken(client, do(client, url, *choices[0]))
    assert offered(client.page(url)) == []  # closed: nothing more to do

    refused = upload(client, b"Dear hub, please help.", name="letter.pdf").headers["Location"]
    choices = offered(client.page(refused))
    assert [a.rsplit("/", 1)[1] for a, _ in choices] == ["close"]

    url = upload(client, referral(blank, "Eve Jones", "05/05/2016")).headers["Location"]
    assert_taken(client, do(client, url, f"{url}/accept", "new"))
    page = client.page(url)
    assert offered(page) == []
    (link,) = [a for a in page.all("a") if a.text == "Go to the case"]
    assert client.get(link.get("href")).status_code == 200
    # Once the case is with a team the hub cannot open it: no link that ends in "not found".
    (case,) = [c for c in get_storage(app).cases.list() if c.raw.get("family_name") == "Jones"]
    with get_storage(app).sessions() as db, db.begin():
        db.get_one(CaseRow, case.id).team_id = team(app, "North locality")
    page = client.page(url)
    assert not [a for a in page.all("a") if a.text == "Go to the case"]
    assert f"Added to case {case.reference}, which is now with a team" in page.text


def test_a_case_that_already_has_the_notification_is_not_offered(
    client: QualityClient, blank: bytes
) -> None:
    store = get_storage(_app(client)).cases
    riley = store.create(read_case_file(RILEY))  # it has its notification already
    url = upload(client, referral(blank)).headers["Location"]
    page = client.page(url)
    assert not page.all("input", name="target", value=f"case-{riley.id}")
    # Named, as the notification this form may be a corrected version of (#16), not as a
    # case it could be added to.
    assert "A corrected version of the Early Help Notification of case EH-2026-0101" in page.text
    assert "already has an Early Help Notification, and a case has only one" not in page.text
    for action, target in offered(page):
        if action.endswith("/accept"):
            assert target in ("new", "other")


def test_a_case_the_adviser_cannot_see_is_neither_offered_nor_taken(
    client: QualityClient, blank: bytes
) -> None:
    app = _app(client)
    store = get_storage(app).cases
    raw = make_case(reference="EH-2026-0700", family_name="Smith")
    raw["people"][0].update(given_name="Amy", family_name="Smith", date_of_birth="2015-03-02")
    raw["documents"] = []
    hidden = store.create(raw)
    with get_storage(app).sessions() as db, db.begin():
        db.get_one(CaseRow, hidden.id).team_id = team(app, "South locality")
    version = store.get(hidden.id).version
    url = upload(client, referral(blank, "Amy Smith", "02/03/2015")).headers["Location"]
    page = client.page(url)
    assert not page.all("input", name="target", value=f"case-{hidden.id}")
    assert "EH-2026-0700" not in page.text
    for target, other in ((f"case-{hidden.id}", ""), ("other", "EH-2026-0700")):
        response = do(client, url, f"{url}/accept", target, other)
        assert response.status_code == 400
        assert "There is no case with the reference" in page_of(response).text or (
            "Select a case from the list" in page_of(response).text
        )
    assert store.get(hidden.id).version == version
    with get_storage(app).sessions() as db:
        row = db.query(Submission).filter_by(reference=url.rsplit("/", 1)[1]).one()
        assert row.status == "ready"


def test_a_form_that_is_not_a_notification_offers_only_what_is_taken(
    client: QualityClient,
) -> None:
    """A plan has no hub section: no hub decision is asked for, and a new case takes it."""
    plan = blank_form(load_formset(None), "plan", "pdf")[1]
    names = list(PdfReader(io.BytesIO(plan)).get_fields() or {})
    data = fill(plan, {n: "Fay Brown" for n in names if "child" in n or "name" in n})
    url = upload(client, data, name="plan.pdf").headers["Location"]
    page = client.page(url)
    assert not page.all("input", name="hub-decision")
    targets = [t for a, t in offered(page) if a.endswith("/accept")]
    assert sorted(targets) == ["new", "other"]
    response = client.submit(url, {"target": "new"}, form_action=f"{url}/accept")
    assert_taken(client, response)

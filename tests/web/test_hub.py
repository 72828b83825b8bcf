"""The hub's pages: the queue by decision deadline, uploads, a submission's answers, problems
and likely matches, accepting into a new or existing case with the hub's decision, closing
without a case, and the original file — on SQLite and PostgreSQL, every page checked."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from ehdocs.case.io import read_case_file
from ehdocs.fillable import blank_form
from ehdocs.fillable.fill import fill as fill_form
from ehdocs.ingest.service import Ingestor
from ehdocs.storage import get_storage
from tests.mailservers import SmtpCatcher, smtp_catcher  # noqa: F401
from tests.web.accounts import hub_client
from tests.web.conftest import QualityClient, page_of

ROOT = Path(__file__).resolve().parents[2]
RILEY = ROOT / "examples" / "single-parent.json"  # Riley Hancock, born 18/04/2017


@pytest.fixture(scope="module")
def blank() -> bytes:
    from ehdocs.schema import load_formset

    return blank_form(load_formset(None), "notification", "pdf")[1]


def fill(pdf: bytes, values: dict[str, Any]) -> bytes:
    """The form filled in (ehdocs's filler: pypdf's takes ~2 s a form with the field font; the
    engines partners use are tried in tests/fillable and tests/ingest/test_what_partners_send)."""
    return fill_form(pdf, values)


def referral(
    blank: bytes, child: str = "Riley Hancok", born: str = "18/04/2017", dated: str = "19/11/2026"
) -> bytes:
    return fill(
        blank,
        {
            "safety__significant_harm": "no",
            "consent__obtained": "yes",
            "referrer__name": "Sam Visitor",
            "referrer__date": dated,
            "children__children__0__child": child,
            "children__children__0__child__date_of_birth": born,
            "reason__concern": "Tired and often late",
        },
    )


def upload(client: QualityClient, data: bytes, name: str = "form.pdf", sender: str = "") -> Any:
    page = client.page("/hub/upload")
    return client.post(
        "/hub/upload",
        data={
            "csrf_token": page.csrf_token,
            "sender": sender,
            "files": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def hub_answers(decision: str) -> dict[str, str]:
    """The hub section's answers for accepting a submission with this decision."""
    return {
        "hub-checks_made": "Known to the school nurse",
        "hub-known_to_social_care": "no",
        "hub-decision": decision,
        "hub-decision_date-day": "20",
        "hub-decision_date-month": "11",
        "hub-decision_date-year": "2026",
    }


def ingestor(app: Flask) -> Ingestor:
    found: Ingestor = app.extensions["ehdocs.ingestor"]
    return found


@pytest.fixture(autouse=True)
def _stop_parsers(app: Flask) -> Any:
    yield
    ingestor(app).close()


def test_the_queue_is_ordered_by_the_decision_deadline(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    hub = ingestor(app)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # Undated forms: each is counted from the day it arrived (a date of request would count).
    late = hub.receive_file(
        referral(blank, "Late Child", dated=""),
        source="file",
        received_at=now - dt.timedelta(days=6),
    )
    fresh = hub.receive_file(
        referral(blank, "Fresh Child", dated=""), source="file", received_at=now
    )
    middle = hub.receive_file(
        referral(blank, "Middle Child", dated=""),
        source="file",
        received_at=now - dt.timedelta(days=1),
    )
    hub.process_pending()
    page = client.page("/hub/")
    references = [a.text for a in page.all("a", "govuk-link") if (a.text or "").startswith("HUB-")]
    assert references == [late.reference, middle.reference, fresh.reference]
    rows = page.all("tr", "govuk-table__row")
    overdue = [r for r in rows if "Overdue" in "".join(r.itertext())]
    assert len(overdue) == 1 and late.reference in "".join(overdue[0].itertext())
    assert "answers to fix" in page.text


def test_upload_shows_answers_problems_and_the_likely_match(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    store = get_storage(app).cases
    riley = store.create(read_case_file(RILEY))
    response = upload(client, referral(blank), name="Riley Hancock referral.pdf")
    assert response.status_code == 302
    page = client.page(response.headers["Location"])
    assert page.h1 == "Early Help Notification"
    text = page.text
    assert "Riley Hancok" in text and "18 April 2017" in text  # a date, as dates are shown
    assert "18/04/2017" not in text and "19/11/2026" not in text
    assert "Tired and often late" in text
    assert "Answers missing or to correct" in text
    assert "About you: Your phone number: Enter your phone number" in text
    # Riley Hancock, same date of birth, a similar name: not offered to add to, as the case
    # has its notification already (accepting would be refused: see test_hub_actions), but
    # offered as a corrected version of that notification (#16), with why.
    assert not page.all("input", name="target", value=f"case-{riley.id}")
    assert "A corrected version of the Early Help Notification of case EH-2026-0101" in text
    assert "has the same date of birth as Riley Hancok and a similar name" in text
    # The original, under a name without personal data.
    link = [a for a in page.all("a") if "original" in (a.get("href") or "")][0]
    original = client.get(link.get("href"))
    assert original.headers["Content-Disposition"].startswith('attachment; filename="hub-')
    assert "Riley" not in original.headers["Content-Disposition"]
    assert original.data.startswith(b"%PDF")


def test_no_match_for_a_different_date_of_birth(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    get_storage(app).cases.create(read_case_file(RILEY))
    response = upload(client, referral(blank, born="19/04/2017"))
    page = client.page(response.headers["Location"])
    assert "Add to case EH-2026-0101" not in page.text
    assert page.value("target") == "new"


def test_accept_into_a_new_case_records_the_hub_decision(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    response = upload(client, referral(blank, "Amy Smith", "02/03/2015"), sender="sam@nhs.example")
    url = response.headers["Location"]
    reference = url.rsplit("/", 1)[1]
    # Without the decision: the hub section's questions are asked again, nothing is stored.
    refused = client.submit(url, {"target": "new"}, form_action=f"{url}/accept")
    assert refused.status_code == 400
    errors = [text for text, _ in page_of(refused).error_summary]
    assert "Select the hub decision" in " ".join(errors) or any("decision" in e for e in errors)
    assert get_storage(app).cases.list() == []

    accepted = client.submit(
        url,
        {
            "target": "new",
            "hub-checks_made": "Case system: nothing known",
            "hub-known_to_social_care": "no",
            "hub-decision": "signpost",
            "hub-decision_date-day": "20",
            "hub-decision_date-month": "11",
            "hub-decision_date-year": "2026",
        },
        form_action=f"{url}/accept",
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    (case,) = get_storage(app).cases.list()
    (doc,) = case.raw["documents"]
    assert doc["data"]["hub"]["decision"] == "signpost"
    assert [p["given_name"] for p in case.raw["people"]] == ["Amy"]
    assert case.raw["people"][0]["date_of_birth"] == "2015-03-02"
    overview = client.page(accepted.headers["Location"])
    assert f"{reference} added to case {case.reference}" in " ".join(overview.banners)
    # Handled: out of the queue, in the handled list, the kept file deleted.
    assert reference not in client.page("/hub/").text
    handled = client.page("/hub/?show=handled")
    assert reference in handled.text and "Accepted" in handled.text
    assert client.get(f"/hub/submissions/{reference}/original").status_code == 404


def test_attach_to_an_existing_case_by_reference(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    store = get_storage(app).cases
    family = store.create(
        {
            "format": "ehdocs-case",
            "format_version": 1,
            "profile": "default",
            "reference": "EH-2026-0500",
            "created": "2026-11-01",
            "people": [
                {
                    "id": "amy",
                    "given_name": "Amy",
                    "family_name": "Smith",
                    "category": "child",
                    "date_of_birth": "2015-03-02",
                }
            ],
        }
    )
    response = upload(client, referral(blank, "Amy Smith", "02/03/2015"))
    url = response.headers["Location"]
    page = client.page(url)
    assert page.value("target") is None  # a match is offered, nothing chosen for them
    wrong = client.submit(
        url, {"target": "other", "other_reference": "EH-1999-0001"}, form_action=f"{url}/accept"
    )
    assert wrong.status_code == 400
    assert "There is no case with the reference EH-1999-0001" in page_of(wrong).text
    accepted = client.submit(
        url,
        {
            "target": f"case-{family.id}",
            **hub_answers("advice"),
        },
        form_action=f"{url}/accept",
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    after = store.get(family.id)
    assert [p["id"] for p in after.raw["people"]] == ["amy"]  # matched, not added again
    (doc,) = after.raw["documents"]
    assert doc["data"]["children"]["children"][0]["child"] == "amy"
    assert doc["data"]["hub"]["decision"] == "advice"


def test_a_second_notification_for_a_case_is_refused_with_the_reason(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    store = get_storage(app).cases
    riley = store.create(read_case_file(RILEY))  # it has its notification already
    response = upload(client, referral(blank))
    url = response.headers["Location"]
    refused = client.submit(
        url,
        {
            "target": f"case-{riley.id}",
            **hub_answers("advice"),
        },
        form_action=f"{url}/accept",
    )
    assert refused.status_code == 400
    assert (
        "Case EH-2026-0101 already has an Early Help Notification, and a case has only one"
        in page_of(refused).text
    )
    assert store.get(riley.id).version == riley.version


def test_a_file_that_is_not_a_form_is_shown_with_the_reason(client: QualityClient) -> None:
    response = upload(client, b"Dear hub, please help.", name="letter.pdf")
    page = client.page(response.headers["Location"])
    assert "Could not be read" in page.text
    assert "This file is not a PDF or a Word document" in page.text
    assert not page.all("input", name="target")  # nothing to accept
    closed = client.submit(
        response.headers["Location"], form_action=page.all("form")[-1].get("action")
    )
    assert closed.status_code == 302
    assert "closed without a case" in " ".join(client.page("/hub/").banners)
    assert client.page("/hub/").text.count("HUB-") == 0


def test_upload_without_a_file_says_what_to_do(client: QualityClient) -> None:
    page = client.page("/hub/upload")
    response = client.post(
        "/hub/upload",
        data={"csrf_token": page.csrf_token, "sender": "not an address"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    errors = dict(page_of(response).error_summary)
    assert errors["Select the filled-in form to upload (a PDF or Word file)"] == "#files"
    assert (
        errors["Enter an email address in the correct format, like name@example.com"] == "#sender"
    )


def test_a_required_if_hub_question_left_blank_is_shown_and_nothing_is_saved(
    client: QualityClient, app: Flask, blank: bytes
) -> None:
    """Issue #10's first bug: "locality level 2" needs the team allocated (required_if). The
    page used to come back with no error summary and nothing saved, because the hub named the
    document differently from validation and re-implemented "required"."""
    response = upload(client, referral(blank, "Amy Smith", "02/03/2015"), sender="sam@nhs.example")
    url = response.headers["Location"]
    answers = {"target": "new", **hub_answers("locality_level_2")}
    refused = client.submit(url, answers, form_action=f"{url}/accept")
    assert refused.status_code == 400
    summary = page_of(refused).error_summary
    assert [href for _, href in summary] == ["#hub-team_allocated"], summary
    assert "team allocated" in summary[0][0].lower()
    assert get_storage(app).cases.list() == []
    # The same problem with a bad case choice too: both reported at once.
    both = client.submit(url, {**answers, "target": "other"}, form_action=f"{url}/accept")
    hrefs = [href for _, href in page_of(both).error_summary]
    assert "#other_reference" in hrefs and "#hub-team_allocated" in hrefs, hrefs

    accepted = client.submit(
        url, {**answers, "hub-team_allocated": "North locality"}, form_action=f"{url}/accept"
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)
    (case,) = get_storage(app).cases.list()
    assert case.raw["documents"][0]["data"]["hub"]["team_allocated"] == "North locality"


@pytest.mark.mailserver
def test_the_reply_to_an_upload_goes_to_the_signed_in_uploader_never_the_typed_address(
    make_app: Any,
    blank: bytes,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    """#11: a typed "sender" made the hub write to anyone; now the receipt goes to the
    signed-in account, the typed address is only shown, and the reply does not say e-mail."""
    app = make_app("sqlite", SMTP_URL=smtp_catcher.url, MAIL_FROM="earlyhelp@council.example")
    client = hub_client(app)
    response = upload(
        client, b"Dear hub, please help.", name="letter.pdf", sender="anyone@else.example"
    )
    (reply,) = smtp_catcher.wait_for(1)
    assert reply.rcpt_tos[0].startswith("hub-") and reply.rcpt_tos[0].endswith("@council.example")
    assert "anyone@else.example" not in reply.data.decode()
    text = reply.message.get_content()
    assert "e-mail, but" not in text and "the file you uploaded" in text
    assert "upload it again" in text
    page = client.page(response.headers["Location"])
    assert "anyone@else.example" in page.text  # shown as who it is said to be from
    assert f"Sent to {reply.rcpt_tos[0]}: the signed-in account that uploaded it" in page.text
    ingestor(app).close()


def test_the_upload_hint_states_the_real_limit(make_app: Any) -> None:
    app = make_app("sqlite", MAX_CONTENT_LENGTH=8 * 1024 * 1024)
    page = hub_client(app).page("/hub/upload")
    assert "up to 8 MB in all" in page.text
    assert "10 MB" not in page.text
    assert "We will tell them" not in page.text
    ingestor(app).close()

"""Partners without an account: a link by e-mail (through a real SMTP server on loopback),
signing in with it once, the limits on asking, filling in the notification on the schema's
pages and sending it into the hub's queue as a verified sender, and what they can see after."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select, update

from ehdocs.ingest.reply import LINK_SUBJECT
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, PartnerDraft, PartnerLink, Submission
from tests.mailservers import SmtpCatcher, smtp_catcher  # noqa: F401
from tests.web.accounts import hub_client
from tests.web.conftest import DATABASES, QualityClient, page_of

SCHOOL = "teacher@school.sch.uk"
LINK = re.compile(r"http://localhost/partner/sign-in/([A-Za-z0-9_-]+)")
TODAY = dt.date.today()


@pytest.fixture
def client(anonymous: QualityClient) -> QualityClient:
    """Nobody signed in: these tests sign in (or ask for a link) themselves."""
    return anonymous


@pytest.fixture(params=DATABASES)
def partner_app(
    request: pytest.FixtureRequest,
    make_app: Callable[..., Flask],
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> Iterator[Flask]:
    yield make_app(
        request.param,
        SMTP_URL=smtp_catcher.url,
        MAIL_FROM="earlyhelp@council.example",
        PARTNER_LINKS_PER_IP=5,
    )


@pytest.fixture
def partner(partner_app: Flask) -> QualityClient:
    client = partner_app.test_client()
    assert isinstance(client, QualityClient)
    return client


def ask(client: QualityClient, email: str, ip: str = "127.0.0.1") -> tuple[int, str]:
    page = client.page("/partner/")
    response = client.post(
        "/partner/",
        data={"csrf_token": page.csrf_token, "email": email},
        environ_base={"REMOTE_ADDR": ip},
    )
    return response.status_code, page_of(response).text


def link_from(catcher: SmtpCatcher, n: int = 1) -> str:
    message = catcher.wait_for(n)[n - 1].message
    body = message.get_content()
    found = LINK.search(body)
    assert found, body
    return found.group(1)


def links(app: Flask) -> list[PartnerLink]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(PartnerLink).order_by(PartnerLink.id)))


def sign_in(client: QualityClient, token: str) -> int:
    page = client.page(f"/partner/sign-in/{token}")
    response = client.post(f"/partner/sign-in/{token}", data={"csrf_token": page.csrf_token})
    return response.status_code


def test_an_address_on_a_domain_not_allowed_is_refused(
    partner: QualityClient,
    partner_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    for address in ("someone@gmail.com", "head@sch.uk", "x@nhs.net.evil.com"):
        status, text = ask(partner, address)
        assert status == 400
        assert "Use your work e-mail address, for example name@nhs.net or name@school.sch.uk" in (
            text
        )
    assert links(partner_app) == []
    assert smtp_catcher.messages == []


def test_a_link_arrives_by_email_and_signs_in_once(
    partner: QualityClient,
    partner_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    status, text = ask(partner, "  Teacher@School.sch.uk ")
    assert status == 200 and "Check your e-mail" in text
    (caught,) = smtp_catcher.wait_for(1)
    assert caught.rcpt_tos == [SCHOOL]
    assert caught.message["Subject"] == LINK_SUBJECT
    token = link_from(smtp_catcher)
    (row,) = links(partner_app)
    assert row.email == SCHOOL
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps([row.token_hash, row.email, row.requested_from])
    assert row.expires_at - row.created_at == dt.timedelta(hours=1)

    # Opening the link (as a mail scanner would) does not use it: only the button does.
    page = partner.page(f"/partner/sign-in/{token}")
    assert "Continue" in page.text
    assert links(partner_app)[0].used_at is None
    response = partner.post(f"/partner/sign-in/{token}", data={"csrf_token": page.csrf_token})
    assert response.status_code == 302 and response.location.endswith("/partner/notification")
    assert links(partner_app)[0].used_at is not None
    assert partner.get("/partner/notification").status_code == 302  # to the first section

    again = partner_app.test_client()
    assert isinstance(again, QualityClient)
    refused = again.page(f"/partner/sign-in/{token}", status=410)
    assert "This link has already been used" in refused.text
    assert refused.all("a", href="/partner/")  # a way to ask for a new one
    # A POST without the page's CSRF token is refused before anything else.
    assert again.post(f"/partner/sign-in/{token}").status_code == 400


def test_an_expired_or_made_up_link_says_which(
    partner: QualityClient,
    partner_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    ask(partner, SCHOOL)
    token = link_from(smtp_catcher)
    with get_storage(partner_app).sessions() as db, db.begin():
        db.execute(update(PartnerLink).values(expires_at=dt.datetime(2020, 1, 1)))
    page = partner.page(f"/partner/sign-in/{token}", status=410)
    assert "This link has expired: ask for a new one" in page.text
    page = partner.page("/partner/sign-in/not-a-real-token", status=404)
    assert "This link is not valid" in page.text
    assert partner.get("/partner/sent").status_code == 302  # not signed in


def test_links_are_limited_per_address_and_per_computer(
    partner: QualityClient,
    partner_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    for _ in range(3):
        assert ask(partner, SCHOOL)[0] == 200
    status, text = ask(partner, SCHOOL)
    assert status == 429 and "too many links" in text
    assert ask(partner, SCHOOL, ip="192.0.2.9")[0] == 429  # the address, from anywhere
    assert ask(partner, "nurse@nhs.net")[0] == 200
    assert ask(partner, "officer@police.uk")[0] == 200  # 5 from 127.0.0.1: the limit
    assert ask(partner, "clerk@council.gov.uk")[0] == 429
    assert ask(partner, "clerk@council.gov.uk", ip="192.0.2.9")[0] == 200
    assert len(smtp_catcher.wait_for(6)) == 6
    assert len(links(partner_app)) == 6
    with get_storage(partner_app).sessions() as db:
        refused = db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "partner_link_requested", AuditEntry.outcome == "refused"
            )
        ).all()
    assert len(refused) == 3


# -- filling in and sending -------------------------------------------------------------------

ANSWERS: dict[str, dict[str, str]] = {
    "safety": {"safety-significant_harm": "no", "safety-level_of_need": "2"},
    "consent": {"consent-obtained": "yes", "consent-given_by": "Jo Bloggs"},
    "referrer": {
        "referrer-name": "Pat Teacher",
        "referrer-role": "Designated safeguarding lead",
        "referrer-agency": "Hill School",
        "referrer-phone": "01632 960 001",
        "referrer-email": SCHOOL,
        "referrer-date-day": str(TODAY.day),
        "referrer-date-month": str(TODAY.month),
        "referrer-date-year": str(TODAY.year),
    },
    "children": {
        "children-children-0-child": "Riley Bloggs",
        "children-children-0-child--date-of-birth": "18/04/2017",
    },
    "parents_carers": {
        "parents_carers-parents_carers-0-person": "Jo Bloggs",
        "parents_carers-parents_carers-0-relationship": "Mum",
        "parents_carers-parents_carers-0-parental_responsibility": "yes",
        "parents_carers-parents_carers-0-lives_with_child": "yes",
    },
    "agencies": {"agencies-existing_taf": "no"},
    "reason": {
        "reason-presenting_needs": "school_attendance",
        "reason-concern": "Often late and tired",
        "reason-going_well": "Loves football",
        "reason-family_wants_to_change": "Mornings",
    },
}
GROUPS = {"children": "children-children", "parents_carers": "parents_carers-parents_carers"}


def signed_in(client: QualityClient, catcher: SmtpCatcher) -> None:
    ask(client, SCHOOL)
    assert sign_in(client, link_from(catcher, len(catcher.messages) or 1)) == 302


def fill(client: QualityClient, section: str) -> None:
    url = f"/partner/notification/{section}"
    rows = client.page(url).all("input", name=f"{GROUPS.get(section)}-rows")
    if rows and rows[0].get("value") == "0":
        response = client.submit(url, action=f"add:{GROUPS[section]}")
        assert response.status_code == 302
    response = client.submit(url, ANSWERS.get(section, {}), action="continue")
    assert response.status_code == 302, page_of(response).error_summary


def test_a_partner_fills_and_sends_a_notification_into_the_hub_queue(
    partner: QualityClient,
    partner_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    signed_in(partner, smtp_catcher)
    first = partner.page("/partner/notification/safety")
    assert "Early Help Hub" not in [h.text for h in first.all("h1")]
    assert partner.get("/partner/notification/hub").status_code == 404  # the hub's own
    # People are written by name, with a child's date of birth beside the name.
    partner.submit("/partner/notification/children", action="add:children-children")
    page = partner.page("/partner/notification/children")
    assert page.value("children-children-0-child") == ""
    assert page.value("children-children-0-child--date-of-birth") == ""

    # Sending too early is refused, with links to what is missing.
    check = partner.page("/partner/notification/check")
    response = partner.post("/partner/notification/check", data=check.form_data())
    assert response.status_code == 400
    assert any(
        href and href.startswith("/partner/notification/safety#")
        for _, href in page_of(response).error_summary
    )

    for section in ("safety", "consent", "referrer", "children", "parents_carers"):
        fill(partner, section)
    for section in ("significant_others", "household", "agencies", "reason"):
        fill(partner, section)
    with get_storage(partner_app).sessions() as db:
        (draft,) = db.scalars(select(PartnerDraft)).all()
    assert json.loads(draft.raw)["children"]["children"][0] == {
        "child": "Riley Bloggs",
        "child:date_of_birth": "18/04/2017",
    }
    check = partner.page("/partner/notification/check")
    assert "Riley Bloggs" in check.text and "Often late and tired" in check.text, check.text
    response = partner.post("/partner/notification/check", data=check.form_data())
    assert response.status_code == 302, page_of(response).error_summary
    reference = response.location.rsplit("/", 1)[1]
    confirmation = partner.page(response.location)
    assert reference in confirmation.text and "Request sent" in confirmation.text

    with get_storage(partner_app).sessions() as db:
        row = db.scalar(select(Submission).where(Submission.reference == reference))
        assert row is not None
        assert (row.source, row.sender, row.verified_sender, row.status) == (
            "partner",
            SCHOOL,
            True,
            "ready",
        )
        assert json.loads(row.problems or "[]") == []
        extracted = json.loads(row.extracted or "{}")
        draft_row = db.scalars(select(PartnerDraft)).one()
        assert draft_row.submission_id == row.id
    assert [r["text"] for r in extracted["references"]][:2] == ["Jo Bloggs", "Riley Bloggs"]
    assert "Riley Bloggs" not in json.dumps(extracted["data"])  # names are references

    # The hub sees it in its queue, from a verified sender, like any other form.
    hub = hub_client(partner_app)
    assert isinstance(hub, QualityClient)
    queue = hub.page("/hub/")
    (cell,) = [c for c in queue.all("td") if SCHOOL in "".join(c.itertext())]
    assert "Verified sender" in "".join(cell.itertext())
    submission = hub.page(f"/hub/submissions/{reference}")
    assert "Riley Bloggs" in submission.text and "Often late and tired" in submission.text
    assert "Verified sender" in submission.text

    # The partner sees its status and downloads their copy; nothing links to cases or hub.
    sent = partner.page("/partner/sent")
    assert reference in sent.text and "Received" in sent.text
    for page in (sent, confirmation, partner.page("/partner/notification/safety")):
        hrefs = [a.get("href") or "" for a in page.all("a")]
        assert not [h for h in hrefs if h.startswith(("/cases", "/hub"))], hrefs
    copy = partner.get(f"/partner/sent/{reference}/copy.pdf")
    assert copy.status_code == 200 and copy.data.startswith(b"%PDF-")
    assert "Riley" not in copy.headers["Content-Disposition"]
    with get_storage(partner_app).sessions() as db, db.begin():
        db.execute(update(Submission).values(status="accepted"))
    assert "Accepted" in partner.page("/partner/sent").text

    # The reply to the sender came through the same mail server, with the reference.
    replies = [m for m in smtp_catcher.wait_for(2) if m.message["Subject"] != LINK_SUBJECT]
    assert reference in replies[0].message.get_content()

    # Another partner cannot see it.
    other = partner_app.test_client()
    assert isinstance(other, QualityClient)
    ask(other, "nurse@nhs.net")
    assert sign_in(other, link_from(smtp_catcher, 3)) == 302
    assert reference not in other.page("/partner/sent").text
    assert other.get(f"/partner/sent/{reference}/copy.pdf").status_code == 404

    with get_storage(partner_app).sessions() as db:
        actions = [(e.action, e.actor) for e in db.scalars(select(AuditEntry))]
        details = [e.detail or "" for e in db.scalars(select(AuditEntry))]
    assert ("partner_link_requested", SCHOOL) in actions
    assert ("partner_sign_in", SCHOOL) in actions
    assert ("partner_draft_saved", SCHOOL) in actions
    assert ("partner_sent", SCHOOL) in actions
    assert not [d for d in details if "@" in d or "Riley" in d]


def test_a_partner_who_answers_yes_to_significant_harm_is_stopped_and_told_what_to_do(
    partner: QualityClient,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    signed_in(partner, smtp_catcher)
    said = partner.submit(
        "/partner/notification/safety",
        {"safety-significant_harm": "yes", "safety-level_of_need": "2"},
        action="continue",
    )
    assert said.status_code == 302 and said.location.endswith("/partner/notification/stop")
    stop = partner.page("/partner/notification/stop")
    assert stop.h1 == "Stop. Call children's social care now"
    assert "cannot be sent while this answer stands" in stop.text
    check = partner.page("/partner/notification/check")
    refused = partner.post("/partner/notification/check", data=check.form_data())
    assert refused.status_code == 400
    assert any(t.startswith("Stop. Call") for t, _ in page_of(refused).error_summary)


def test_a_partner_is_told_at_once_that_the_children_page_cannot_be_empty(
    partner: QualityClient,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    signed_in(partner, smtp_catcher)
    response = partner.submit("/partner/notification/children", {}, action="continue")
    assert response.status_code == 400
    assert [t for t, _ in page_of(response).error_summary] == ["Add at least one child"]

"""The hub decision's due date is one computation (issue 11): the queue, the submission page,
the case overview and the rows My work and the reminders read all give the same date for the
same request, counted in working days (bank holidays left out) as the profile sets."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from ehdocs.fillable import blank_form
from ehdocs.schema import load_formset
from ehdocs.storage import get_storage
from ehdocs.storage.models import CaseDueItem, Submission
from tests.web.accounts import hub_client
from tests.web.conftest import Page
from tests.web.test_hub import fill, hub_answers, ingestor


@pytest.fixture(scope="module")
def blank() -> bytes:
    return blank_form(load_formset(None), "notification", "pdf")[1]


def _cell(page: Page, row_text: str, column: int) -> str:
    for tr in page.all("tr", "govuk-table__row"):
        text = "".join(tr.itertext())
        if row_text in text:
            cells = [c for c in tr if c.tag in ("td", "th")]
            return "".join(cells[column].itertext()).strip()
    raise AssertionError(f"no row with {row_text}")


def test_queue_submission_and_case_give_the_same_hub_decision_due_date(
    make_app: Any, blank: bytes
) -> None:
    app = make_app("sqlite")
    client = hub_client(app)
    # Dated Friday 28 August 2026 by the referrer, it reached the hub on Tuesday 1 September
    # (Monday 31 August is the summer bank holiday): two working days from the date of
    # request, as the case and the performance report count them, is Wednesday 2 September.
    pdf = fill(
        blank,
        {
            "safety__significant_harm": "no",
            "consent__obtained": "yes",
            "referrer__name": "Sam Visitor",
            "referrer__date": "28/08/2026",
            "children__children__0__child": "Amy Smith",
            "children__children__0__child__date_of_birth": "02/03/2015",
            "reason__concern": "Tired and often late",
        },
    )
    hub = ingestor(app)
    receipt = hub.receive_file(pdf, source="file", received_at=dt.datetime(2026, 9, 1, 9, 30))
    hub.process([receipt.reference])
    due = "2 September 2026"

    queue = client.page("/hub/")
    assert _cell(queue, receipt.reference, 4).startswith(due), _cell(queue, receipt.reference, 4)
    url = f"/hub/submissions/{receipt.reference}"
    page = client.page(url)
    (row,) = [
        r
        for r in page.all("div", "govuk-summary-list__row")
        if "Decision due" in "".join(r.itertext())
    ]
    assert due in "".join(row.itertext())

    accepted = client.submit(
        url, {"target": "new", **hub_answers("advice")}, form_action=f"{url}/accept"
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:2000]
    overview = client.page(accepted.headers["Location"])
    assert _cell(overview, "Hub decision", 1) == due
    with get_storage(app).sessions() as db:
        kept = db.scalars(select(CaseDueItem).where(CaseDueItem.item == "hub_decided")).one()
    assert kept.due_on == dt.date(2026, 9, 2)
    hub.close()


def test_every_time_on_the_submission_page_is_uk_time_in_one_format(
    make_app: Any, blank: bytes
) -> None:
    """Received, replied and sent again: one format (4 December 2026 14:05), in UK time, as
    the queue shows them; never 01/07/2026 13:05 in UTC beside it."""
    app = make_app("sqlite")
    client = hub_client(app)
    hub = ingestor(app)
    receipt = hub.receive_file(
        fill(blank, {"referrer__name": "Sam Visitor"}),
        source="file",
        received_at=dt.datetime(2026, 7, 1, 12, 0),
    )
    with get_storage(app).sessions() as db, db.begin():
        row = db.scalars(select(Submission).where(Submission.reference == receipt.reference)).one()
        row.replied_at, row.reply_note = dt.datetime(2026, 7, 1, 13, 5), None
        row.status, row.handled_at = "dismissed", dt.datetime(2026, 7, 1, 13, 10)
        row.sent_again, row.sent_again_at = 2, dt.datetime(2026, 7, 2, 8, 45)
    page = client.page(f"/hub/submissions/{receipt.reference}")
    rows = {
        "".join(r[0].itertext()).strip(): "".join(r[1].itertext()).strip()
        for r in page.all("div", "govuk-summary-list__row")
    }
    assert rows["Received"] == "1 July 2026 13:00"
    assert rows["Reply to sender"] == "Sent 1 July 2026 14:05"
    assert rows["Sent again"].endswith(
        "2 times after this submission was handled, last on 2 July 2026 09:45"
    )
    assert not re.search(r"\d\d/\d\d/\d{4}", page.text)
    hub.close()

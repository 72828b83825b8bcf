"""axe-core on every page type, as served (the app's CSP stays on), in Debian's Chromium.

axe is evaluated in the page through the DevTools protocol (page.evaluate), which the page's
Content-Security-Policy does not govern; a <script> tag would be refused by the CSP, as it
should be. Each failure lists every violation's rule, help text and target nodes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from ehdocs.schema import load_formset, roles

from .accounts import (
    CODE_PAGE,
    DPO,
    HUB_ADVISER,
    MANAGER,
    PRACTITIONER,
    SignedIn,
    add_account,
    enter_password,
    sign_in,
)

REPORT_RANGE = "?from-day=1&from-month=1&from-year=2026&to-day=30&to-month=11&to-year=2026"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = (
    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
    ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target, html: n.html,"
    " summary: n.failureSummary}))})))"
)
EXAMPLE = "EH-2026-0103"  # the example case with one document of every form (the practitioner's)
NEW_ACCOUNT = ("axe.new@council.example", "plum-kettle-orbit-9")  # no authenticator yet


@dataclass(frozen=True)
class Urls:
    example: str  # an example case's overview: every document completed
    fresh: str  # a new case: two people, a notification in progress with no answers
    fresh_doc: str  # that notification: /cases/<id>/documents/<doc>


# GOV.UK Frontend's own JavaScript sets aria-expanded on a radio or checkbox that reveals a
# conditional question. ARIA 1.2 does not allow it there, but GOV.UK keeps it on purpose
# because screen readers announce it (alphagov/govuk-frontend#979, #1991): only that exact
# attribute, on those inputs, is tolerated; any other aria-allowed-attr failure still counts.
_REVEAL_INPUT = re.compile(
    r'^<input class="govuk-(radios|checkboxes)__input"[^>]* aria-controls="conditional-[^"]+"'
)
_ONLY_ARIA_EXPANDED = re.compile(
    r'^Fix all of the following:\s+ARIA attribute is not allowed: aria-expanded="(true|false)"$'
)


def _govuk_reveal(violation_id: str, node: dict[str, Any]) -> bool:
    return (
        violation_id == "aria-allowed-attr"
        and bool(_REVEAL_INPUT.match(node["html"]))
        and bool(_ONLY_ARIA_EXPANDED.match((node["summary"] or "").strip()))
    )


STYLED = (
    "() => [...document.styleSheets].some(s => s.href && s.href.endsWith('/ehdocs.css')"
    " && s.cssRules.length > 100)"
)


def violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    # Unstyled pages give misleading results (21 px buttons fail target-size): make sure the
    # stylesheet is there, e.g. not half-way through a rebuild by script/build-assets --force.
    assert page.evaluate(STYLED), f"ehdocs.css is not applied on {page.url}"
    page.evaluate(axe_source)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE, TAGS)
    kept = []
    for violation in found:
        nodes = [n for n in violation["nodes"] if not _govuk_reveal(violation["id"], n)]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def report(name: str, page: Page, found: list[dict[str, Any]]) -> str:
    lines = [f"{len(found)} axe violation(s) on {name} ({page.url}):"]
    for v in found:
        lines.append(f"- {v['id']} [{v['impact']}]: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    target {json.dumps(node['target'])}: {node['html'][:200]}")
            for line in (node["summary"] or "").splitlines():
                lines.append(f"      {line}")
    return "\n".join(lines)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture(scope="module")
def urls(signed_in: SignedIn, live_data_dir: Path) -> Iterator[Urls]:
    """An example case (allocated to the demo practitioner), and a new case made as a hub
    adviser makes one; an account that has not set up its authenticator yet."""
    add_account(live_data_dir, NEW_ACCOUNT[0], "Axe New", "practitioner", NEW_ACCOUNT[1])
    ctx = signed_in.context(PRACTITIONER)
    page = ctx.new_page()
    page.goto("/cases/")
    example = _path(page.get_by_role("link", name=EXAMPLE, exact=True).get_attribute("href") or "")
    ctx.close()
    ctx = signed_in.context(HUB_ADVISER)
    page = ctx.new_page()
    page.goto("/cases/")
    page.get_by_role("button", name="Create a new case").click()
    page.get_by_label("Family name (optional)").fill("Axe")
    page.get_by_role("button", name="Create case").click()
    fresh = _path(page.url)
    for given, category in (("Ada", "Child or young person"), ("Bea", "Parent or carer")):
        page.goto(f"{fresh}/records/person/new")
        page.get_by_label("First name").fill(given)
        page.get_by_role("group", name="Who is this person?").get_by_label(category).check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Person saved")
    page.goto(fresh)
    page.get_by_role("button", name="Early Help Notification").click()
    expect(page).to_have_url(re.compile(r"/sections/safety$"))
    fresh_doc = _path(page.url).rsplit("/sections/", 1)[0]
    ctx.close()
    yield Urls(example=example, fresh=fresh, fresh_doc=fresh_doc)


def _goto(path: Callable[[Urls], str]) -> Callable[[Page, Urls], None]:
    def go(page: Page, u: Urls) -> None:
        response = page.goto(path(u))
        assert response is not None

    return go


def _new_case_errors(page: Page, u: Urls) -> None:
    page.goto("/cases/new")
    page.get_by_label("Case reference").fill("")
    page.get_by_role("button", name="Create case").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _record_errors(page: Page, u: Urls) -> None:
    page.goto(f"{u.fresh}/records/person/new")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _first_record(kind: str, action: str = "Change") -> Callable[[Page, Urls], None]:
    def go(page: Page, u: Urls) -> None:
        page.goto(f"{u.example}/records/{kind}")
        page.get_by_role("link", name=re.compile(f"^{action}")).first.click()
        expect(page.locator("h1")).to_be_visible()

    return go


def _consent_revealed(page: Page, u: Urls) -> None:
    page.goto(f"{u.fresh_doc}/sections/consent")
    page.get_by_role("group", name=re.compile("given consent")).get_by_label(
        "Yes", exact=True
    ).check()
    expect(page.get_by_label("Who gave consent?")).to_be_visible()


def _children_with_a_row(page: Page, u: Urls) -> None:
    page.goto(f"{u.fresh_doc}/sections/children")
    page.get_by_role("button", name="Add a child").click()
    row = page.get_by_role("group", name="Child 1")
    row.get_by_role("group", name=re.compile("attendance")).get_by_label("Yes", exact=True).check()


def _section_errors(page: Page, u: Urls) -> None:
    page.goto(f"{u.fresh_doc}/sections/referrer")
    page.get_by_label("Your email address").fill("not an email")
    date = page.get_by_role("group", name="Date of request")
    for box, value in (("Day", "31"), ("Month", "2"), ("Year", "2025")):
        date.get_by_label(box, exact=True).fill(value)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _harm_stop(page: Page, u: Urls) -> None:
    # last in the list: it leaves the new case's notification answering yes
    page.goto(f"{u.fresh_doc}/sections/safety")
    question = "Do you think any child in this family is at risk of significant harm?"
    page.get_by_role("group", name=question).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stop. Call children's social care now"
    )


def _check_errors(page: Page, u: Urls) -> None:
    page.goto(f"{u.fresh_doc}/check")
    page.get_by_role("button", name="Complete Early Help Notification").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _not_found(page: Page, u: Urls) -> None:
    response = page.goto("/cases/999999")
    assert response is not None and response.status == 404


def _filled_referral(page: Page) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    blank = page.request.get("/forms/notification.pdf").body()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(blank)))
    values = {
        "referrer__name": "Sam Visitor",
        "children__children__0__child": "Riley Hancok",
        "children__children__0__child__date_of_birth": "18/04/2017",
        "reason__concern": "Tired and often late",
    }
    for one in writer.pages:
        writer.update_page_form_field_values(one, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _hub_submission(page: Page, u: Urls) -> None:
    data = _filled_referral(page)
    page.goto("/hub/upload")
    page.get_by_label("Filled-in forms").set_input_files(
        files=[{"name": "referral.pdf", "mimeType": "application/pdf", "buffer": data}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("h1")).to_have_text("Early Help Notification")


def _hub_accept_errors(page: Page, u: Urls) -> None:
    _hub_submission(page, u)
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _hub_upload_errors(page: Page, u: Urls) -> None:
    page.goto("/hub/upload")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _audit_search(page: Page, u: Urls) -> None:
    page.request.get("/audit/entries.csv")  # an export is audited: the trail has an entry
    page.goto("/audit/")
    expect(page.locator("table.govuk-table").first).to_be_visible()


def _audit_search_errors(page: Page, u: Urls) -> None:
    page.goto("/audit/")
    page.get_by_role("group", name="Start date").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Start date").get_by_label("Month").fill("2")
    page.get_by_role("group", name="Start date").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _sign_in_errors(page: Page, u: Urls) -> None:
    page.goto("/sign-in")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _code(page: Page, u: Urls) -> None:
    enter_password(page, "dpo@demo.example")


def _code_errors(page: Page, u: Urls) -> None:
    enter_password(page, "dpo@demo.example")
    page.get_by_label(CODE_PAGE).fill("12345")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _set_up_code(page: Page, u: Urls) -> None:
    enter_password(page, *NEW_ACCOUNT)
    page.get_by_text("I cannot scan the QR code").click()  # the key shown too


def _signed_in(page: Page, u: Urls) -> None:
    sign_in(page, MANAGER)  # the header with a name and "Sign out"


def _restriction_errors(page: Page, u: Urls) -> None:
    page.goto("/rights/restrictions")
    page.get_by_role("button", name="Restrict the case").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _correction_errors(page: Page, u: Urls) -> None:
    page.goto(f"{u.example}/people/noah/correct")
    page.get_by_role("button", name="Check the correction").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _letter_errors(page: Page, u: Urls) -> None:
    page.goto(f"{u.example}/letters/taf_invitation")
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _letter_preview(page: Page, u: Urls) -> None:
    page.goto(f"{u.example}/letters/taf_invitation")
    page.locator("input[name=to]").first.check()
    page.fill("#ask-meeting_date-day", "27")
    page.fill("#ask-meeting_date-month", "1")
    page.fill("#ask-meeting_date-year", "2027")
    page.fill("#ask-meeting_time", "10am")
    page.fill("#ask-place", "Riverside Family Hub")
    page.fill("#paragraph", "Sam can come for the first half hour.")
    page.get_by_label("PDF", exact=True).check()
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.get_by_role("heading", name="What the letter will say")).to_be_visible()


# Each page, and who is signed in to see it (None: nobody). The example case is the
# practitioner's; the new case, the hub's; a case's audit page is the DPO's too.
PAGES: dict[str, tuple[str | None, Callable[[Page, Urls], None]]] = {
    "sign in": (None, _goto(lambda u: "/sign-in")),
    "sign in with errors": (None, _sign_in_errors),
    "sign in: code": (None, _code),
    "sign in: code with errors": (None, _code_errors),
    "sign in: set up an authenticator": (None, _set_up_code),
    "signed in: the header": (None, _signed_in),
    "hub queue": (HUB_ADVISER, _goto(lambda u: "/hub/")),
    "hub upload": (HUB_ADVISER, _goto(lambda u: "/hub/upload")),
    "hub upload with errors": (HUB_ADVISER, _hub_upload_errors),
    "hub submission with problems and a match": (HUB_ADVISER, _hub_submission),
    "hub accept with errors": (HUB_ADVISER, _hub_accept_errors),
    "hub handled submissions": (HUB_ADVISER, _goto(lambda u: "/hub/?show=handled")),
    "case list": (PRACTITIONER, _goto(lambda u: "/cases/")),
    "new case": (HUB_ADVISER, _goto(lambda u: "/cases/new")),
    "new case with errors": (HUB_ADVISER, _new_case_errors),
    "overview, all completed": (PRACTITIONER, _goto(lambda u: u.example)),
    "overview, documents to start": (HUB_ADVISER, _goto(lambda u: u.fresh)),
    "records list": (PRACTITIONER, _goto(lambda u: f"{u.example}/records/person")),
    "records list, empty": (HUB_ADVISER, _goto(lambda u: f"{u.fresh}/records/professional")),
    "record edit (person)": (PRACTITIONER, _first_record("person")),
    "record edit (consent)": (PRACTITIONER, _first_record("consent")),
    "record new (person)": (HUB_ADVISER, _goto(lambda u: f"{u.fresh}/records/person/new")),
    "record with errors": (HUB_ADVISER, _record_errors),
    "record remove": (PRACTITIONER, _first_record("professional", "Remove")),
    "section: radios, warning": (HUB_ADVISER, _goto(lambda u: f"{u.fresh_doc}/sections/safety")),
    "section: reveal, select, character count": (HUB_ADVISER, _consent_revealed),
    "section: inputs, date": (HUB_ADVISER, _goto(lambda u: f"{u.fresh_doc}/sections/referrer")),
    "section: empty group": (HUB_ADVISER, _goto(lambda u: f"{u.fresh_doc}/sections/children")),
    "section: group row with a reveal": (HUB_ADVISER, _children_with_a_row),
    "section: checkboxes": (HUB_ADVISER, _goto(lambda u: f"{u.fresh_doc}/sections/reason")),
    "section: filled group": (
        PRACTITIONER,
        _goto(lambda u: f"{u.example}/documents/n1/sections/children"),
    ),
    "section with validation errors": (HUB_ADVISER, _section_errors),
    "document task list, not started": (HUB_ADVISER, _goto(lambda u: u.fresh_doc)),
    "document task list, completed": (PRACTITIONER, _goto(lambda u: f"{u.example}/documents/n1")),
    "section changed from check answers": (
        HUB_ADVISER,
        _goto(lambda u: f"{u.fresh_doc}/sections/referrer?next=check"),
    ),
    "check answers, completed": (PRACTITIONER, _goto(lambda u: f"{u.example}/documents/n1/check")),
    "check answers, draft": (HUB_ADVISER, _goto(lambda u: f"{u.fresh_doc}/check")),
    "check answers with errors": (HUB_ADVISER, _check_errors),
    "audit: who has seen or changed a case": (DPO, _goto(lambda u: f"{u.example}/audit")),
    "audit: the DPO's search": (DPO, _audit_search),
    "performance report": (MANAGER, _goto(lambda u: "/reports/" + REPORT_RANGE)),
    "performance report with errors": (
        MANAGER,
        _goto(lambda u: "/reports/?from-day=31&from-month=2&from-year=2026&to-year=2026"),
    ),
    "audit: search with errors": (DPO, _audit_search_errors),
    "rights: correct a person's details": (
        DPO,
        _goto(lambda u: f"{u.example}/people/noah/correct"),
    ),
    "rights: correct a person's details with errors": (DPO, _correction_errors),
    "rights: restrictions": (DPO, _goto(lambda u: "/rights/restrictions")),
    "rights: restrictions with errors": (DPO, _restriction_errors),
    "my work": (PRACTITIONER, _goto(lambda u: "/my-work/?sort=overdue")),
    "team": (MANAGER, _goto(lambda u: "/team/")),
    "team: cases due supervision": (MANAGER, _goto(lambda u: "/team/oversight")),
    "allocation": (MANAGER, _goto(lambda u: f"{u.example}/allocation")),
    "letters: choose a letter": (PRACTITIONER, _goto(lambda u: f"{u.example}/letters")),
    "letters: write, with errors": (PRACTITIONER, _letter_errors),
    "letters: preview": (PRACTITIONER, _letter_preview),
    "accessibility statement": (None, _goto(lambda u: "/accessibility")),
    "404": (HUB_ADVISER, _not_found),
    "stop: yes to significant harm": (HUB_ADVISER, _harm_stop),
}


Watch = Callable[[str | None], tuple[Page, list[str]]]


@pytest.fixture
def watched(context: BrowserContext, page_as: Callable[[str], Page]) -> Watch:
    """watched(who): a page, signed in as `who` (None: nobody), and the CSP violations and
    script errors it reports."""

    def watch(who: str | None) -> tuple[Page, list[str]]:
        page = context.new_page() if who is None else page_as(who)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page, problems

    return watch


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_axe_violations(name: str, watched: Watch, urls: Urls, axe_source: str) -> None:
    who, go = PAGES[name]
    page, problems = watched(who)
    go(page, urls)
    page.wait_for_load_state("load")
    found = violations(page, axe_source)
    assert not found, report(name, page, found)
    # GOV.UK Frontend runs under the CSP (reveals and character counts need it)
    assert not problems, problems


def _sections() -> list[tuple[str, str]]:
    ids = {"notification": "n1", "assessment": "a1", "plan": "pl1", "review": "rv1"}
    ids["closure"] = "cl1"
    # The hub's own section is the hub adviser's (its page is checked on the hub's accept page):
    # the practitioner whose case this is is refused it.
    return [
        (ids[f.form], s.id)
        for f in load_formset().forms_in_order()
        for s in f.sections
        if s.role != roles.HUB
    ]


def test_every_section_of_every_form_has_no_axe_violations(
    watched: Watch, urls: Urls, axe_source: str
) -> None:
    """Pages are built from the schemas: every section, with an example's answers in it."""
    page, problems = watched(PRACTITIONER)
    failures = []
    sections = _sections()
    assert len(sections) > 20
    for doc_id, section_id in sections:
        response = page.goto(f"{urls.example}/documents/{doc_id}/sections/{section_id}")
        assert response is not None and response.status == 200, (doc_id, section_id)
        found = violations(page, axe_source)
        if found:
            failures.append(report(f"{doc_id} {section_id}", page, found))
    assert not failures, "\n\n".join(failures)
    assert not problems, problems
    hub = page.goto(f"{urls.example}/documents/n1/sections/hub")
    assert hub is not None and hub.status == 403  # only the hub fills in its decision

"""A person's rights (#17) in Chromium: the data protection officer finds a person by subject
access and corrects their date of birth; the officer restricts a case, and the practitioner whose
case it is sees the banner and cannot save (a page opened before the restriction is refused with
the officer's reason); then the restriction is lifted. axe runs on every new page."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .accounts import DPO, PRACTITIONER
from .conftest import REPO, _ehdocs_command
from .test_axe import report, violations

CASE = "EH-2026-0101"  # the single-parent example, allocated to the demo practitioner
REASON = "The father contests the accuracy of the assessment"
REFUSAL = (
    f"This case is restricted by the data protection officer: {REASON}; it can be read but not "
    "changed"
)


def _clean(page: Page, axe_source: str, name: str) -> None:
    page.wait_for_load_state("load")
    found = violations(page, axe_source)
    assert not found, report(name, page, found)


def test_the_dpo_finds_a_person_and_corrects_their_date_of_birth(
    page_as: Callable[[str], Page], axe_source: str
) -> None:
    dpo = page_as(DPO)
    dpo.goto("/subject-access/")
    dpo.get_by_label("Name").fill("Maureen Hancock")
    dpo.get_by_role("button", name="Search every case").click()
    # Other browser tests share the server and may copy the example case (EH-2026-0909 has a
    # Maureen Hancock too): the record in this case is found, whatever else is.
    expect(dpo.get_by_role("heading", name=re.compile(r"^\d+ records? found$"))).to_be_visible()
    expect(
        dpo.get_by_role("link", name=f"Correct this person's details in case {CASE}")
    ).to_be_visible()
    _clean(dpo, axe_source, "subject access results with their links")
    dpo.get_by_role("link", name=f"Correct this person's details in case {CASE}").click()
    expect(dpo.get_by_role("heading", level=1)).to_have_text("Correct Maureen Hancock's details")
    expect(dpo.locator("#recorded")).to_contain_text("1964")
    _clean(dpo, axe_source, "correct a person's details")

    born = dpo.get_by_role("group", name="Date of birth")
    born.get_by_label("Day", exact=True).fill("2")
    born.get_by_label("Month", exact=True).fill("3")
    born.get_by_label("Year", exact=True).fill("1964")
    dpo.get_by_role("button", name="Check the correction").click()
    expect(dpo.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the details are being corrected"
    )
    _clean(dpo, axe_source, "correct a person's details, with errors")
    dpo.get_by_label("Why the details are being corrected").fill(
        "Her birth certificate gives the day and month"
    )
    dpo.get_by_role("button", name="Check the correction").click()
    changes = dpo.locator("#changes")
    expect(changes.get_by_role("row", name=re.compile("Date of birth"))).to_contain_text(
        "2 March 1964"
    )
    _clean(dpo, axe_source, "check the correction")
    dpo.get_by_role("button", name="Confirm the correction").click()
    expect(dpo.locator(".govuk-notification-banner")).to_contain_text(
        "Details corrected (date of birth)"
    )
    expect(dpo.locator("#recorded")).to_contain_text("2 March 1964")

    pat = page_as(PRACTITIONER)
    pat.goto("/cases/")
    pat.get_by_role("link", name=CASE, exact=True).click()
    pat.get_by_role("link", name=re.compile("View and change.*Chronology")).click()
    expect(pat.get_by_role("main")).to_contain_text("Details corrected: Maureen Hancock's date")


def _lift_from_the_command_line(data_dir: Path) -> None:
    """Lift the restriction whatever the test did (the example case is shared by other tests);
    nothing to lift is fine."""
    env = {**os.environ, "EHDOCS_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [*_ehdocs_command(), "rights", "lift", CASE, "--reason", "End of test", "--by", DPO],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_a_restricted_case_can_be_read_but_not_saved(
    page_as: Callable[[str], Page], axe_source: str, live_data_dir: Path
) -> None:
    pat = page_as(PRACTITIONER)
    pat.goto("/cases/")
    pat.get_by_role("link", name=CASE, exact=True).click()
    overview = pat.url
    pat.get_by_role("link", name=re.compile("View and change.*Person")).click()
    pat.get_by_role("link", name=re.compile("^Change.*Stacey")).click()
    record = pat.url
    expect(pat.get_by_role("button", name="Save")).to_be_visible()  # opened before

    dpo = page_as(DPO)
    try:
        dpo.goto("/cases/")
        dpo.get_by_role("link", name="Restrictions").click()
        _clean(dpo, axe_source, "restrictions, none")
        dpo.get_by_label("Case reference").fill(CASE)
        dpo.get_by_label("Why the case is restricted").fill(REASON)
        dpo.get_by_role("button", name="Restrict the case").click()
        expect(dpo.locator(".govuk-notification-banner")).to_contain_text(
            f"Case {CASE} is restricted"
        )
        expect(dpo.get_by_role("row", name=re.compile(CASE))).to_contain_text(REASON)
        _clean(dpo, axe_source, "restrictions, one in place")

        pat.get_by_label("Also known as").fill("Stace")
        pat.get_by_role("button", name="Save").click()
        expect(pat.locator(".govuk-error-summary")).to_contain_text(REFUSAL)
        pat.goto(record)
        expect(pat.locator("#restriction")).to_contain_text(REASON)
        expect(pat.get_by_role("button", name="Save")).to_have_count(0)
        expect(pat.get_by_label("Also known as")).not_to_have_value("Stace")
        pat.goto(overview)
        expect(pat.locator("#restriction")).to_contain_text("It can be read but not changed")
        expect(pat.get_by_role("link", name=re.compile("View and change"))).to_have_count(0)
        _clean(pat, axe_source, "overview of a restricted case")

        dpo.get_by_label("Why it is no longer needed").fill("Resolved with the father")
        dpo.get_by_role("button", name=f"Lift the restriction on case {CASE}").click()
        expect(dpo.locator(".govuk-notification-banner")).to_contain_text(
            f"The restriction on case {CASE} is lifted"
        )
        _clean(dpo, axe_source, "restrictions, one lifted")
        pat.goto(overview)
        expect(pat.locator("#restriction")).to_have_count(0)
        expect(pat.get_by_role("heading", name="Restrictions")).to_be_visible()  # its history
    finally:
        _lift_from_the_command_line(live_data_dir)

"""Broken case files through `ehdocs validate`: each gets its exit code and its own message."""

from __future__ import annotations

import re

import pytest

from tests.conftest import CORPUS

EXIT_PROBLEMS, EXIT_UNREADABLE = 1, 4

# file, exit code, the line `ehdocs validate` must print (a problem's place in words, then
# what is wrong)
CASES = [
    (
        "consent-missing-no-harm.json",
        EXIT_PROBLEMS,
        "Early Help Notification, Consent, Has the family given consent for this request?: "
        "You need the family's consent before you send an early help request",
    ),
    (
        "unknown-person.json",
        EXIT_PROBLEMS,
        "Early Help Notification, Children, Child or young person (row 1): There is no "
        "person with the id 'c9': add them to the family network first",
    ),
    (
        "impossible-date.json",
        EXIT_PROBLEMS,
        "Early Help Notification, About you, Date of request: The date of the request must "
        "be a real date",
    ),
    (
        "birth-in-future.json",
        EXIT_PROBLEMS,
        "Person 1, Date of birth: Date of birth must be today or in the past",
    ),
    (
        "assessment-before-notification.json",
        EXIT_PROBLEMS,
        "Early Help Assessment, About this assessment, Date the assessment started: The "
        "Early Help Assessment date must be on or after the latest Early Help Notification "
        "date (2025-03-03)",
    ),
    (
        "closure-before-review.json",
        EXIT_PROBLEMS,
        "Early Help Closure, Closure, Date of closure: The Early Help Closure date must be "
        "on or after the latest TAF review minutes date (2025-09-10)",
    ),
    (
        "number-for-text.json",
        EXIT_PROBLEMS,
        "Early Help Notification, About you, Your name: Your name must be text",
    ),
    (
        "maybe-for-yes-no.json",
        EXIT_PROBLEMS,
        "Early Help Notification, Agencies already involved, Is there already a team "
        "around the family (TAF)?: Select yes if there is already a team around the family",
    ),
    (
        "misspelt-section-key.json",
        EXIT_PROBLEMS,
        "Early Help Notification, About you: 'nmae' is not a known field here: check the "
        "spelling, or remove it",
    ),
    (
        "misspelt-top-level-key.json",
        EXIT_PROBLEMS,
        "'refrence' is not a known field here: check the spelling, or remove it",
    ),
    (
        "list-not-object.json",
        EXIT_PROBLEMS,
        "A case file must be a JSON object ({ … }), not a list or a single value",
    ),
    (
        "wrong-format.json",
        EXIT_PROBLEMS,
        "'format' must be \"ehdocs-case\": this is not an ehdocs case file",
    ),
    (
        "newer-format-version.json",
        EXIT_PROBLEMS,
        "This case file is format version 2, newer than this ehdocs reads (version 1): "
        "update ehdocs",
    ),
    (
        "plan-after-consent-withdrawn.json",
        EXIT_PROBLEMS,
        "Early Help Plan, About this plan, Date the plan was agreed: Consent was withdrawn "
        "on 2025-04-01: no Early Help Plan can be written after that without new consent",
    ),
    (
        "step-up-without-receiving-team.json",
        EXIT_PROBLEMS,
        "Early Help Closure, Step-up or transfer, Team receiving the case: Enter the team "
        "receiving the case",
    ),
    (
        "malformed.json",
        EXIT_UNREADABLE,
        "malformed.json:4:1: this is not valid JSON (Expecting property name enclosed in "
        "double quotes)",
    ),
    (
        "empty.json",
        EXIT_UNREADABLE,
        "empty.json: the file is empty. A case file is a JSON object",
    ),
    (
        "not-utf8.json",
        EXIT_UNREADABLE,
        "not-utf8.json: is not UTF-8 text; save it as UTF-8 JSON",
    ),
    (
        "nan.json",
        EXIT_UNREADABLE,
        "nan.json: 'NaN' is not allowed in a case file: use a number or leave it out",
    ),
]

# A misspelt key also leaves the right key missing: both are reported, nothing else.
PROBLEM_COUNTS = {"misspelt-section-key.json": 2, "misspelt-top-level-key.json": 2}


@pytest.mark.parametrize(("name", "code", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_case_file_gets_its_exit_code_and_message(run_cli, name, code, message):
    path = CORPUS / name
    result = run_cli("validate", path)

    assert result.code == code
    assert "Traceback" not in result.output
    assert message in result.output
    if code == EXIT_PROBLEMS:
        count = PROBLEM_COUNTS.get(name, 1)
        assert result.out.splitlines()[0] == (
            f"{path}: {count} problem{'s' if count != 1 else ''} (--json gives each one's path "
            "in the case file)"
        )
        assert not re.search(r"\[\d+\]", result.out)  # no internal paths
    else:
        assert result.out == ""
        assert result.err.startswith("ehdocs: ")


def test_every_corpus_file_has_an_expectation():
    listed = {name for name, _, _ in CASES}
    assert {p.name for p in CORPUS.glob("*.json")} == listed

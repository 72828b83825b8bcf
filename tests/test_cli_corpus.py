"""Broken case files through `ehdocs validate`: each gets its exit code and its own message."""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS

EXIT_PROBLEMS, EXIT_UNREADABLE = 1, 4

# file, exit code, the line `ehdocs validate` must print (problem lines are "document: path: …")
CASES = [
    (
        "consent-missing-no-harm.json",
        EXIT_PROBLEMS,
        "notification n1: consent.obtained: You need the family's consent before you send "
        "an early help request",
    ),
    (
        "unknown-person.json",
        EXIT_PROBLEMS,
        "notification n1: children.children[0].child: There is no person with the id 'c9': "
        "add them to the family network first",
    ),
    (
        "impossible-date.json",
        EXIT_PROBLEMS,
        "notification n1: referrer.date: The date of the request must be a real date",
    ),
    (
        "birth-in-future.json",
        EXIT_PROBLEMS,
        "people[0].date_of_birth: Date of birth must be today or in the past",
    ),
    (
        "assessment-before-notification.json",
        EXIT_PROBLEMS,
        "assessment a1: header.date_started: The Early Help Assessment date must be on or "
        "after the latest Early Help Notification date (2025-03-03)",
    ),
    (
        "closure-before-review.json",
        EXIT_PROBLEMS,
        "closure x1: closure.date_of_closure: The Early Help Closure date must be on or after "
        "the latest TAF review minutes date (2025-09-10)",
    ),
    (
        "number-for-text.json",
        EXIT_PROBLEMS,
        "notification n1: referrer.name: Your name must be text",
    ),
    (
        "maybe-for-yes-no.json",
        EXIT_PROBLEMS,
        "notification n1: agencies.existing_taf: Select yes or no",
    ),
    (
        "misspelt-section-key.json",
        EXIT_PROBLEMS,
        "notification n1: referrer.nmae: 'nmae' is not a known field here: check the "
        "spelling, or remove it",
    ),
    (
        "misspelt-top-level-key.json",
        EXIT_PROBLEMS,
        "refrence: 'refrence' is not a known field here: check the spelling, or remove it",
    ),
    (
        "list-not-object.json",
        EXIT_PROBLEMS,
        "(case): A case file must be a JSON object ({ … }), not a list or a single value",
    ),
    (
        "wrong-format.json",
        EXIT_PROBLEMS,
        "format: 'format' must be \"ehdocs-case\": this is not an ehdocs case file",
    ),
    (
        "newer-format-version.json",
        EXIT_PROBLEMS,
        "format_version: This case file is format version 2, newer than this ehdocs reads "
        "(version 1): update ehdocs",
    ),
    (
        "plan-after-consent-withdrawn.json",
        EXIT_PROBLEMS,
        "plan p1: header.date_agreed: Consent was withdrawn on 2025-04-01: no Early Help Plan "
        "can be written after that without new consent",
    ),
    (
        "step-up-without-receiving-team.json",
        EXIT_PROBLEMS,
        "closure x1: step_up.receiving_team: Enter the team receiving the case",
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
        assert result.out.splitlines()[0] == (f"{path}: {count} problem{'s' if count != 1 else ''}")
    else:
        assert result.out == ""
        assert result.err.startswith("ehdocs: ")


def test_every_corpus_file_has_an_expectation():
    listed = {name for name, _, _ in CASES}
    assert {p.name for p in CORPUS.glob("*.json")} == listed

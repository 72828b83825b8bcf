"""A problem's place in the words of the forms (ehdocs.validation.words): what the pages and
the command line show instead of a path like `relationships[0].person_b`."""

from __future__ import annotations

import pytest

from ehdocs.schema import FormSet
from ehdocs.validation import Problem
from ehdocs.validation.words import in_words

RAW = {"documents": [{"form": "notification"}, {"form": "plan"}]}


@pytest.mark.parametrize(
    ("problem", "said"),
    [
        (
            Problem(None, "relationships[0].person_b", "Needs two people"),
            "Relationship 1, Second person (the child, for parent and child): Needs two people",
        ),
        (
            Problem(None, "chronology[2].people", "Unknown person"),
            "Chronology entry 3, Who this is about: Unknown person",
        ),
        (
            Problem("notification n1", "children.children[1].child", "Select the child"),
            "Early Help Notification, Children, Child or young person (row 2): Select the child",
        ),
        (
            Problem(None, "documents[1].data.header.date_agreed", "Consent was withdrawn"),
            "Early Help Plan, About this plan, Date the plan was agreed: Consent was withdrawn",
        ),
        (Problem(None, "documents[7]", "Too late"), "Document 8: Too late"),
        (
            Problem(None, "", "A case file must be a JSON object"),
            "A case file must be a JSON object",
        ),
        (Problem(None, "refrence", "'refrence' is not known"), "'refrence' is not known"),
    ],
)
def test_a_problem_is_placed_in_words(formset: FormSet, problem: Problem, said: str) -> None:
    assert in_words(problem, formset, RAW) == said

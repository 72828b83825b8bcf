"""What the hub reads of a received file before accepting it: each answer as its type shows it."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from ehdocs.schema.model import FieldDef, FormDefinition, Option, SectionDef
from ehdocs.web.answers import AnswerRow, AnswerSection, answer_sections


def field(fid: str, type_name: str, label: str, **params: Any) -> FieldDef:
    options = params.pop("options", ())
    fields = params.pop("fields", ())
    return FieldDef(
        fid,
        type_name,
        label,
        f"s.{fid}",
        options=options,
        fields=fields,
        params=MappingProxyType(params),
    )


NEEDS = (Option("housing", "Housing"), Option("money", "Money worries"))
FORM = FormDefinition(
    "check_in",
    1,
    "Check-in",
    1,
    (
        SectionDef(
            "about",
            "About the family",
            (
                field("note", "text", "Note"),
                field("safe", "yes_no_unknown", "Feels safe"),
                field("needs", "choices", "Needs", options=NEEDS),
                field("since", "partial_date", "Since"),
                field("seen", "date", "Seen on"),
                field("child", "person", "Child"),
                field(
                    "children",
                    "group",
                    "Children",
                    item_name="child",
                    fields=(
                        field("who", "person", "Who"),
                        field("school", "text", "School"),
                        field("score", "scale", "Score"),
                    ),
                ),
            ),
        ),
        SectionDef("hub", "Hub", (field("decision", "choice", "Decision", options=NEEDS),)),
    ),
)


def test_each_answer_is_shown_by_its_type_and_people_are_left_to_the_names_table() -> None:
    data = {
        "about": {
            "note": "yes",  # a text answer is shown as written, even when it reads "yes"
            "safe": "unknown",
            "needs": ["money", "housing", "pets"],
            "since": {"day": "", "month": "5", "year": "2019", "approximate": "yes"},
            "seen": {"day": "27", "month": "3", "year": "2026"},
            "child": "Riley Hancok",
            "children": [{"who": "Amy"}, {"who": "Ben", "school": "Hill Top", "score": 7}],
        },
        "hub": {"decision": ""},
    }
    assert answer_sections(FORM, data) == [
        AnswerSection(
            "About the family",
            [
                AnswerRow("Note", "yes"),
                AnswerRow("Feels safe", "Not known"),
                AnswerRow("Needs", "Money worries, Housing, pets"),
                AnswerRow("Since", "around May 2019"),  # dates as dates (issue 11)
                AnswerRow("Seen on", "27 March 2026"),
                AnswerRow("Child 2: School", "Hill Top"),
                AnswerRow("Child 2: Score", "7"),
            ],
        )
    ]


def test_case_json_is_shown_as_sent_too() -> None:
    data = {"about": {"safe": "yes", "seen": "2026-03-27", "needs": ["housing"]}}
    (section,) = answer_sections(FORM, data)
    assert section.rows == [
        AnswerRow("Feels safe", "Yes"),
        AnswerRow("Needs", "Housing"),
        AnswerRow("Seen on", "27 March 2026"),  # never an ISO string (issue 11)
    ]


def test_a_date_that_is_not_real_is_shown_as_written() -> None:
    data = {"about": {"seen": {"day": "31", "month": "2", "year": "2015"}, "since": "2019-13"}}
    (section,) = answer_sections(FORM, data)
    assert section.rows == [AnswerRow("Since", "2019-13"), AnswerRow("Seen on", "31/2/2015")]

"""The `ehdocs` command through main(argv): output, exit codes, and never a traceback."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

import ehdocs.cli
from tests.factories import make_case, make_document


@pytest.fixture
def broken_case(write_case):
    case = make_case()
    data = case["documents"][0]["data"]
    data["referrer"]["date"] = "2026-02-30"
    data["agencies"]["existing_taf"] = "maybe"
    case["documents"].append(
        make_document(
            "assessment", {"header": {"date_started": "soon"}}, doc_id="a1", status="draft"
        )
    )
    case["relationships"][0]["person_b"] = "p1"
    return write_case(case)


# -- validate ------------------------------------------------------------------------------


def test_validate_prints_each_problem_in_words_and_exits_1(run_cli, broken_case):
    # each problem's place in the words of the forms, never a path like relationships[0]
    result = run_cli("validate", broken_case)

    assert result.code == 1
    assert result.out.splitlines() == [
        f"{broken_case}: 4 problems (--json gives each one's path in the case file)",
        "  Relationship 1, Second person (the child, for parent and child): A relationship "
        "needs two different people",
        "  Early Help Assessment, About this assessment, Date the assessment started: The date "
        "the assessment started must be a real date",
        "  Early Help Notification, Agencies already involved, Is there already a team around "
        "the family (TAF)?: Select yes if there is already a team around the family",
        "  Early Help Notification, About you, Date of request: The date of the request must be "
        "a real date",
    ]
    assert "[0]" not in result.out and "Traceback" not in result.output


def test_validate_a_valid_case_says_what_was_checked(run_cli, write_case):
    path = write_case(make_case())

    result = run_cli("validate", path)

    assert result.code == 0
    assert result.out == (
        f"{path}: valid (1 document checked, drafts for types and formats, "
        "completed documents fully)\n"
    )


def test_validate_json_holds_document_path_and_message(run_cli, broken_case):
    result = run_cli("validate", broken_case, "--json")

    assert result.code == 1
    problems = json.loads(result.out)
    assert all(set(p) == {"document", "path", "message"} for p in problems)
    assert problems[0] == {
        "document": None,
        "path": "relationships[0].person_b",
        "message": "A relationship needs two different people",
    }
    assert {
        "document": "notification n1",
        "path": "referrer.date",
        "message": "The date of the request must be a real date",
    } in problems


def test_validate_json_of_a_valid_case_is_an_empty_list(run_cli, write_case):
    result = run_cli("validate", write_case(make_case()), "--json")

    assert result.code == 0
    assert json.loads(result.out) == []


def test_validate_one_document_keeps_case_level_problems(run_cli, broken_case):
    result = run_cli("validate", broken_case, "--document", "assessment")

    assert result.code == 1
    assert result.out.splitlines()[1:] == [
        "  Relationship 1, Second person (the child, for parent and child): A relationship "
        "needs two different people",
        "  Early Help Assessment, About this assessment, Date the assessment started: The date "
        "the assessment started must be a real date",
    ]


def test_validate_complete_checks_a_draft_fully(run_cli, write_case):
    case = make_case()
    case["documents"].append(make_document("plan", {}, doc_id="p1", status="draft"))
    path = write_case(case)

    lenient = run_cli("validate", path)
    strict = run_cli("validate", path, "--document", "plan", "--complete")

    assert lenient.code == 0
    assert strict.code == 1
    assert (
        "Early Help Plan, About this plan, Date the plan was agreed: Enter the date the plan "
        "was agreed" in strict.out
    )


def test_validate_an_unknown_document_is_a_usage_error(run_cli, write_case):
    result = run_cli("validate", write_case(make_case()), "--document", "notifcation")

    assert result.code == 2
    assert result.err == (
        "ehdocs: There is no document called 'notifcation'. The documents are: notification, "
        "assessment, plan, review, closure\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "Error: Missing argument 'CASE_FILE'."),
        (["frobnicate"], "Error: No such command 'frobnicate'."),
        (["validate", "x.json", "--colour"], "--colour"),
    ],
)
def test_wrong_command_use_exits_2(run_cli, args, message):
    result = run_cli(*args)

    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.output


# -- unreadable case files -----------------------------------------------------------------


def test_a_missing_case_file_exits_4(run_cli, tmp_path):
    path = tmp_path / "nowhere.json"

    result = run_cli("validate", path)

    assert result.code == 4
    assert result.err == f"ehdocs: {path}: no such file\n"


def test_a_folder_is_not_a_case_file(run_cli, tmp_path):
    result = run_cli("validate", tmp_path)

    assert result.code == 4
    assert result.err == f"ehdocs: {tmp_path}: is a folder, not a case file\n"


def test_json_nested_too_deeply_exits_4_without_a_traceback(run_cli, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    result = run_cli("validate", path)

    assert result.code == 4
    assert result.err == f"ehdocs: {path}: the JSON is nested too deeply\n"


# -- profiles ------------------------------------------------------------------------------


def test_an_unknown_profile_names_the_ones_there_are(run_cli):
    result = run_cli("forms", "--profile", "no-such-council")

    assert result.err == (
        "ehdocs: No council profile 'no-such-council': expected a folder with a profile.yaml, "
        "or one of: default, example-council\n"
    )


@pytest.mark.parametrize(
    "args", [["forms", "--profile", "no-such-council"], ["schema", "check", "no-such-folder"]]
)
def test_an_unknown_profile_is_not_reported_as_a_case_problem(run_cli, args):
    assert run_cli(*args).code in (2, 3)


# -- schema export -------------------------------------------------------------------------


def test_schema_export_prints_a_draft_2020_12_schema_that_the_factory_case_meets(run_cli):
    result = run_cli("schema", "export")

    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert list(Draft202012Validator(schema).iter_errors(make_case())) == []


def test_schema_export_writes_a_file(run_cli, tmp_path):
    target = tmp_path / "out" / "case.schema.json"

    result = run_cli("schema", "export", "-o", target, "--profile", "example-council")

    assert result.code == 0
    assert result.out == ""
    assert result.err == f"Wrote {target}\n"
    assert json.loads(target.read_text())["title"] == "ehdocs case (Example Borough Council)"


# -- summary -------------------------------------------------------------------------------


def test_summary_lists_the_children_and_adults(run_cli, write_case):
    path = write_case(make_case())

    result = run_cli("summary", path)

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == f"EH-2026-0001: the Morgan family  [Default council; {path}]"
    assert lines[1].startswith("  Children:   Sam Morgan (")
    assert lines[2].startswith("  Adults:     Kerry Morgan (")
    assert "  Households: Mum's home (2 people)" in lines
    (document,) = [line for line in lines if "Early Help Notification" in line]
    assert document.split()[3:] == ["completed", "dated", "3", "March", "2025"]


def test_summary_of_an_invalid_case_says_so_and_exits_1(run_cli, broken_case, write_case):
    good = write_case(make_case(), "good.json")

    result = run_cli("summary", good, broken_case)

    assert result.code == 1
    assert f"{broken_case}: NOT VALID (4 problems)" in result.out
    assert "EH-2026-0001: the Morgan family" in result.out


# -- the last line of defence --------------------------------------------------------------


def explode(*args, **kwargs):
    raise RuntimeError("internal detail that must not leak")


def test_an_unexpected_error_is_a_message_and_exit_70(run_cli, write_case, monkeypatch):
    monkeypatch.setattr(ehdocs.cli, "validate_case", explode)

    result = run_cli("validate", write_case(make_case()))

    assert result.code == 70
    assert result.err == (
        "ehdocs: something went wrong that ehdocs did not expect (RuntimeError). Nothing was "
        "changed. Run again with EHDOCS_DEBUG=1 to see the details, and report it.\n"
    )
    assert "Traceback" not in result.output
    assert "internal detail" not in result.output


def test_ehdocs_debug_lets_the_error_through(write_case, monkeypatch):
    monkeypatch.setattr(ehdocs.cli, "validate_case", explode)
    monkeypatch.setenv("EHDOCS_DEBUG", "1")

    with pytest.raises(RuntimeError, match="internal detail"):
        ehdocs.cli.main(["validate", str(write_case(make_case()))])


def test_demo_generate_makes_valid_fictional_cases(tmp_path, run_cli) -> None:
    from ehdocs.schema import load_formset
    from ehdocs.storage import Storage

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    first = run_cli("demo", "generate", "--cases", "12", "--seed", "5", "--database", url)
    assert first.code == 0 and "Made 12 fictional cases" in first.output
    again = run_cli("demo", "generate", "--cases", "12", "--seed", "5", "--database", url)
    assert "Made 0 fictional cases (12 were there already)" in again.output
    opened = Storage.open({"DATABASE_URL": url, "DATA_DIR": tmp_path}, load_formset())
    try:
        stored = opened.cases.list()
        assert len(stored) == 12
        # histories, not shells: visits and decisions for most, closures for some
        assert sum(bool(s.raw.get("case_notes")) for s in stored) >= 4
        assert any(d["form"] == "closure" for s in stored for d in s.raw["documents"])
    finally:
        opened.close()


def test_demo_generate_is_refused_in_production(tmp_path, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("EHDOCS_ENV", "production")
    result = run_cli("demo", "generate", "--cases", "1", "--database", f"sqlite:///{tmp_path}/x")
    assert result.code != 0 and "never for a live service" in result.output

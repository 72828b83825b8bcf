"""Control characters (Word's Shift+Enter is a vertical tab; NUL and BEL come from pasted or
machine-made text) are cleaned at the one way in, for every text field of every record and
document, so nothing downstream (diagrams, DOCX, PDF) ever meets them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ehdocs.diagrams.svgutil import document, text
from ehdocs.errors import EhdocsError
from ehdocs.render.items import Figure, checked_svg
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case, make_notification_data


def _case_with(name: str, concern: str) -> dict[str, Any]:
    case = make_case()
    case["people"][0]["given_name"] = name
    data = make_notification_data()
    data["reason"]["concern"] = concern
    case["documents"][0]["data"] = data
    return case


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Ann\x0bMarie", "Ann Marie"),  # Word's Shift+Enter in a one-line answer is a space
        ("Ann\x00Marie", "AnnMarie"),
        ("\x07Ann", "Ann"),
        ("Ann\u2028Marie", "Ann Marie"),
        ("Ann\x85Marie", "Ann Marie"),
        ("Zo\u0065\u0308", "Zoë"),  # combining marks composed (NFC), as every other copy has it
        ("Ann\tMarie", "Ann Marie"),
    ],
)
def test_control_characters_in_a_name_are_cleaned(formset: FormSet, typed: str, kept: str) -> None:
    result = validate_case(_case_with(typed, "Worried."), formset)
    assert result.problems == []
    assert result.case is not None
    assert result.case.person("c1")["given_name"] == kept


def test_line_breaks_in_long_text_are_kept_as_one_kind(formset: FormSet) -> None:
    typed = "First line\x0bsecond line\r\nthird\rfourth\x0cfifth\x00\tindented"
    result = validate_case(_case_with("Ann", typed), formset)
    assert result.case is not None, result.problems
    concern = result.case.data["documents"][0]["data"]["reason"]["concern"]
    assert concern == "First line\nsecond line\nthird\nfourth\nfifth\tindented"


def test_a_name_of_only_control_characters_is_missing(formset: FormSet) -> None:
    result = validate_case(_case_with("\x00\x0b\x07", "Worried."), formset)
    assert [p.message for p in result.problems] == ["Enter the first name"]


@pytest.mark.parametrize("target", ["diagram-png", "diagram-svg", "pack-docx", "pack-pdf"])
def test_every_command_takes_a_case_with_control_characters(
    run_cli: Any, tmp_path: Path, target: str
) -> None:
    case = _case_with("Ann\x0bMarie\x07", "Line one\x0bline two\x00")
    case["people"][1]["family_name"] = "Mor\x00gan"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert run_cli("validate", path).code == 0
    if target.startswith("diagram"):
        out = tmp_path / ("g.png" if target == "diagram-png" else "g.svg")
        result = run_cli("diagram", path, "--kind", "genogram", "-o", out)
        assert result.code == 0, result.err
        if out.suffix == ".svg":
            assert "Ann Marie" in out.read_text() and "\x0b" not in out.read_text()
        else:
            assert out.read_bytes().startswith(b"\x89PNG")
    else:
        fmt = target.split("-")[1]
        result = run_cli("pack", path, "--format", fmt, "-o", tmp_path / "out")
        assert result.code == 0, result.err
        assert len(list((tmp_path / "out").iterdir())) == 1


def test_svg_text_never_carries_characters_xml_forbids() -> None:
    svg = document(100, 50, "T\x0bitle", "D\x00esc", [text("Ann\x0bMarie\x07", 1, 2, 10)])
    assert checked_svg(svg) == svg
    assert "\x0b" not in svg and "\x00" not in svg and "AnnMarie" in svg


def test_a_diagram_that_cannot_be_drawn_is_an_error_not_its_text_alternative() -> None:
    broken = '<svg xmlns="http://www.w3.org/2000/svg"><text>unclosed</svg>'
    with pytest.raises(EhdocsError, match="could not be drawn"):
        Figure("Genogram", broken, "Genogram, showing 2 people.")
    fine = document(10, 10, "t", "d", [])
    assert Figure("Genogram", fine, "alt").svg == fine
    assert copy.copy(fine) == fine

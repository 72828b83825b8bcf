"""Blank forms made once per session, a tiny schema with every field type, and sample answers.

`Answers` is what a person means to put in a form (text as typed, the option they pick, the
boxes they tick, a child's date of birth after the child's name), the values each engine fills
in, and the raw document data and name references that reading the filled form must give back.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ehdocs.fillable import blank_pdf, field_map
from ehdocs.fillable.docx import blank_docx
from ehdocs.fillable.fieldmap import DATE_OF_BIRTH_TYPE, FieldEntry, FieldMap
from ehdocs.schema import FormSet, load_formset
from tests.conftest import FORM_SCHEMAS

FORMS = ("notification", "assessment", "plan", "review", "closure")

# Text as people type it: accents, Polish, Arabic, Chinese, emoji, markup and template syntax.
TEXTS = (
    "Zoë Brontë-O'Neill",
    "Łukasz Żółć",
    "مرحبا بكم في العائلة",
    "张伟 和 李娜",
    "Smiles a lot 😀 🎉",
    "A & B <b>not bold</b> {{ x }} {% if %}",
)
LONG_TEXTS = (
    "First line é\nSecond line ł\n\nAfter a blank line: 你好",
    "مرحبا\nSecond line – with a dash\n  indented line",
    "One 😀\nTwo 🎉\nThree",
)
FORMATTED = {
    "email": "worker@example.org",
    "phone": "01632 960 001",
    "postcode": "AA3 1AB",
    "nhs_number": "943 476 5919",
}
DATE_OF_BIRTH = "18/04/2017"  # typed in the box after each single child's name
PARTIAL_DATES = (
    ("~2019", {"day": "", "month": "", "year": "2019", "approximate": "yes"}),
    ("05/2019", {"day": "", "month": "05", "year": "2019"}),
    ("14/05/2019", {"day": "14", "month": "05", "year": "2019"}),
    ("~03/2018", {"day": "", "month": "03", "year": "2018", "approximate": "yes"}),
)

TYPES_FORM = """\
form: fieldtypes
version: 2
title: Every field type
order: 9
notice: If a child is at risk of significant harm, call {contact.social_care_phone}.
sections:
  - id: basics
    title: Basics
    fields:
      - {id: name, type: text, label: Name, required: true}
      - {id: email, type: text, label: Email, format: email}
      - {id: story, type: long_text, label: Story, max_length: 2000}
      - {id: met, type: date, label: Date met}
      - {id: born, type: partial_date, label: Born}
      - {id: moved, type: partial_date, label: Moved}
      - {id: count, type: number, label: Count, min: 0, max: 20, integer: true}
      - {id: weight, type: number, label: Weight}
      - {id: score, type: scale, label: Score, min: 0, max: 10, low_label: Low, high_label: High}
      - {id: wide_score, type: scale, label: Wide score, min: 1, max: 20}
      - {id: agreed, type: yes_no, label: Agreed?}
      - {id: known, type: yes_no_unknown, label: Known?}
      - {id: level, type: choice, label: Level, options: levels_of_need}
      - {id: ethnicity, type: choice, label: Ethnicity, options: ethnicities}
      - {id: needs, type: choices, label: Needs, options: presenting_needs}
      - id: odd
        type: choices
        label: Odd values
        options:
          - {value: "a b", label: With a space}
          - {value: "x.y", label: With a dot}
          - {value: "Off", label: Called Off}
      - id: odd_one
        type: choice
        label: Odd single
        options:
          - {value: "a b", label: Same label}
          - {value: "Off", label: Same label}
      - {id: child, type: person, label: Child, role: child}
      - {id: carers, type: person, label: Carers, role: adult, multiple: true}
      - {id: parent, type: person, label: Parent, role: adult}
      - {id: siblings, type: person, label: Brothers and sisters, role: child, multiple: true}
      - {id: worker, type: professional, label: Worker}
      - {id: team, type: professional, label: Team, multiple: true}
  - id: rows
    title: Rows
    fields:
      - id: items
        type: group
        label: Items
        item_name: item
        blank_rows: 3
        fields:
          - {id: who, type: person, label: Who}
          - {id: what, type: long_text, label: What}
          - {id: when, type: date, label: When}
          - {id: status, type: choice, label: Status, options: action_statuses}
          - {id: ok, type: yes_no, label: OK?}
          - {id: rating, type: scale, label: Rating}
          - {id: pro, type: professional, label: Pro, audience: professional}
          - {id: secret, type: text, label: Hub only, audience: hub}
      - {id: after, type: text, label: After the rows}
  - id: hubonly
    title: Hub only
    audience: hub
    fields:
      - {id: decision, type: text, label: Decision}
"""


def write_types_schema(parent: Path, extra_field: str = "") -> Path:
    """A copy of form_schemas/ with the every-type form added (and one more field if given)."""
    target = parent / "schemas"
    shutil.copytree(FORM_SCHEMAS, target, ignore=shutil.ignore_patterns("profiles"))
    text = TYPES_FORM
    if extra_field:
        text = text.replace(
            "      - {id: after, type: text, label: After the rows}\n",
            "      - {id: after, type: text, label: After the rows}\n" + extra_field,
        )
    (target / "fieldtypes.yaml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def types_formset(tmp_path_factory: pytest.TempPathFactory) -> FormSet:
    return load_formset(None, write_types_schema(tmp_path_factory.mktemp("types")))


@pytest.fixture(scope="session")
def blank_pdfs(formset: FormSet) -> dict[str, bytes]:
    return {name: blank_pdf(formset, name) for name in FORMS}


@pytest.fixture(scope="session")
def types_pdf(types_formset: FormSet) -> bytes:
    return blank_pdf(types_formset, "fieldtypes")


@pytest.fixture(scope="session")
def blank_docxs(formset: FormSet) -> dict[str, bytes]:
    return {name: blank_docx(formset, name) for name in FORMS}


@pytest.fixture(scope="session")
def types_docx(types_formset: FormSet) -> bytes:
    return blank_docx(types_formset, "fieldtypes")


# -- what a person means to fill in -----------------------------------------------------------


@dataclass
class Answers:
    pypdf: dict[str, Any] = field(default_factory=dict)  # for update_page_form_field_values
    pdfium: dict[str, str | bool] = field(default_factory=dict)  # for tests.fillable.pdfium_fill
    docx: dict[str, str | bool] = field(default_factory=dict)  # tag -> text or checked
    expected: dict[str, Any] = field(default_factory=dict)  # the raw document data
    # (path, kind, text, date of birth): the NameReferences reading must find
    references: list[tuple[str, str, str, str | None]] = field(default_factory=list)


def _cycle(items: tuple[Any, ...]) -> Iterator[Any]:
    while True:
        yield from items


def make_answers(fmap: FieldMap, formset: FormSet, *, bmp_only: bool = False) -> Answers:
    """Fill every question of rows 0 and 2 of each group (the others are left empty: the rows
    come back renumbered 0 and 1) and every question outside groups."""
    answers = Answers()
    texts = _cycle(tuple(t for t in TEXTS if not (bmp_only and _astral(t))))
    longs = _cycle(tuple(t for t in LONG_TEXTS if not (bmp_only and _astral(t))))
    partials = _cycle(PARTIAL_DATES)
    form = formset.form(fmap.form)
    by_path: dict[str, list[FieldEntry]] = {}
    for entry in fmap:
        by_path.setdefault(entry.path, []).append(entry)
    for path, entries in by_path.items():
        if _row(path) not in (None, 0, 2):
            continue
        target = path.replace("[2]", "[1]")  # rows come back renumbered
        first = entries[0]
        fdef = form.field_at(_strip(path))
        assert fdef is not None
        kind = first.type
        if kind in ("person", "professional"):
            text = next(texts) if first.widget == "text" else "Ann Smith\nBob Jones"
            _text(answers, first, text)
            birth = [e for e in entries if e.type == DATE_OF_BIRTH_TYPE]
            if birth:  # on the reference, never in the data
                _text(answers, birth[0], DATE_OF_BIRTH)
            answers.references.append((target, kind, text, DATE_OF_BIRTH if birth else None))
        elif first.widget == "checkbox" and kind == "choices":
            picked = [entries[0], entries[-1]]
            for entry in entries:
                _tick(answers, entry, entry in picked)
            _expect(answers, target, [e.value for e in picked])
        elif first.widget == "checkbox":  # DOCX yes/no: one box ticked
            chosen = entries[-1]
            for entry in entries:
                _tick(answers, entry, entry is chosen)
            _expect(answers, target, chosen.value)
        elif first.widget == "radio":
            choice = first.choices[-1]
            answers.pypdf[first.name] = f"/{choice.state}"
            answers.pdfium[first.name] = choice.state
            _expect(answers, target, int(choice.value) if kind == "scale" else choice.value)
        elif first.widget == "select":
            choice = first.choices[1]
            answers.pypdf[first.name] = choice.state
            answers.pdfium[first.name] = choice.state
            answers.docx[first.name] = choice.label
            _expect(answers, target, int(choice.value) if kind == "scale" else choice.value)
        elif kind == "date":
            _text(answers, first, "27/03/2026")
            _expect(answers, target, {"day": "27", "month": "03", "year": "2026"})
        elif kind == "partial_date":
            typed, parts = next(partials)
            _text(answers, first, typed)
            _expect(answers, target, parts)
        elif kind == "number":
            _text(answers, first, "12")
            _expect(answers, target, "12")
        elif kind == "long_text":
            text = next(longs)
            _text(answers, first, text)
            _expect(answers, target, text)
        else:
            text = FORMATTED.get(fdef.param("format") or "", None) or next(texts)
            _text(answers, first, text)
            _expect(answers, target, text)
    # A row that has only a name in it is still a row (with the name to be matched).
    for path, *_ in answers.references:
        _touch(answers.expected, path)
    return answers


def _astral(text: str) -> bool:
    return any(ord(c) > 0xFFFF for c in text)


def _row(path: str) -> int | None:
    if "[" not in path:
        return None
    return int(path.split("[")[1].split("]")[0])


def _strip(path: str) -> str:
    import re

    return re.sub(r"\[\d+\]", "", path)


def _text(answers: Answers, entry: FieldEntry, text: str) -> None:
    answers.pypdf[entry.name] = text
    answers.pdfium[entry.name] = text
    answers.docx[entry.name] = text


def _tick(answers: Answers, entry: FieldEntry, on: bool) -> None:
    answers.pypdf[entry.name] = "/Yes" if on else "/Off"
    answers.pdfium[entry.name] = on
    answers.docx[entry.name] = on


def _expect(answers: Answers, path: str, value: Any) -> None:
    container = _touch(answers.expected, path)
    container[path.rsplit(".", 1)[1]] = value


def _touch(data: dict[str, Any], path: str) -> dict[str, Any]:
    section, rest = path.split(".", 1)
    node = data.setdefault(section, {})
    if "[" in rest:
        group, tail = rest.split("[", 1)
        index = int(tail.split("]")[0])
        rows = node.setdefault(group, [])
        while len(rows) <= index:
            rows.append({})
        row: dict[str, Any] = rows[index]
        return row
    return node  # type: ignore[no-any-return]


def fmap_of(formset: FormSet, form: str, fmt: str = "pdf") -> FieldMap:
    return field_map(formset, form, fmt)

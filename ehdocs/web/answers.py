"""What a received file says, question by question, as the sender wrote it (before any case):
the hub reads it before accepting the file. Each answer is shown by its field type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.fields import field_type, row_label
from ehdocs.schema.model import FieldDef, FormDefinition


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: list[AnswerRow]


def answer_sections(form: FormDefinition, data: Mapping[str, Any]) -> list[AnswerSection]:
    """The answered questions of each section of a document's raw (or case JSON) data."""
    out = []
    for section in form.sections:
        rows = answer_rows(section.fields, data.get(section.id) or {})
        if rows:
            out.append(AnswerSection(section.title, rows))
    return out


def answer_rows(
    fields: tuple[FieldDef, ...], values: Mapping[str, Any], prefix: str = ""
) -> list[AnswerRow]:
    rows: list[AnswerRow] = []
    for fdef in fields:
        value = values.get(fdef.id)
        if value in (None, "", [], {}):
            continue
        ftype = field_type(fdef.type)
        if ftype.is_group and isinstance(value, list):
            for i, row in enumerate(value):
                if isinstance(row, dict):
                    rows.extend(answer_rows(fdef.fields, row, f"{prefix}{row_label(fdef, i)}: "))
            continue
        if ftype.is_reference:
            continue  # shown with the people named on the form
        rows.append(AnswerRow(f"{prefix}{fdef.label}", ftype.display_sent(value, fdef)))
    return rows

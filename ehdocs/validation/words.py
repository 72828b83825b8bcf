"""Where a problem is, in the words of the forms: "Relationship 1, Second person" rather than
`relationships[0].person_b`. Every refusal a person reads (the pages, the command line) names
its place this way; the paths stay in the JSON output for programs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ehdocs.schema.model import FieldDef, FormDefinition, FormSet
from ehdocs.validation.problems import Problem

_INDEX = re.compile(r"\[(\d+)\]")
_DOCUMENT_PATH = re.compile(r"^documents\[(\d+)\](?:\.data\.(.+)|\.(\w+))?$")


def in_words(problem: Problem, formset: FormSet, raw: Mapping[str, Any] | None = None) -> str:
    """The problem as a person reads it: its place in words, then what is wrong."""
    where = place(problem, formset, raw)
    return f"{where}: {problem.message}" if where else problem.message


def place(problem: Problem, formset: FormSet, raw: Mapping[str, Any] | None = None) -> str:
    """The place of a problem in words, or "" when it is about the case as a whole."""
    if problem.document:
        form = formset.forms.get(problem.document.split(" ")[0])
        if form is None:
            return ""
        return _joined(form.title, _in_form(form, problem.path))
    found = _DOCUMENT_PATH.match(problem.path or "")
    if found:
        number = int(found.group(1))
        docs = list((raw or {}).get("documents") or [])
        form = None
        if number < len(docs) and isinstance(docs[number], Mapping):
            form = formset.forms.get(str(docs[number].get("form")))
        if form is None:
            return f"Document {number + 1}"
        return _joined(form.title, _in_form(form, found.group(2) or ""))
    return _in_records(formset, problem.path or "")


def _joined(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


def _rows(path: str) -> str:
    return ", ".join(f"row {int(n) + 1}" for n in _INDEX.findall(path))


def _in_form(form: FormDefinition, path: str) -> str:
    if not path:
        return ""
    bare = _INDEX.sub("", path)
    section = form.section(bare.split(".")[0])
    fdef = form.field_at(bare)
    rows = _rows(path)
    label = f"{fdef.label} ({rows})" if fdef and rows else (fdef.label if fdef else "")
    return _joined(section.title if section else "", label)


def _in_records(formset: FormSet, path: str) -> str:
    head = re.match(r"^(\w+)(?:\[(\d+)\])?(?:\.(.+))?$", path)
    if head is None:
        return ""
    key, number, rest = head.groups()
    record = next((r for r in formset.records.values() if r.key == key), None)
    if record is None:
        return ""
    where = f"{record.title} {int(number) + 1}" if number is not None else record.title
    fdef: FieldDef | None = None
    fields = record.fields
    for part in _INDEX.sub("", rest or "").split(".") if rest else []:
        fdef = next((f for f in fields if f.id == part), None)
        if fdef is None:
            break
        fields = fdef.fields
    return _joined(where, fdef.label if fdef else "")

"""Apply a form's `carry_forward:` declaration (ehdocs.schema.carry) to a case.

A new document starts with what the declaration takes from earlier documents and from the
case records, and remembers where each answer came from in its `carried` marks:

    {"into": "goals.goals", "form": "assessment", "document": "as1", "date": "2026-03-03"}
    {"into": "header.lead_practitioner", "records": "professionals"}

The copy is made once, when the document is made: a later change to the source never
rewrites it. `changes_since` says what an in-progress document would take now, so the page
can offer to update it explicitly.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ehdocs.case.model import Case, Document
from ehdocs.case.new import add_document
from ehdocs.schema.carry import CarryDef
from ehdocs.schema.model import FieldDef, FormDefinition

Mark = dict[str, Any]


def carried_data(
    case: Case, raw_case: Mapping[str, Any], form: FormDefinition, exclude: str | None = None
) -> tuple[dict[str, Any], list[Mark]]:
    """The data a new document of `form` starts with, and a mark for each answer carried
    (`exclude`: a document that is never its own source)."""
    data: dict[str, Any] = {}
    marks: list[Mark] = []
    done: set[str] = set()
    for carry in form.carry_forward:
        if carry.into in done:
            continue
        found = _value(case, raw_case, form, carry, exclude)
        if found is None:
            continue
        value, mark = found
        mark["digest"] = digest(value)
        section_id, _, field_id = carry.into.partition(".")
        data.setdefault(section_id, {})[field_id] = value
        marks.append(mark)
        done.add(carry.into)
    return data, marks


def add_carried_document(
    case: Case, raw_case: dict[str, Any], form: FormDefinition
) -> dict[str, Any]:
    """A new draft of `form` added to the raw case (the validated `case` is its state before),
    starting with what the form carries forward, marked."""
    data, marks = carried_data(case, raw_case, form)
    document = add_document(raw_case, form, data)
    if marks:
        document["carried"] = marks
    return document


def changes_since(
    case: Case, raw_case: Mapping[str, Any], raw_doc: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """For each carried answer of a document whose source has changed since it was carried
    (a newer source, or the same one changed), what the source says now:
    `{"into", "label", "now", "then", "mark"}`. Empty when nothing changed. Edits made in the
    document itself are not changes of the source."""
    form = case.formset.forms[raw_doc["form"]]
    now, marks = carried_data(case, raw_case, form, exclude=str(raw_doc.get("id")))
    data = raw_doc.get("data") or {}
    before = {m.get("into"): m for m in raw_doc.get("carried") or []}
    out = []
    for mark in marks:
        section_id, _, field_id = mark["into"].partition(".")
        then = (data.get(section_id) or {}).get(field_id)
        value = now[section_id][field_id]
        old = before.get(mark["into"])
        if old is None:  # not carried when the document was made: nothing to update
            continue
        if old.get("digest") != mark["digest"] or old.get("document") != mark.get("document"):
            target = form.field_at(mark["into"])
            label = target.label if target else mark["into"]
            out.append(
                {"into": mark["into"], "label": label, "now": value, "then": then, "mark": mark}
            )
    return out


def update_from_sources(
    case: Case, raw_case: dict[str, Any], doc_id: str, paths: list[str]
) -> dict[str, Any]:
    """A copy of the raw case where the draft `doc_id` takes the current source answers for
    `paths` (as `changes_since` lists them). A completed document is never changed."""
    raw = copy.deepcopy(raw_case)
    doc = next(d for d in raw.get("documents", []) if d.get("id") == doc_id)
    if doc.get("status") == "completed":
        raise ValueError("a completed document is not updated from its sources")
    for change in changes_since(case, raw_case, doc):
        if change["into"] not in paths:
            continue
        section_id, _, field_id = change["into"].partition(".")
        doc.setdefault("data", {}).setdefault(section_id, {})[field_id] = change["now"]
        marks = [m for m in doc.get("carried", []) if m.get("into") != change["into"]]
        doc["carried"] = [*marks, change["mark"]]
    return raw


def digest(value: Any) -> str:
    """A short fingerprint of a carried value, to tell later whether its source changed."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def marks_for(raw_doc: Mapping[str, Any], section_id: str) -> list[Mark]:
    """The carried marks of one section of a document."""
    return [
        m
        for m in raw_doc.get("carried") or []
        if str(m.get("into", "")).partition(".")[0] == section_id
    ]


def _value(
    case: Case,
    raw_case: Mapping[str, Any],
    form: FormDefinition,
    carry: CarryDef,
    exclude: str | None,
) -> tuple[Any, Mark] | None:
    target = form.field_at(carry.into)
    if target is None:
        return None
    if carry.from_records:
        return _from_records(raw_case, carry, target)
    source = _source_document(case, carry, exclude)
    if source is None:
        return None
    raw_doc = next(d for d in raw_case.get("documents", []) if d.get("id") == source.id)
    node: Any = raw_doc.get("data") or {}
    for part in carry.path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    if node in (None, "", [], {}):
        return None
    mark: Mark = {
        "into": carry.into,
        "form": source.form,
        "document": source.id,
        "date": source.process_date.isoformat() if source.process_date else None,
    }
    if not target.fields:
        return copy.deepcopy(node), mark
    rows = [_row(row, carry, target) for row in node if isinstance(row, Mapping)]
    return _capped(rows, target, mark)


def _source_document(case: Case, carry: CarryDef, exclude: str | None) -> Document | None:
    documents = [d for d in case.documents_of(carry.source) if d.id != exclude]  # process order
    if not documents:
        return None
    return documents[0] if carry.which == "earliest" else documents[-1]


def _from_records(
    raw_case: Mapping[str, Any], carry: CarryDef, target: FieldDef
) -> tuple[Any, Mark] | None:
    rows = [
        r
        for r in raw_case.get(carry.path) or []
        if isinstance(r, Mapping)
        if all(_same(r.get(k), v) for k, v in carry.where.items())
    ]
    if not rows:
        return None
    mark: Mark = {"into": carry.into, "records": carry.path}
    if target.fields:
        return _capped([_row(r, carry, target) for r in rows], target, mark)
    value = rows[0].get(carry.take or "id")
    return None if value in (None, "") else (copy.deepcopy(value), mark)


def _same(answer: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool):  # YAML `yes` for a yes_no answer stored as "yes"
        wanted = "yes" if wanted else "no"
    return answer == wanted or str(answer) == str(wanted)


def _row(row: Mapping[str, Any], carry: CarryDef, target: FieldDef) -> dict[str, Any]:
    mapping = carry.fields or {f.id: f.id for f in target.fields if f.id in row}
    out = {}
    for here, there in mapping.items():
        value = row.get(there)
        if value not in (None, "", []):
            out[here] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """A value as raw JSON (records in a validated case hold dates and such)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return copy.deepcopy(value)


def _capped(rows: list[dict[str, Any]], target: FieldDef, mark: Mark) -> tuple[Any, Mark] | None:
    rows = [r for r in rows if r]
    if not rows:
        return None
    most = target.param("max_rows")
    if most is not None and len(rows) > int(most):
        mark["left_out"] = len(rows) - int(most)
        rows = rows[: int(most)]
    return rows, mark


__all__ = [
    "add_carried_document",
    "carried_data",
    "changes_since",
    "digest",
    "marks_for",
    "update_from_sources",
]

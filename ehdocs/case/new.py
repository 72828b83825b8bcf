"""New things in a case, as raw case JSON: the one id allocator, and the one way to start a case
and to add a document, used alike by the web pages and by the hub's ingestion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from ehdocs.case.model import FORMAT, FORMAT_VERSION
from ehdocs.schema.model import FormDefinition

# Ids are short and say what they name (p1 a person, pr1 a professional): a record's id is
# written into documents and links, so it never changes once given. Ids of any other shape in
# stored cases (the examples' `cn1`, a web-made `w1`) stay valid: only new ones use these.
RECORD_ID_PREFIXES: Mapping[str, str] = MappingProxyType(
    {
        "person": "p",
        "relationship": "r",
        "household": "h",
        "professional": "pr",
        "consent": "k",
        "chronology_event": "e",
        "outcome_score": "s",
        "ecomap_link": "m",
        "allocation": "al",
        "case_note": "n",
        "oversight_note": "o",
        "family_feedback": "f",
        "attachment": "at",
    }
)
OTHER_RECORD_PREFIX = "x"  # a record a council profile adds


def next_id(prefix: str, taken: Collection[Any], start: int = 1) -> str:
    """The first `<prefix><n>` from n = start that is not taken."""
    number = start
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def new_record_id(record: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """A new id for a record of this kind (`person`, `professional`…) among the case's rows of
    that kind, numbered on from how many there are."""
    prefix = RECORD_ID_PREFIXES.get(record, OTHER_RECORD_PREFIX)
    return next_id(prefix, {r.get("id") for r in rows}, start=len(rows) + 1)


def new_document_id(raw_case: Mapping[str, Any], form: str) -> str:
    """A new document id: the form's first two letters and the first free number (no1, pl2)."""
    return next_id(form[:2], {d.get("id") for d in raw_case.get("documents", [])})


def only_copy(raw_case: Mapping[str, Any], form: FormDefinition) -> Mapping[str, Any] | None:
    """The case's document of a form a case holds only one of (a notification, an assessment,
    a closure), when it has it already; None for a repeatable form."""
    if form.repeatable:
        return None
    documents = raw_case.get("documents", [])
    return next((d for d in documents if d.get("form") == form.form), None)


def add_document(
    raw_case: dict[str, Any], form: FormDefinition, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A new draft document of a form, with a new id, added to the raw case; returned."""
    document = {
        "id": new_document_id(raw_case, form.form),
        "form": form.form,
        "form_version": form.version,
        "status": "draft",
        "data": {} if data is None else data,
    }
    raw_case.setdefault("documents", []).append(document)
    return document


def empty_case(profile: str, reference: str, created: dt.date) -> dict[str, Any]:
    """The raw JSON of a case with nothing in it yet."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "profile": profile,
        "reference": reference,
        "created": created.isoformat(),
    }

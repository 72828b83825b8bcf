"""Who may see what: the case filtered for one audience before anything is rendered from it.

Every output for an audience (the PDF's text, the DOCX, the embedded machine-readable copy) is
made from this filtered case, so a family copy cannot show what it does not hold.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.model import Case, Document
from ehdocs.schema.model import AUDIENCES, FieldDef, RecordDef
from ehdocs.schema.versions import document_definition

# AUDIENCES (family ⊂ professional ⊂ hub) is the one list of copies: the CLI, the web and the
# outputs take theirs from here.
COPY_NAMES = {"family": "Family copy", "professional": "Professional copy", "hub": "Hub copy"}


# The service's stored files by SHA-256 (ehdocs.storage.blobs.BlobStore.get).
Files = Callable[[str], "bytes | None"]


@dataclass(frozen=True)
class CaseView(Case):
    """The case as one audience may see it. Made once per render, by `for_audience`, and passed
    down to everything the render draws (the document, the diagrams, the embedded copy)."""

    audience: str
    # When each document's events happened, taken from the whole case: a process milestone (the
    # hub's decision) belongs in every copy's chronology although its section is the hub's own.
    event_dates: Mapping[tuple[str, str], dt.date] = dataclasses.field(default_factory=dict)
    # The files kept with the case's attachment records, by SHA-256 (the service's store), so a
    # pack can show the pictures from direct work; None where there is no store (a case file).
    files: Files | None = dataclasses.field(default=None, compare=False)

    def event_date(self, doc: Document, event: Any) -> Any:
        return self.event_dates.get((doc.id, event.id), doc.answer(event.date))


def can_see(item_audience: str, copy: str) -> bool:
    return AUDIENCES.index(item_audience) <= AUDIENCES.index(copy)


def for_audience(case: Case, copy: str, files: Files | None = None) -> CaseView:
    """A copy of the case holding only what `copy` may see; `files`: the stored files of its
    attachment records, by SHA-256."""
    if copy not in AUDIENCES:
        raise ValueError(f"unknown audience {copy!r}")
    fs = case.formset
    hidden_people = _protected_people(case) if copy == "family" else set()
    data: dict[str, Any] = {k: v for k, v in case.data.items() if k not in _record_keys(case)}
    for record in fs.records.values():
        rows: list[dict[str, Any]] = []
        if not can_see(record.audience, copy):
            data[record.key] = rows
            continue
        for row in case.records(record.key):
            if copy == "family" and not _family_may_see(record, row):
                continue
            kept = _filter_fields(record.fields, row, copy)
            kept["id"] = row["id"]
            # Where someone can be found is what the schema marks `contact: true`, so a field a
            # council adds is left out as surely as the address ehdocs ships with.
            contact = record.contact_fields()
            if record.name == "person" and row["id"] in hidden_people:
                kept = {k: v for k, v in kept.items() if k not in contact}
            if record.name == "household" and copy == "family" and row.get("confidential") == "yes":
                kept = {k: v for k, v in kept.items() if k not in contact}
            rows.append(kept)
        data[record.key] = rows
    data["documents"] = [_document(d, fs, copy) for d in case.data.get("documents") or []]
    return CaseView(data, fs, copy, _event_dates(case), files)


def _family_may_see(record: RecordDef, row: Mapping[str, Any]) -> bool:
    """A record's `family_if` (a chronology entry, a case note, an attachment marked for the
    family): only the rows it holds for go into a family copy."""
    if record.family_if is None:
        return True
    return record.family_if.holds(lambda path: row.get(path.rsplit(".", 1)[-1]))


def _event_dates(case: Case) -> dict[tuple[str, str], dt.date]:
    dates = {}
    for doc in case.documents:
        for event in doc.definition.events:
            if isinstance(when := case.event_date(doc, event), dt.date):
                dates[(doc.id, event.id)] = when
    return dates


def _record_keys(case: Case) -> set[str]:
    return {r.key for r in case.formset.records.values()}


def _protected_people(case: Case) -> set[str]:
    """People whose whereabouts a family copy must not reveal (e.g. fleeing domestic abuse)."""
    protected = {p["id"] for p in case.people if p.get("contact_details_confidential") == "yes"}
    for consent in case.records("consents"):
        protected.update(consent.get("not_shared_with") or [])
    return protected


def _document(doc: Mapping[str, Any], fs: Any, copy: str) -> dict[str, Any]:
    form = document_definition(fs, doc)  # a completed document keeps its form version
    data = doc.get("data") or {}
    sections = {
        s.id: _filter_fields(s.fields, data.get(s.id) or {}, copy)
        for s in form.sections
        if can_see(s.audience, copy) and s.id in data
    }
    # answers a later version removed (`history`) are kept for the professionals only
    left_out = ("data", "history") if copy == "family" else ("data",)
    return {**{k: v for k, v in doc.items() if k not in left_out}, "data": sections}


def _filter_fields(
    fields: tuple[FieldDef, ...], answers: Mapping[str, Any], copy: str
) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for field in fields:
        if field.id not in answers or not can_see(field.audience, copy):
            continue
        value = answers[field.id]
        if field.fields and isinstance(value, list):
            value = [_filter_fields(field.fields, row, copy) for row in value]
        kept[field.id] = value
    return kept

"""The chronology: the case's significant events and the dates its documents record, in order.

Events from the documents come from each form's `events` in its schema (request received, hub
decision, assessment started and completed, plan agreed, each review, closure), so a council's
own form adds its own events without code. Partial dates sort by their earliest possible day.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.model import Case
from ehdocs.fields import PartialDate, field_type
from ehdocs.schema.model import FieldDef


@dataclass(frozen=True)
class Entry:
    date: PartialDate
    event: str
    source: str = ""
    impact: str = ""
    action: str = ""
    family_visible: bool = True
    origin: str = "case"  # "case" for the chronology records, else the document's form
    time: str = ""  # HH:MM where the record gives one (a visit, an allocation)

    @property
    def when(self) -> str:
        return self.date.human()

    @property
    def precision(self) -> str:
        return "approximate" if self.date.approximate else self.date.precision


def chronology(case: Case, family: bool = False) -> list[Entry]:
    """Every entry, sorted by earliest possible day; a family copy keeps family-visible ones."""
    entries = [_from_record(row, case) for row in case.records("chronology")]
    entries += _from_case_work(case, family)
    entries += _from_documents(case, family)
    if family:
        entries = [e for e in entries if e.family_visible]
    order = {"day": 0, "month": 1, "year": 2}
    return sorted(
        entries,
        key=lambda e: (e.date.earliest(), order[e.date.precision], e.date.approximate, e.time),
    )


def _from_record(row: Mapping[str, Any], case: Case) -> Entry:
    return Entry(
        date=row["date"],
        event=row["event"],
        source=row.get("source") or "",
        impact=row.get("impact") or "",
        action=row.get("action") or "",
        # A family view of the case no longer holds the (professional-only) flag: what is left
        # in it was already chosen as family-visible.
        family_visible=row.get("family_visible", "yes") == "yes",
    )


class _Shown:
    """What a record's answer looks like in the chronology's words (names, option labels)."""

    def __init__(self, case: Case, family: bool) -> None:
        self.case = case
        self.family = family

    def person_name(self, person_id: str) -> str:
        return self.case.person_name(person_id)

    def professional_name(self, professional_id: str) -> str:
        return self.case.professional_name(professional_id)


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _from_case_work(case: Case, family: bool) -> list[Entry]:
    """Entries from the records whose schema says how they appear (case.yaml `chronology:`):
    allocations, case notes, oversight, feedback, attachments. The case given is already the
    audience's view, so a family copy only holds the rows and answers it may see."""
    shown = _Shown(case, family)
    entries = []
    for record in case.formset.records.values():
        spec = record.chronology
        if spec is None:
            continue
        fields = {f.id: f for f in record.fields}
        template = (spec.family_text or spec.text) if family else spec.text
        for row in case.records(record.key):
            when = row.get(spec.date)
            if isinstance(when, dt.date):
                when = PartialDate(when.year, when.month, when.day)
            if not isinstance(when, PartialDate):
                continue
            source = _words(spec.source or "", row, fields, shown)
            entries.append(
                Entry(
                    date=when,
                    event=_words(template, row, fields, shown) or record.title,
                    source=source or record.title,
                    time=str(row.get(spec.time) or "") if spec.time else "",
                    origin=record.name,
                )
            )
    return entries


def _words(
    template: str, row: Mapping[str, Any], fields: Mapping[str, FieldDef], shown: _Shown
) -> str:
    """The template with each {field} replaced by its answer as shown; the separators around
    an unanswered one go with it ("Allocated: Team A, " is "Allocated: Team A")."""

    def answer(match: re.Match[str]) -> str:
        fdef, value = fields[match[1]], row.get(match[1])
        if value in (None, "", []):
            return ""
        ftype = field_type(fdef.type)
        if isinstance(value, list):
            return ", ".join(ftype.display(v, fdef, shown) for v in value)
        return ftype.display(value, fdef, shown)

    text = _PLACEHOLDER.sub(answer, template).strip()
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"(?:\s*[,:]\s*)+$", "", text)
    text = re.sub(r"^(?:\s*[,:]\s*)+", "", text)
    return re.sub(r"\s*,\s*,", ",", text).strip()


def _from_documents(case: Case, family: bool) -> list[Entry]:
    entries = []
    for doc in case.documents:
        form = doc.definition
        for event in form.events:
            value = case.event_date(doc, event)
            if not isinstance(value, dt.date):
                continue  # not recorded yet, or not in this audience's view of the case
            text = (event.family_text or event.text) if family else event.text
            entries.append(
                Entry(
                    date=PartialDate(value.year, value.month, value.day),
                    event=text,
                    source=(form.family_title or form.title) if family else form.title,
                    origin=form.form,
                )
            )
    return entries


def by_year(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    years: dict[int, list[Entry]] = {}
    for entry in entries:
        years.setdefault(entry.date.year, []).append(entry)
    return [(str(year), rows) for year, rows in years.items()]


def chunks(
    entries: list[Entry], most: int = 400, workers: int | None = None
) -> list[list[tuple[str, list[Entry]]]]:
    """Equal parts of at most `most` entries, as many as a multiple of the cores, so a long
    chronology renders in parallel without one part finishing last; a year split between
    parts carries on in the next. (WeasyPrint's time grows with the text, so equal counts of
    entries are about equal work.)"""
    if not entries:
        return []
    cores = workers or os.cpu_count() or 1
    count = -(-len(entries) // most)
    count = -(-count // cores) * cores if count > 1 else 1
    size = -(-len(entries) // count)
    parts = []
    for start in range(0, len(entries), size):
        parts.append(by_year(entries[start : start + size]))
    return parts

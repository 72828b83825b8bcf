"""The chronology: the case's significant events and the dates its documents record, in order.

Events from the documents come from each form's `events` in its schema (request received, hub
decision, assessment started and completed, plan agreed, each review, closure), so a council's
own form adds its own events without code. Partial dates sort by their earliest possible day.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.model import Case
from ehdocs.fields import PartialDate


@dataclass(frozen=True)
class Entry:
    date: PartialDate
    event: str
    source: str = ""
    impact: str = ""
    action: str = ""
    family_visible: bool = True
    origin: str = "case"  # "case" for the chronology records, else the document's form

    @property
    def when(self) -> str:
        return self.date.human()

    @property
    def precision(self) -> str:
        return "approximate" if self.date.approximate else self.date.precision


def chronology(case: Case, family: bool = False) -> list[Entry]:
    """Every entry, sorted by earliest possible day; a family copy keeps family-visible ones."""
    entries = [_from_record(row, case) for row in case.records("chronology")]
    entries += _from_documents(case, family)
    if family:
        entries = [e for e in entries if e.family_visible]
    order = {"day": 0, "month": 1, "year": 2}
    return sorted(
        entries, key=lambda e: (e.date.earliest(), order[e.date.precision], e.date.approximate)
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

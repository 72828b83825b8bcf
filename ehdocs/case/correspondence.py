"""A letter produced by ehdocs, recorded on the case as correspondence: a case note of the kind
`correspondence` (case.yaml), dated the day it was produced, saying which letter went to whom, in
which format and who produced it. A case note is in the chronology by its schema (`chronology:`),
so the one row is both the case's record of the letter and its chronology entry, and it flows
into the packs like any other note. A letter to the family is family-visible (the family has the
letter: the entry says nothing more than the letter's title and whom it went to); any other
letter is for professionals only.

Both ways in (the case page and `ehdocs letter --record`) add the row with `with_letter` and
save the case through the one validation path.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.model import Case
from ehdocs.case.new import new_record_id
from ehdocs.case.notes import CASE_NOTE
from ehdocs.case.stamps import keep_and_stamp
from ehdocs.schema import roles
from ehdocs.schema.model import FormSet

KIND, DATE, TIME, SUMMARY, FAMILY_VISIBLE = "kind", "date", "time", "summary", "family_visible"
SENT = "Letter sent: "  # how every letter's note begins (and how the case page finds them)


@dataclass(frozen=True)
class SentLetter:
    """What the record says of one letter: never its content, only what it was and where."""

    title: str  # the letter type's title
    recipient: str  # the recipient's name
    recipient_role: str  # "parent or carer", the referrer's role and agency…
    fmt: str  # pdf | docx
    produced_by: str  # the practitioner's name (or "the command line")
    family: bool  # a letter to the family: the entry may appear in the family's copy

    @property
    def summary(self) -> str:
        role = f" ({self.recipient_role})" if self.recipient_role else ""
        return (
            f"{SENT}{self.title}, to {self.recipient}{role}. "
            f"{self.fmt.upper()}, produced by {self.produced_by}."
        )


def with_letter(
    raw: Mapping[str, Any], formset: FormSet, sent: SentLetter, now: dt.datetime
) -> dict[str, Any]:
    """The case with the letter recorded as a correspondence note dated `now` (local time)."""
    record = formset.records[CASE_NOTE]
    out = copy.deepcopy(dict(raw))
    rows = out.setdefault(record.key, [])
    values: dict[str, Any] = {
        KIND: roles.CORRESPONDENCE,
        DATE: now.date().isoformat(),
        TIME: now.strftime("%H:%M"),
        SUMMARY: sent.summary,
        FAMILY_VISIBLE: "yes" if sent.family else "no",
    }
    values = keep_and_stamp(record, values, None, now)
    rows.append({"id": new_record_id(record.name, rows), **values})
    return out


def letters_sent(case: Case) -> list[Mapping[str, Any]]:
    """The letters recorded on the case, newest first: (date, time, summary, family_visible)."""
    notes = case.records(case.formset.records[CASE_NOTE].key)
    found = [
        n
        for n in notes
        if n.get(KIND) == roles.CORRESPONDENCE and str(n.get(SUMMARY) or "").startswith(SENT)
    ]
    return sorted(found, key=lambda n: (str(n.get(DATE)), str(n.get(TIME) or "")), reverse=True)

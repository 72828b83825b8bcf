"""Rectification: a person's details corrected once, in the case's people. Every document refers
to the person by id ("tell us once"), so every document, completed ones included, shows the
correction when it is next rendered. The case's chronology gets a dated entry saying whose
details were corrected, which of them, by whom and why (never the old values)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from ehdocs.case.new import new_record_id
from ehdocs.case.stamps import keep_and_stamp, now_local
from ehdocs.errors import NotFoundError
from ehdocs.schema import roles
from ehdocs.schema.model import FieldDef, FormSet, RecordDef

CHRONOLOGY = "chronology_event"  # the record a correction is entered in


def person_record(formset: FormSet) -> RecordDef:
    return formset.records[roles.PERSON]


def person_row(raw: Mapping[str, Any], formset: FormSet, person_id: str) -> dict[str, Any]:
    """The person's row as the case keeps it; NotFoundError when the case has no such person."""
    key = person_record(formset).key
    found = next((p for p in raw.get(key) or [] if p.get("id") == person_id), None)
    if found is None:
        raise NotFoundError("This person is not in the case (they may have been removed)")
    return dict(found)


def corrected(
    raw: Mapping[str, Any], formset: FormSet, person_id: str, answers: dict[str, Any]
) -> dict[str, Any]:
    """The case with the person's answers replaced by `answers` (raw, as a form gives them);
    what ehdocs itself recorded on the person is kept."""
    record = person_record(formset)
    current = person_row(raw, formset, person_id)
    values = keep_and_stamp(record, dict(answers), current, now_local())
    values["id"] = person_id
    out = copy.deepcopy(dict(raw))
    rows = out[record.key]
    rows[[r.get("id") for r in rows].index(person_id)] = values
    return out


def changed_fields(
    formset: FormSet, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[FieldDef, ...]:
    """The person's fields whose stored value differs (both as stored: validated and dumped)."""
    return tuple(
        f
        for f in person_record(formset).fields
        if not f.set_by_ehdocs and _value(before.get(f.id)) != _value(after.get(f.id))
    )


def _value(value: Any) -> Any:
    return None if value in (None, "", []) else value


def with_entry(
    raw: Mapping[str, Any],
    formset: FormSet,
    name: str,
    changed: tuple[FieldDef, ...],
    reason: str,
    source: str,
    day: dt.date,
) -> dict[str, Any]:
    """The case with a chronology entry for the correction, dated `day`, for professionals."""
    record = formset.records[CHRONOLOGY]
    out = copy.deepcopy(dict(raw))
    rows = out.setdefault(record.key, [])
    what = _in_words([label_in_text(f.label) for f in changed])
    entry = {
        "id": new_record_id(record.name, rows),
        "date": day.isoformat(),
        "event": f"Details corrected: {name}'s {what}. Reason: {reason.strip()}",
        "source": source,
        "family_visible": "no",
    }
    rows.append(entry)
    return out


def label_in_text(label: str) -> str:
    """ "Date of birth" -> "date of birth"; "NHS number" stays as it is."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _in_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

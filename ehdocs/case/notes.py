"""Case notes are written within `note_written_within_hours` (24) of the contact: a note written
later asks why (its `late_reason`). The record keeps both when the contact happened (its date
and time) and when the note was written (`written_at`, stamped by ehdocs on the first save)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ehdocs.fields import Invalid, field_type
from ehdocs.schema.model import FieldDef

LONDON = ZoneInfo("Europe/London")
CASE_NOTE = "case_note"
LATE_REASON = "late_reason"
TIME = FieldDef(id="time", type="time", label="Time", path="case_note.time")


def happened_at(note: Mapping[str, Any]) -> dt.datetime | None:
    """When the contact happened: its date, at its time if given (else the end of that day,
    so a note is never called late for want of a time)."""
    day = note.get("date")
    if isinstance(day, Mapping):  # the date boxes of a web page, as typed
        try:
            day = dt.date(int(day["year"]), int(day["month"]), int(day["day"]))
        except (KeyError, TypeError, ValueError):
            return None
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return None
    if not isinstance(day, dt.date):
        return None
    clock = dt.time(23, 59, 59)
    if note.get("time"):
        try:  # as typed ("9.30am"), read as the time field reads it
            typed = field_type("time").parse(note["time"], TIME)
            clock = dt.time.fromisoformat(typed)
        except (Invalid, ValueError):
            pass
    return dt.datetime.combine(day, clock, tzinfo=LONDON)


def written_late(note: Mapping[str, Any], written: dt.datetime, within_hours: int) -> bool:
    """Was this note written more than `within_hours` after the contact?"""
    when = happened_at(note)
    if when is None:
        return False
    if written.tzinfo is None:
        written = written.replace(tzinfo=LONDON)
    return written - when > dt.timedelta(hours=within_hours)


def written_at(note: Mapping[str, Any]) -> dt.datetime | None:
    value = note.get("written_at")
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def late_reason_needed(note: Mapping[str, Any], within_hours: int) -> str | None:
    """The message for a late note saved without its reason, or None."""
    when = written_at(note)
    if when is None or str(note.get(LATE_REASON) or "").strip():
        return None
    if not written_late(note, when, within_hours):
        return None
    return f"Enter why this note was written more than {within_hours} hours after the contact"

"""The answers ehdocs writes itself into a record (`set_by_ehdocs: true`) when it is saved.

A `timestamp` field is stamped with the time of the save that first creates the record, or, with
`stamp_when`, of the first save that makes its condition hold (a manager's sign-off). A value
already stored is never changed by a later save, and nothing a form sends can set one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ehdocs.fields import field_type
from ehdocs.schema.conditions import parse_condition
from ehdocs.schema.model import RecordDef


def keep_and_stamp(
    record: RecordDef,
    values: dict[str, Any],
    current: Mapping[str, Any] | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """`values` (raw answers from a form) with the record's ehdocs-set answers restored from the
    stored row and any timestamp now due added."""
    for fdef in record.fields:
        if not fdef.set_by_ehdocs:
            continue
        kept = (current or {}).get(fdef.id)
        if kept not in (None, ""):
            values[fdef.id] = kept
            continue
        values.pop(fdef.id, None)
        if not field_type(fdef.type).stamped:
            continue
        when = fdef.param("stamp_when")
        if when is None:
            if current is None:
                values[fdef.id] = _iso(now)
            continue
        condition = parse_condition(when, _ignore)
        if condition is not None and condition.holds(lambda path: values.get(path.split(".")[-1])):
            values[fdef.id] = _iso(now)
    return values


def now_local() -> dt.datetime:
    """Now, as the clocks in England show it (the times a practitioner reads back)."""
    return dt.datetime.now(ZoneInfo("Europe/London"))


def _iso(now: dt.datetime) -> str:
    return now.replace(microsecond=0).isoformat()


def _ignore(message: str) -> None:
    """The loader has checked the condition already."""

"""Allocation and transfer of a case: the record the history keeps (case.yaml `allocation`).

The web action that allocates sets the case's team and worker (what access reads) and appends
the record this module builds, in one save: the records are the one history of who held the
case, from the hub's decision onwards.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ehdocs.case.new import new_record_id

ALLOCATION_RECORD = "allocation"
ALLOCATIONS = "allocations"


@dataclass(frozen=True)
class Holder:
    """Who holds a case: a team's name, and the worker's e-mail address (or None)."""

    team: str | None
    worker: str | None


class AllocationProblem(ValueError):
    """What is wrong with an allocation, in words for the person allocating."""


def allocated(
    raw: dict[str, Any],
    before: Holder,
    after: Holder,
    when: dt.datetime,
    handover_summary: str = "",
) -> dict[str, Any]:
    """A copy of the case JSON with the allocation (or transfer) from `before` to `after`
    appended; a transfer is a change of worker or team of a case held already."""
    if not after.team:
        raise AllocationProblem("Select the team to allocate the case to")
    if before == after:
        raise AllocationProblem("The case is already allocated to this team and worker")
    transfer = before.team is not None and (before.team != after.team or before.worker is not None)
    summary = handover_summary.strip()
    if transfer and not summary:
        raise AllocationProblem(
            "Enter a handover summary: what the new worker needs to know to carry on the work"
        )
    out = copy.deepcopy(raw)
    rows = out.setdefault(ALLOCATIONS, [])
    record: dict[str, Any] = {
        "id": new_record_id(ALLOCATION_RECORD, rows),
        "kind": "transfer" if transfer else "allocation",
        "date": when.date().isoformat(),
        "time": f"{when:%H:%M}",
        "team": after.team,
    }
    if after.worker:
        record["worker"] = after.worker
    if transfer:
        if before.team:
            record["from_team"] = before.team
        if before.worker:
            record["from_worker"] = before.worker
        record["handover_summary"] = summary
    rows.append(record)
    return out

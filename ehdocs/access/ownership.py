"""A Team Around the Family member writes only their own rows of a section they may write.

The policy lets a TAF member with an account write the sections the forms mark `taf_edit`
(review updates, the plan's actions). Where a repeating group says whose each row is
(`owned_by: <professional question>` on the group, for example the plan's "who will do it"),
they may add, change and remove only the rows that name them — a professional record of the
case with their e-mail address — and every row of anyone else must come back exactly as it
was. This is checked on the data that would be saved, whatever the page sent.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ehdocs.fields.types import row_label
from ehdocs.schema.model import FieldDef, SectionDef
from ehdocs.validation.problems import Problem


def professionals_of(case: Mapping[str, Any], email: str) -> frozenset[str]:
    """The ids of the case's professional records with this e-mail address."""
    wanted = email.strip().lower()
    return frozenset(
        str(row.get("id"))
        for row in case.get("professionals") or []
        if wanted and str(row.get("email") or "").strip().lower() == wanted
    )


def owned_groups(section: SectionDef) -> Iterable[FieldDef]:
    """The section's repeating groups whose rows each belong to one professional."""
    return (f for f in section.fields if f.fields and f.param("owned_by"))


def others_rows_changed(
    section: SectionDef,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    mine: frozenset[str],
    document: str | None,
) -> list[Problem]:
    """Problems, one per row, where `after` adds, changes or removes a row someone else owns.

    Rows are compared by content, so reordering is not a change. `mine` is the professional
    record ids of the person saving; a filled-in row that names nobody is not theirs.
    """
    problems: list[Problem] = []
    for group in owned_groups(section):
        owner = str(group.param("owned_by"))
        item = str(group.param("item_name", "entry"))
        path = f"{section.id}.{group.id}"

        def theirs(row: Any, owner: str = owner) -> bool:
            if not isinstance(row, Mapping):
                return True
            if _empty(row):
                return False  # an empty row ("Add another") is nobody's until it is filled in
            return str(row.get(owner) or "") not in mine

        kept = Counter(_key(r) for r in before.get(group.id) or [] if theirs(r))
        flagged = 0
        for index, row in enumerate(after.get(group.id) or []):
            if not theirs(row):
                continue
            if kept[_key(row)] > 0:
                kept[_key(row)] -= 1
                continue
            flagged += 1
            problems.append(
                Problem(
                    document,
                    f"{path}[{index}].{owner}",
                    f"{row_label(group, index)} is not yours: you can add or change only the"
                    f" {item}s that name you. Choose yourself, or ask the lead professional"
                    " to make this change",
                )
            )
        removed = sum(kept.values()) - flagged  # a changed row is flagged above, not here
        if removed > 0:
            problems.append(
                Problem(
                    document,
                    path,
                    f"You removed {removed} {item}{'s' if removed > 1 else ''} of someone"
                    f" else: you can remove only the {item}s that name you. Reload the page to"
                    " see them as they were",
                )
            )
    return problems


def _key(row: Any) -> str:
    """A row's content, the same whether an unanswered question is absent or empty."""
    if isinstance(row, Mapping):
        row = {k: v for k, v in row.items() if not _empty(v)}
    return json.dumps(row, sort_keys=True, default=str)


def _empty(value: Any) -> bool:
    """Unanswered: nothing, or a date's boxes all left empty."""
    if isinstance(value, Mapping):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    return value is None or value == ""

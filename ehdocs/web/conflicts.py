"""Two people changing the same page: a save is refused only when the answers *this page*
was built from (a document section, or one record) changed since it was opened, never because
something else in the case did. Then the person sees, question by question, what they typed
beside what the other person saved, and chooses (one by one, or all at once); a second Save
without choosing is refused. Nothing is ever overwritten silently.

The page carries a fingerprint of the saved answers it was built from (`answers`), and on the
conflict page the questions still to choose (`conflicts`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import abort

from ehdocs.case.model import Case
from ehdocs.fields import Invalid, field_type
from ehdocs.fields.types import row_label
from ehdocs.schema.model import FieldDef
from ehdocs.web.pages import html_name

FINGERPRINT = "answers"  # the hidden field: what the page was built from
PENDING = "conflicts"  # the hidden field of a conflict page: questions still to choose
KEEP_MINE, USE_THEIRS = "mine", "theirs"
ALL_MINE, ALL_THEIRS = "conflict:mine", "conflict:theirs"  # the two "all at once" buttons
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
NOT_ANSWERED = "Not answered"


def fingerprint(answers: Any) -> str:
    """The SHA-256 of saved answers in a canonical form: the same answers, the same print."""
    text = json.dumps(answers or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def posted_fingerprint(form: Mapping[str, str]) -> str:
    """The fingerprint a POSTed page carries; a page without one is not ours (400)."""
    value = str(form.get(FINGERPRINT, ""))
    if not _FINGERPRINT.match(value):
        abort(400)
    return value


@dataclass(frozen=True)
class Difference:
    """One question whose answer typed here differs from the one saved meanwhile."""

    id: str  # the question's id in the section or record
    name: str  # the choice's HTML name
    label: str
    typed: str  # both as a reader sees them
    saved: str
    error: str | None = None


class Names:
    """How answers that name people and professionals are shown on the conflict page."""

    family = False

    def __init__(self, case: Case) -> None:
        self.case = case

    def person_name(self, person_id: str) -> str:
        return self.case.person_name(person_id)

    def professional_name(self, professional_id: str) -> str:
        return self.case.professional_name(professional_id)


def resolve(
    fields: tuple[FieldDef, ...],
    typed: dict[str, Any],
    saved: Mapping[str, Any],
    form: Mapping[str, str],
    prefix: str,
    case: Case,
) -> tuple[dict[str, Any], list[Difference]]:
    """The answers to save, and the questions the person must still choose between (if any,
    nothing is saved: the page shows them, with 409)."""
    names = Names(case)
    if posted_fingerprint(form) != fingerprint(saved):
        return typed, differences(fields, typed, saved, prefix, names)
    asked = pending(form)
    if not asked:
        return typed, []
    action = str(form.get("action", ""))
    chosen, unchosen = choose(fields, typed, saved, asked, form, prefix, action)
    refused = [
        replace(d, error=unchosen_message(d.label))
        for d in differences(fields, chosen, saved, prefix, names)
        if d.id in unchosen
    ]
    return chosen, refused


def differences(
    fields: tuple[FieldDef, ...],
    typed: Mapping[str, Any],
    saved: Mapping[str, Any],
    prefix: str,
    names: Names,
) -> list[Difference]:
    """The questions whose typed answer is not the saved one, in the page's order."""
    found = []
    for fdef in fields:
        mine, theirs = typed.get(fdef.id), saved.get(fdef.id)
        if _canonical(fdef, mine) == _canonical(fdef, theirs):
            continue
        found.append(
            Difference(
                id=fdef.id,
                name=f"conflict-{html_name(f'{prefix}.{fdef.id}')}",
                label=fdef.label,
                typed=_shown(fdef, mine, names),
                saved=_shown(fdef, theirs, names),
            )
        )
    return found


def pending(form: Mapping[str, str]) -> list[str]:
    """The questions the conflict page asked about (ids, as the page sent them)."""
    return [p for p in str(form.get(PENDING, "")).split() if p]


def choose(
    fields: tuple[FieldDef, ...],
    typed: dict[str, Any],
    saved: Mapping[str, Any],
    asked: list[str],
    form: Mapping[str, str],
    prefix: str,
    action: str,
) -> tuple[dict[str, Any], list[str]]:
    """The answers to save after the person's choices, and the questions not chosen yet."""
    chosen = dict(typed)
    unchosen = []
    by_id = {f.id: f for f in fields}
    for question in asked:
        fdef = by_id.get(question)
        if fdef is None:
            continue
        choice = {ALL_MINE: KEEP_MINE, ALL_THEIRS: USE_THEIRS}.get(action) or form.get(
            f"conflict-{html_name(f'{prefix}.{fdef.id}')}"
        )
        if choice == USE_THEIRS:
            if question in saved:
                chosen[question] = saved[question]
            else:
                chosen.pop(question, None)
        elif choice != KEEP_MINE:
            unchosen.append(question)
    return chosen, unchosen


def unchosen_message(label: str) -> str:
    return f"Choose whether to keep your answer or theirs to ‘{label}’"


def _canonical(fdef: FieldDef, value: Any) -> Any:
    """An answer as the case would keep it, so typed and saved answers compare fairly."""
    if value in (None, "", [], {}):
        return None
    if fdef.fields:
        rows = value if isinstance(value, list) else []
        return [
            {
                f.id: c
                for f in fdef.fields
                if (c := _canonical(f, row.get(f.id) if isinstance(row, Mapping) else None))
                is not None
            }
            for row in rows
        ]
    ftype = field_type(fdef.type)
    try:
        parsed = ftype.parse(value, fdef)
    except (Invalid, TypeError, ValueError):
        return value
    return None if parsed is None else ftype.to_json(parsed)


def _shown(fdef: FieldDef, value: Any, names: Names) -> str:
    if _canonical(fdef, value) is None:
        return NOT_ANSWERED
    if fdef.fields:
        lines = []
        for i, row in enumerate(value if isinstance(value, list) else []):
            parts = [
                f"{f.label}: {_shown(f, row.get(f.id), names)}"
                for f in fdef.fields
                if isinstance(row, Mapping) and _canonical(f, row.get(f.id)) is not None
            ]
            lines.append(f"{row_label(fdef, i)}: " + ("; ".join(parts) or NOT_ANSWERED))
        return "\n".join(lines)
    ftype = field_type(fdef.type)
    try:
        return ftype.display(ftype.parse(value, fdef), fdef, names)
    except (Invalid, TypeError, ValueError, KeyError):
        return str(value)

"""Likely matches between a submission and the cases the hub already has.

A case is a likely match when one of its children has the same date of birth as a child named
in the submission and a similar name (spelling slips, a missing accent, a shortened first
name), or when the submission is a copy of that very case (the same reference).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.fields.dates import format_date
from ehdocs.fillable.raw import NameReference
from ehdocs.ingest.cases import fold, parse_dob, person_name
from ehdocs.schema import roles
from ehdocs.schema.model import FormSet

SIMILAR = 0.75  # SequenceMatcher ratio of folded full names
MAX_MATCHES = 5


@dataclass(frozen=True)
class Child:
    name: str
    date_of_birth: str | None  # ISO date


@dataclass(frozen=True)
class Match:
    case_id: int
    reference: str
    family_name: str
    reasons: tuple[str, ...]
    score: float


def children_of(extracted: Mapping[str, Any], formset: FormSet) -> list[Child]:
    """The children a submission names, with their dates of birth where given."""
    if extracted.get("kind") == "case":
        people = extracted["case"].get("people", [])
        return [
            Child(person_name(p), _iso(p.get("date_of_birth")))
            for p in people
            if p.get("category") in formset.category_values(roles.CHILD)
        ]
    found: list[Child] = []
    for data in extracted.get("references", []):
        ref = NameReference(**data)
        if ref.kind == "person" and ref.role == "child":
            found.extend(Child(n, parse_dob(ref.date_of_birth)) for n in ref.names)
    return found


def similarity(a: str, b: str) -> float:
    a, b = fold(a), fold(b)
    if not a or not b:
        return 0.0
    whole = difflib.SequenceMatcher(None, a, b).ratio()
    # "Riley Hancock" and "Riley James Hancock": compare first and last names too.
    pa, pb = a.split(), b.split()
    ends = (
        difflib.SequenceMatcher(None, f"{pa[0]} {pa[-1]}", f"{pb[0]} {pb[-1]}").ratio()
        if pa and pb
        else 0.0
    )
    return max(whole, ends)


def likely_matches(
    extracted: Mapping[str, Any], cases: Iterable[Any], formset: FormSet
) -> list[Match]:
    """Cases (StoredCase-like: id, reference, raw) that are likely the same family."""
    children = children_of(extracted, formset)
    own_reference = extracted["case"].get("reference") if extracted.get("kind") == "case" else None
    matches: list[Match] = []
    for stored in cases:
        raw = stored.raw
        reasons: list[str] = []
        score = 0.0
        if own_reference and stored.reference == own_reference:
            reasons.append(f"This is a copy of case {stored.reference}")
            score += 2.0
        for person in raw.get("people", []):
            if person.get("category") not in formset.category_values(roles.CHILD):
                continue
            theirs = _iso(person.get("date_of_birth"))
            for child in children:
                if not theirs or child.date_of_birth != theirs:
                    continue
                alike = similarity(child.name, person_name(person))
                if alike >= SIMILAR:
                    reasons.append(
                        f"{person_name(person)} (born {_dmy(theirs)}) has the same date of "
                        f"birth as {child.name} and a similar name"
                    )
                    score += alike
        if reasons:
            matches.append(
                Match(
                    stored.id,
                    stored.reference,
                    str(raw.get("family_name") or ""),
                    tuple(dict.fromkeys(reasons)),
                    score,
                )
            )
    matches.sort(key=lambda m: (-m.score, m.reference))
    return matches[:MAX_MATCHES]


def _iso(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 10:
        return value
    if isinstance(value, Mapping):  # partial date as raw parts
        try:
            return f"{int(value['year']):04d}-{int(value['month']):02d}-{int(value['day']):02d}"
        except (KeyError, TypeError, ValueError):
            return None
    return None


def _dmy(iso: str) -> str:
    """A date of birth as every date on the hub's pages: 18 April 2017."""
    try:
        return format_date(dt.date.fromisoformat(iso))
    except ValueError:
        return iso

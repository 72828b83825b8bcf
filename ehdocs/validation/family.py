"""The family's structure, checked as a social worker would: what cannot be (a parent born after
their child, twins born weeks apart, a person who is their own ancestor) is refused; what is
unlikely (a birth parent younger than 12 at the birth, identical twins recorded with different
genders) is a warning, shown beside the case and never blocking. Every message names the
people by name, never by id or position."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

# Twins may be born either side of midnight (or of a month's or a year's end).
TWIN_DAYS = 1
# A birth parent younger than this at the birth is possible but rare enough to check.
YOUNGEST_PARENT_YEARS = 12


def name_of(person: Mapping[str, Any] | None) -> str:
    """A person as a reader knows them: their names, else who they are in the family."""
    if person is None:
        return "someone not in the family network"
    names = [person.get(k) for k in ("given_name", "family_name")]
    return " ".join(str(n) for n in names if n) or "a person with no name recorded"


def structure_problems(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, message) for what the family's structure cannot be."""
    people = _people(data)
    for i, rel in _relationships(data):
        a, b = people.get(str(rel.get("person_a"))), people.get(str(rel.get("person_b")))
        if a is None or b is None or a is b:
            continue  # an unknown or repeated person is reported by the reference checks
        born_a, born_b = a.get("date_of_birth"), b.get("date_of_birth")
        if rel.get("kind") == "parent" and born_a and born_b:
            if born_a.earliest() >= born_b.latest():
                yield (
                    f"relationships[{i}].person_a",
                    f"{name_of(a)} (born {_when(born_a)}) cannot be a parent of {name_of(b)} "
                    f"(born {_when(born_b)}): a parent is born before their child. Check both "
                    "dates of birth, and which of them is the parent",
                )
        if rel.get("kind") == "twins" and born_a and born_b:
            apart = _days_apart(born_a, born_b)
            if apart > TWIN_DAYS:
                yield (
                    f"relationships[{i}].person_b",
                    f"{name_of(a)} (born {_when(born_a)}) and {name_of(b)} (born "
                    f"{_when(born_b)}) are recorded as twins, but twins are born on the same day "
                    "or a day apart. Check their dates of birth, or record them as siblings",
                )
    yield from _own_ancestors(data, people)


def structure_warnings(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, message) for what is possible but unlikely enough to check."""
    people = _people(data)
    for i, rel in _relationships(data):
        a, b = people.get(str(rel.get("person_a"))), people.get(str(rel.get("person_b")))
        if a is None or b is None or a is b:
            continue
        born_a, born_b = a.get("date_of_birth"), b.get("date_of_birth")
        if (
            rel.get("kind") == "parent"
            and rel.get("parent_type") == "birth"
            and born_a
            and born_b
            and born_a.earliest() < born_b.latest()
        ):
            oldest = _years_between(born_a.earliest(), born_b.latest())
            if oldest < YOUNGEST_PARENT_YEARS:
                yield (
                    f"relationships[{i}].person_a",
                    f"{name_of(a)} was at most {oldest} when {name_of(b)} was born (born "
                    f"{_when(born_a)} and {_when(born_b)}): check both dates of birth. If they "
                    "are right, consider whether a safeguarding referral was made",
                )
        if rel.get("kind") == "twins" and rel.get("identical") == "yes":
            genders = {a.get("gender"), b.get("gender")}
            if genders == {"female", "male"}:
                yield (
                    f"relationships[{i}].identical",
                    f"{name_of(a)} and {name_of(b)} are recorded as identical twins with "
                    "different genders. Identical twins are born the same sex: check whether "
                    "they are non-identical twins (a different gender identity is fine)",
                )


def _own_ancestors(
    data: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]]
) -> Iterator[tuple[str, str]]:
    """A cycle of parent and child relationships: someone recorded as their own ancestor."""
    parents_of: dict[str, list[tuple[str, int]]] = {}
    for i, rel in _relationships(data):
        a, b = rel.get("person_a"), rel.get("person_b")
        if rel.get("kind") == "parent" and a in people and a != b:  # a == b: reported apart
            parents_of.setdefault(str(b), []).append((rel["person_a"], i))
    reported: set[frozenset[tuple[str, int]]] = set()
    for start in people:
        chain = _cycle_from(start, parents_of)
        if chain is None or frozenset(chain) in reported:
            continue
        reported.add(frozenset(chain))
        ids = [pid for pid, _ in chain]
        names = " → ".join(name_of(people[p]) for p in [*ids, ids[0]])
        yield (
            f"relationships[{chain[0][1]}].person_a",
            f"{name_of(people[ids[0]])} is recorded as their own ancestor ({names}, each the "
            "parent of the next). Check the parent and child relationships: one of them is the "
            "wrong way round",
        )


def _cycle_from(
    start: str, parents_of: Mapping[str, list[tuple[str, int]]]
) -> list[tuple[str, int]] | None:
    """The parent links from `start` back to `start`, if there are any (depth first)."""
    path: list[tuple[str, int]] = []
    on_path: set[str] = set()
    seen: set[str] = set()

    def walk(person: str) -> bool:
        on_path.add(person)
        for parent, index in parents_of.get(person, []):
            path.append((person, index))
            if parent == start:
                return True
            if parent not in on_path and parent not in seen and walk(parent):
                return True
            path.pop()
        on_path.discard(person)
        seen.add(person)
        return False

    if not walk(start):
        return None
    # path holds (child, index of the link to its parent); read it parent first
    return [(child, index) for child, index in reversed(path)]


def _people(data: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {p["id"]: p for p in data.get("people") or [] if p.get("id")}


def _relationships(data: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    return enumerate(data.get("relationships") or [])


def _when(date: Any) -> str:
    if date.precision == "day":
        return f"{date.day} {dt.date(2000, date.month, 1):%B} {date.year}"
    if date.precision == "month":
        return f"{dt.date(2000, date.month, 1):%B} {date.year}"
    return str(date.year)


def _days_apart(a: Any, b: Any) -> int:
    """The fewest days there can be between two (partial) dates of birth."""
    if a.latest() < b.earliest():
        return (b.earliest() - a.latest()).days
    if b.latest() < a.earliest():
        return (a.earliest() - b.latest()).days
    return 0


def _years_between(earlier: dt.date, later: dt.date) -> int:
    years = later.year - earlier.year
    return years - ((later.month, later.day) < (earlier.month, earlier.day))


def family_warnings(data: Mapping[str, Any]) -> list[str]:
    """The warnings about a valid case's family, as messages for its overview page."""
    return [message for _, message in structure_warnings(data)]

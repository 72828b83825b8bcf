"""Subject access: find a person across every case, and make the pack a data protection officer
reviews before release: every case that holds them, with other people's details withheld.

Who is withheld is the profile's `subject_access:` rule (by default every other family member
and adult; professionals acting in their job are named, as the ICO's guidance expects). A
withheld person keeps their place in the family (so relationships still read) under a label,
"Person A", and loses everything else: names, dates, contact details, notes. Their names are
also replaced wherever free text mentions them. The list of what was withheld, and why, goes
with the pack for the DPO's review.
"""

from __future__ import annotations

import copy
import json
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.case.model import Case
from ehdocs.schema.model import FormSet
from ehdocs.storage.models import CaseRow
from ehdocs.validation import dump_case, validate_case

Sessions = sessionmaker[Session]
THIRD_PARTY = "third party: their details are theirs, not the requester's"
# Record fields of a withheld person that are kept: what they are to the family, not who.
KEPT_PERSON_FIELDS = ("id", "category", "gender", "life_status", "expected_date_of_delivery")


@dataclass(frozen=True)
class Match:
    case_id: int
    reference: str
    person_id: str
    name: str
    born: str


@dataclass
class Prepared:
    """A subject access pack before release: each case's redacted data, and what was withheld."""

    subject: str
    cases: list[tuple[str, Case]] = field(default_factory=list)  # (reference, redacted case)
    withheld: list[tuple[str, str, str]] = field(default_factory=list)  # (case, what, why)

    def as_json(self) -> bytes:
        data = {
            "format": "ehdocs-subject-access",
            "format_version": 1,
            "subject": self.subject,
            "cases": [dump_case(case) for _, case in self.cases],
            "withheld": [{"case": c, "what": w, "why": y} for c, w, y in self.withheld],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode()


def search(
    sessions: Sessions,
    formset: FormSet,
    name: str = "",
    date_of_birth: str = "",
    nhs_number: str = "",
) -> list[Match]:
    """Every person, in every case, who matches all the details given (at least one)."""
    wanted_name = _words(name)
    wanted_nhs = re.sub(r"\D", "", nhs_number)
    wanted_dob = date_of_birth.strip()
    if not (wanted_name or wanted_nhs or wanted_dob):
        raise ValueError("Enter a name, a date of birth or an NHS number")
    found: list[Match] = []
    with sessions() as db:
        for row in db.scalars(select(CaseRow).order_by(CaseRow.id)):
            raw = json.loads(row.data)
            for person in raw.get("people") or []:
                if _matches(person, wanted_name, wanted_dob, wanted_nhs):
                    found.append(
                        Match(
                            row.id,
                            row.reference,
                            str(person.get("id")),
                            _name(person),
                            str(person.get("date_of_birth") or ""),
                        )
                    )
    return found


def prepare(
    sessions: Sessions, formset: FormSet, matches: Iterable[Match], subject: str
) -> Prepared:
    """The redacted cases of `matches` (the same person in one or more cases)."""
    prepared = Prepared(subject)
    disclosed = set(formset.profile.subject_access_disclosed)
    with sessions() as db:
        for match in matches:
            row = db.get(CaseRow, match.case_id)
            if row is None:
                continue
            raw = json.loads(row.data)
            redacted, withheld = redact(raw, match.person_id, disclosed)
            case = validate_case(redacted, formset).case
            if case is None:  # a redaction must never make a case unreadable: keep it out
                prepared.withheld.append(
                    (row.reference, "The whole case", "it could not be made safe to release")
                )
                continue
            prepared.cases.append((row.reference, case))
            prepared.withheld.extend((row.reference, what, why) for what, why in withheld)
    return prepared


def redact(
    raw: Mapping[str, Any], subject_id: str, disclosed: set[str]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The case with every other person withheld but those whose category is `disclosed`."""
    data = copy.deepcopy(dict(raw))
    withheld: list[tuple[str, str]] = []
    labels = _labels()
    names: list[tuple[str, str]] = []  # (name as written, the label that replaces it)
    subject: Mapping[str, Any] = next(
        (p for p in data.get("people") or [] if p.get("id") == subject_id), {}
    )
    own = _name(subject) + " " + str(subject.get("known_as") or "")
    own_words = {w.lower() for w in _words(own)}
    people = []
    for person in data.get("people") or []:
        if person.get("id") == subject_id or person.get("category") in disclosed:
            people.append(person)
            continue
        label = next(labels)
        for key in ("given_name", "family_name", "known_as"):
            value = str(person.get(key) or "").strip()
            if value and value.lower() not in own_words:
                names.append((value, label))
        full = _name(person)
        if full:
            names.append((full, label))
        kept = {k: person[k] for k in KEPT_PERSON_FIELDS if k in person}
        kept["given_name"] = label
        people.append(kept)
        withheld.append((f"{label}: name, dates, contact and other details", THIRD_PARTY))
    data["people"] = people
    names.sort(key=lambda pair: -len(pair[0]))  # "Kerry Morgan" before "Kerry"
    for key in ("households",):
        for household in data.get(key) or []:
            members = household.get("members") or []
            if subject_id not in members:
                household.pop("address", None)
                household.pop("postcode", None)
    count = 0
    data, count = _replace_names(data, names)
    if count:
        withheld.append(
            (f"Other people's names in the text, {count} times", THIRD_PARTY + " (shown as labels)")
        )
    return data, withheld


def _replace_names(value: Any, names: list[tuple[str, str]]) -> tuple[Any, int]:
    if isinstance(value, str):
        total = 0
        for name, label in names:
            pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
            value, n = pattern.subn(label, value)
            total += n
        return value, total
    if isinstance(value, list):
        out, total = [], 0
        for item in value:
            new, n = _replace_names(item, names)
            out.append(new)
            total += n
        return out, total
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        total = 0
        for key, item in value.items():
            if key in ("id", "given_name") and isinstance(item, str) and item.startswith("Person "):
                result[key] = item
                continue
            if key in ("id", "format", "reference", "form", "status", "kind", "category"):
                result[key] = item  # machine values, never free text
                continue
            new, n = _replace_names(item, names)
            result[key] = new
            total += n
        return result, total
    return value, 0


def _labels() -> Iterator[str]:
    letters = string.ascii_uppercase
    for i in range(10_000):
        yield "Person " + (letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26])


def _matches(person: Mapping[str, Any], name: list[str], dob: str, nhs: str) -> bool:
    if name:
        have = {w.lower() for w in _words(_name(person) + " " + str(person.get("known_as") or ""))}
        if not all(w.lower() in have for w in name):
            return False
    if dob and str(person.get("date_of_birth") or "") != dob:
        return False
    return not (nhs and re.sub(r"\D", "", str(person.get("nhs_number") or "")) != nhs)


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", text.strip()) if w]


def _name(person: Mapping[str, Any]) -> str:
    return " ".join(str(person[k]) for k in ("given_name", "family_name") if person.get(k))

"""What the performance report indexes from one case: pure, from the typed case.

Dates become two integers: the day number (`date.toordinal()`) and the working-day number (how
many working days in England since 1 January 2000, counting that day if it is one), so the
database computes calendar and working days between two facts by subtraction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ehdocs.case.model import Case, Document
from ehdocs.case.timescales import is_working_day
from ehdocs.fields.dates import PartialDate
from ehdocs.report.definitions import FactDef, ReportDefinition
from ehdocs.schema import roles

EPOCH = dt.date(2000, 1, 1)


@cache
def _working_days_of(year: int) -> tuple[int, ...]:
    """This year's working days, as day-of-year numbers counted from 0."""
    start = dt.date(year, 1, 1)
    return tuple(
        n
        for n in range((dt.date(year + 1, 1, 1) - start).days)
        if is_working_day(start + dt.timedelta(days=n))
    )


@cache
def _working_days_before(year: int) -> int:
    if year <= EPOCH.year:
        return 0
    return _working_days_before(year - 1) + len(_working_days_of(year - 1))


def working_day_number(day: dt.date) -> int:
    """Working days from EPOCH up to and including `day`; subtracting two gives the working
    days after the first up to and including the second (ehdocs.case.timescales counts so)."""
    if day < EPOCH:
        return 0
    days = _working_days_of(day.year)
    return _working_days_before(day.year) + bisect_right(days, day.timetuple().tm_yday - 1)


@dataclass(frozen=True)
class FactRow:
    name: str
    day: int | None  # date.toordinal()
    wday: int | None  # working_day_number()
    month: str | None  # YYYY-MM
    value: str | None


@dataclass(frozen=True)
class ChildRow:
    person_key: str  # the same child in another case has the same key (repeat requests)
    born: int | None  # day number of the earliest date of birth
    gender: str | None
    ethnicity: str | None


@dataclass(frozen=True)
class ScoreRow:
    area: str
    first_day: int
    first_score: float
    last_day: int
    last_score: float


@dataclass(frozen=True)
class CaseFacts:
    facts: tuple[FactRow, ...]
    children: tuple[ChildRow, ...]
    scores: tuple[ScoreRow, ...]


def _row(name: str, day: dt.date | None, value: Any = None) -> FactRow:
    text = None if value is None else str(value)
    if day is None:
        return FactRow(name, None, None, None, text)
    return FactRow(name, day.toordinal(), working_day_number(day), f"{day:%Y-%m}", text)


def _matches(item: Mapping[str, Any], where: Mapping[str, tuple[str, ...] | str]) -> bool:
    for key, wanted in where.items():
        value = item.get(key)
        if wanted == "any":
            if value in (None, "", []):
                return False
        elif (str(value) if value is not None else None) not in wanted:
            return False
    return True


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, PartialDate):
        return value.earliest()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _taken(rows: list[FactRow], take: str) -> list[FactRow]:
    if take == "all" or not rows:
        return rows
    dated = sorted((r for r in rows if r.day is not None), key=lambda r: r.day or 0)
    if not dated:
        return rows[:1] if take == "first" else rows[-1:]
    return [dated[0] if take == "first" else dated[-1]]


def _fact_rows(case: Case, docs: list[Document], fact: FactDef) -> list[FactRow]:
    rows: list[FactRow] = []
    if fact.source == "event":
        for doc in docs:
            for event in doc.definition.events:
                if event.role == fact.ref:
                    day = _as_date(doc.answer(event.date))
                    if day is not None:
                        rows.append(_row(fact.name, day))
    elif fact.source == "answer":
        form, _, path = fact.ref.partition(".")
        for doc in (d for d in docs if d.form == form):
            day = doc.process_date
            for value in _values(doc.answer(path)):
                rows.append(_row(fact.name, day, value))
        if fact.take != "all" and rows:
            # a list answer (several reasons) is one answer: keep every value of the chosen doc
            chosen = _taken(rows, fact.take)[0]
            rows = [r for r in rows if r.day == chosen.day]
        return rows
    elif fact.source == "record":
        for item in case.records(fact.ref):
            if not _matches(item, fact.where):
                continue
            day = _as_date(item.get(fact.date)) if fact.date else None
            if fact.date and day is None:
                continue
            values = _values(item.get(fact.value)) if fact.value else [None]
            rows += [_row(fact.name, day, v) for v in values]
    elif fact.source == "rows":
        rows = list(_group_rows(case, docs, fact))
    return _taken(rows, fact.take)


def _group_rows(case: Case, docs: list[Document], fact: FactDef) -> Iterable[FactRow]:
    form, _, path = fact.ref.partition(".")
    for doc in (d for d in docs if d.form == form):
        day = _as_date(doc.answer(fact.date or ""))
        for item in _values(doc.answer(path)):
            if not isinstance(item, Mapping) or not _matches(item, fact.where):
                continue
            yield _row(fact.name, day, _row_value(case, doc, item, fact.value))


def _row_value(case: Case, doc: Document, item: Mapping[str, Any], spec: str | None) -> Any:
    if not spec:
        return None
    head, _, tail = spec.partition(".")
    if not tail:
        return item.get(head)
    ref = item.get(head)
    if head == "professional":
        record = case.professional(str(ref)) if ref else None
    elif head == "person":
        record = case.person(str(ref)) if ref else None
    else:
        record = None
    if record is None:
        return "not recorded"
    return record.get(tail) or "not recorded"


def person_key(person: Mapping[str, Any]) -> str:
    """The same child across cases: the NHS number when there is one, else the name and date
    of birth, normalised. A hash, so the index holds no name."""
    nhs = "".join(ch for ch in str(person.get("nhs_number") or "") if ch.isdigit())
    if nhs:
        basis = f"nhs:{nhs}"
    else:
        name = " ".join(str(person.get(k) or "") for k in ("given_name", "family_name"))
        name = unicodedata.normalize("NFKC", name).casefold().strip()
        born = person.get("date_of_birth")
        basis = (
            f"name:{' '.join(name.split())}|{born.iso() if isinstance(born, PartialDate) else ''}"
        )
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def case_facts(case: Case, report: ReportDefinition) -> CaseFacts:
    docs = case.documents  # built and sorted once: a property that makes them each time
    facts = tuple(row for fact in report.facts.values() for row in _fact_rows(case, docs, fact))
    child_categories = case.formset.category_values(*roles.CHILD_ROLES)
    children = tuple(
        ChildRow(
            person_key(p),
            born.earliest().toordinal()
            if isinstance(born := p.get("date_of_birth"), PartialDate)
            else None,
            p.get("gender"),
            p.get(roles.PERSON_ETHNICITY),
        )
        for p in case.iter_people_in(child_categories)
    )
    return CaseFacts(facts, children, _scores(case))


def _scores(case: Case) -> tuple[ScoreRow, ...]:
    by_area: dict[str, list[tuple[int, int]]] = {}
    for item in case.records("outcome_scores"):
        day = _as_date(item.get("date"))
        if day is None or item.get("score") is None or not item.get("area"):
            continue
        by_area.setdefault(str(item["area"]), []).append((day.toordinal(), int(item["score"])))
    out = []
    for area, scores in sorted(by_area.items()):
        scores.sort()
        # several scores on the first (or last) day, for several people: their mean
        first = [s for d, s in scores if d == scores[0][0]]
        last = [s for d, s in scores if d == scores[-1][0]]
        if scores[0][0] == scores[-1][0]:
            continue  # scored once: no change to measure yet
        out.append(
            ScoreRow(
                area,
                scores[0][0],
                sum(first) / len(first),
                scores[-1][0],
                sum(last) / len(last),
            )
        )
    return tuple(out)

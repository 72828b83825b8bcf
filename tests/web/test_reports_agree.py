"""The database's figures agree with a slow computation in Python over the same cases, for a
generated data set (dates across weekends and bank holidays, repeats, closures), on SQLite and
PostgreSQL. Working days in Python come from ehdocs.case.timescales, not from the index's
working-day numbers."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from typing import Any

from flask import Flask

from ehdocs.case.timescales import working_days_between
from ehdocs.report.facts import CaseFacts, case_facts
from ehdocs.report.labels import Labels
from ehdocs.report.results import ReportFilter
from ehdocs.storage import get_storage
from ehdocs.storage.kpis import compute
from tests.web.kpi_fixture import _case, _person, visit

SOURCES = ["school", "health_visiting", "police", "gp", "housing"]
NEEDS = ["school_attendance", "parenting", "domestic_abuse", "money", "housing"]
DECISIONS = ["locality_level_2", "locality_level_3", "signpost", "advice"]
START, END = dt.date(2025, 9, 1), dt.date(2026, 8, 31)


def _day(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randrange((high - low).days + 1))


def generated(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    children = [
        _person(
            f"c{i}",
            f"Child{i}",
            "Test",
            f"{rng.randrange(2009, 2026)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}",
            rng.choice(["female", "male", "unknown"]),
        )
        for i in range(n // 2)
    ]
    cases = []
    for i in range(n):
        child = rng.choice(children)
        received = _day(rng, dt.date(2025, 6, 1), dt.date(2026, 10, 30))
        decided = received + dt.timedelta(days=rng.randrange(0, 4))
        decision = rng.choice(DECISIONS)
        records: dict[str, Any] = {}
        if decision.startswith("locality"):
            allocated = decided + dt.timedelta(days=rng.randrange(0, 6))
            records["allocations"] = [
                {"id": "a1", "kind": "allocation", "date": allocated.isoformat()}
            ]
            notes, day = [], allocated
            for k in range(rng.randrange(0, 6)):
                day += dt.timedelta(days=rng.randrange(1, 25))
                if day > dt.date(2026, 11, 30):
                    break
                notes.append(
                    visit(day.isoformat(), rng.choice(["home_visit", "phone_call", "school_visit"]))
                    | {"id": f"n{k}"}
                )
            records["case_notes"] = notes
            scores = []
            for area in rng.sample(["education", "family_relationships"], 2):
                first = _day(rng, allocated, allocated + dt.timedelta(days=20))
                last = first + dt.timedelta(days=rng.randrange(0, 120))
                if last <= dt.date(2026, 11, 30):
                    scores += [
                        {
                            "id": f"{area}1",
                            "area": area,
                            "stage": "assessment",
                            "date": first.isoformat(),
                            "score": rng.randrange(1, 11),
                        },
                        {
                            "id": f"{area}2",
                            "area": area,
                            "stage": "review",
                            "date": last.isoformat(),
                            "score": rng.randrange(1, 11),
                        },
                    ]
            records["outcome_scores"] = scores
            if rng.random() < 0.5:
                records["oversight"] = [
                    {
                        "id": "o1",
                        "kind": "oversight",
                        "point": "review",
                        "date": _day(rng, allocated, dt.date(2026, 11, 30)).isoformat(),
                        "note": "Seen",
                    }
                ]
        case = _case(
            f"EH-G-{i:04d}",
            child,
            received.isoformat(),
            rng.choice(SOURCES),
            rng.sample(NEEDS, rng.randrange(1, 3)),
            decision,
            decided.isoformat(),
            **records,
        )
        if rng.random() < 0.4:
            from tests.factories import make_closure_data, make_document, make_professional

            closed = received + dt.timedelta(days=rng.randrange(20, 250))
            if closed <= dt.date(2026, 11, 30):
                case["professionals"] = [make_professional(id="w1")]
                case["documents"].append(
                    make_document(
                        "closure",
                        make_closure_data(
                            closure={"date_of_closure": closed.isoformat(), "reason": "needs_met"},
                            sign_off=make_closure_data()["sign_off"]
                            | {"manager_sign_off_date": closed.isoformat()},
                        ),
                        doc_id="cl1",
                    )
                )
        cases.append(case)
    return cases


def _first(f: CaseFacts, name: str) -> dt.date | None:
    days = sorted(r.day for r in f.facts if r.name == name and r.day is not None)
    return dt.date.fromordinal(days[0]) if days else None


def _values(f: CaseFacts, name: str) -> list[str | None]:
    return [r.value for r in f.facts if r.name == name]


def _open_on(f: CaseFacts, day: dt.date) -> bool:
    received, closed = _first(f, "received"), _first(f, "closed")
    return received is not None and received <= day and not (closed and closed <= day)


def python_figures(facts: list[CaseFacts], labels: Labels) -> dict[str, Any]:
    """A few KPIs of every kind, the slow way."""
    out: dict[str, Any] = {}
    in_range = lambda d: d is not None and START <= d <= END  # noqa: E731
    out["requests_by_source"] = Counter(
        labels.label("source", _values(f, "source")[0])
        for f in facts
        if in_range(_first(f, "received"))
    )
    out["requests_by_reason"] = Counter(
        labels.label("reason", v)
        for f in facts
        if in_range(_first(f, "received"))
        for v in _values(f, "reason")
    )
    waits = [
        working_days_between(_first(f, "received"), _first(f, "allocated"))  # type: ignore[arg-type]
        for f in facts
        if in_range(_first(f, "allocated")) and _first(f, "received")
    ]
    out["receipt_to_allocation"] = (
        len(waits),
        round(sum(waits) / len(waits), 1),
        sum(w <= 2 for w in waits),
    )
    out["open_on_last_day"] = sum(_open_on(f, END) for f in facts)
    stale = 0
    for f in facts:
        if not _open_on(f, END) or _values(f, "hub_decision")[0] not in (
            "locality_level_2",
            "locality_level_3",
        ):
            continue
        recent = [
            r
            for r in f.facts
            if r.name in ("visit", "allocated")
            and r.day is not None
            and END.toordinal() - 14 < r.day <= END.toordinal()
        ]
        stale += not recent
    out["not_visited"] = stale
    months: dict[str, int] = defaultdict(int)
    for f in facts:
        closed = _first(f, "closed")
        if closed and START <= closed <= END:
            months[closed.strftime("%B %Y")] += 1
    out["closures"] = dict(months)
    changes: dict[str, list[float]] = defaultdict(list)
    for f in facts:
        for s in f.scores:
            if START.toordinal() <= s.last_day <= END.toordinal():
                changes[labels.option_label("outcome_area", s.area)].append(
                    s.last_score - s.first_score
                )
    out["score_change"] = {a: (len(v), round(sum(v) / len(v), 1)) for a, v in changes.items()}
    repeats = 0
    for f in facts:
        received = _first(f, "received")
        if not in_range(received):
            continue
        keys = {c.person_key for c in f.children}
        for g in facts:
            other = _first(g, "received")
            if (
                g is not f
                and other
                and received - dt.timedelta(days=365) <= other < received
                and keys & {c.person_key for c in g.children}
            ):  # type: ignore[operator]
                repeats += 1
                break
    out["repeat_requests"] = repeats
    return out


def sql_figures(app: Flask) -> dict[str, Any]:
    storage = get_storage(app)
    labels = Labels(storage.cases.formset, storage.report)
    with storage.sessions() as db:
        got = {r.kpi.id: r for r in compute(db, storage.report, labels, ReportFilter(START, END))}
    out: dict[str, Any] = {}
    out["requests_by_source"] = Counter({r[0]: r[1] for r in got["requests_by_source"].rows})
    out["requests_by_reason"] = Counter({r[0]: r[1] for r in got["requests_by_reason"].rows})
    n, mean, _longest, within, _pct = got["receipt_to_allocation"].rows[0][1:]
    out["receipt_to_allocation"] = (n, mean, within)
    out["open_on_last_day"] = sum(r[1] for r in got["caseload"].rows)
    out["not_visited"] = got["not_visited"].rows[0][1]
    out["closures"] = {r[0]: r[2] for r in got["open_and_closed"].rows if r[2]}
    out["score_change"] = {r[0]: (r[1], r[4]) for r in got["score_change"].rows}
    out["repeat_requests"] = got["repeat_requests"].rows[0][1]
    return out


def test_sql_and_python_agree_on_generated_cases(app: Flask) -> None:
    store = get_storage(app).cases
    cases = [store.create(raw).case for raw in generated(160)]
    storage = get_storage(app)
    labels = Labels(storage.cases.formset, storage.report)
    expected = python_figures([case_facts(c, storage.report) for c in cases], labels)
    got = sql_figures(app)
    assert expected["receipt_to_allocation"][0] > 20 and expected["repeat_requests"] > 0
    assert expected["not_visited"] > 0 and expected["closures"]
    for key, value in expected.items():
        assert got[key] == value, key

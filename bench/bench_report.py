"""Performance report benchmark (#13): the whole report for a year over 50,000 cases and about
1,000,000 indexed events, and what keeping the index current adds to a save.

- The report: every KPI of form_schemas/report/kpis.yaml for one year, median of --runs, beside
  the floor of any report (one indexed count of a year's events) measured in the same run.
  Target: at most 1 s.
- A save: two copies of the example case saved alternately, one with the indexers (the
  report's rows and the timescale items) and one without, in one run. Target: at most 5 ms
  added.

The scale rows are written straight into the index tables (a real save makes the same rows; the
cases are not validated one by one, which would take most of an hour).

    .venv/bin/python bench/bench_report.py [--cases 50000] [--runs 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench.timing import median_time  # noqa: E402
from ehdocs.report.facts import working_day_number  # noqa: E402
from ehdocs.report.labels import Labels  # noqa: E402
from ehdocs.report.results import ReportFilter  # noqa: E402
from ehdocs.schema import load_formset  # noqa: E402
from ehdocs.storage import Storage  # noqa: E402
from ehdocs.storage.kpis import compute  # noqa: E402
from ehdocs.storage.models import (  # noqa: E402
    CaseRow,
    ReportChild,
    ReportEpisode,
    ReportFact,
    ReportScore,
)

EXAMPLE = REPO / "examples" / "blended-family.json"
YEAR = (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
FIRST = dt.date(2023, 1, 1)
DAYS = (dt.date(2026, 11, 30) - FIRST).days


def _fact(case_id: int, name: str, day: dt.date | None, value: str | None = None) -> dict:
    return {
        "case_id": case_id,
        "name": name,
        "day": day.toordinal() if day else None,
        "wday": working_day_number(day) if day else None,
        "month": f"{day:%Y-%m}" if day else None,
        "value": value,
    }


def populate(storage: Storage, cases: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    sources = ["school", "health_visiting", "police", "gp", "housing", "voluntary"]
    needs = ["school_attendance", "parenting", "domestic_abuse", "money", "housing", "behaviour"]
    decisions = ["locality_level_2", "locality_level_3", "signpost", "advice"]
    events = 0
    batch = 2000
    with storage.sessions.begin() as db:
        start_id = (db.scalar(select(func.max(CaseRow.id))) or 0) + 1
    for first in range(0, cases, batch):
        rows, facts, children, scores, episodes = [], [], [], [], []
        for n in range(first, min(first + batch, cases)):
            cid = start_id + n
            rows.append(
                {
                    "id": cid,
                    "reference": f"EH-B-{n:06d}",
                    "profile": "default",
                    "data": "{}",
                    "version": 1,
                    "team_id": None,
                    "allocated_to": None,
                }
            )
            received = FIRST + dt.timedelta(days=rng.randrange(DAYS))
            decision = rng.choice(decisions)
            facts += [
                _fact(cid, "received", received),
                _fact(cid, "hub_decided", received + dt.timedelta(days=rng.randrange(3))),
                _fact(cid, "hub_decision", None, decision),
                _fact(cid, "source", None, rng.choice(sources)),
            ]
            facts += [_fact(cid, "reason", received, r) for r in rng.sample(needs, 2)]
            if decision.startswith("locality"):
                day = received + dt.timedelta(days=rng.randrange(1, 6))
                facts.append(_fact(cid, "allocated", day))
                for k in range(rng.randrange(13, 26)):
                    day += dt.timedelta(days=rng.randrange(5, 20))
                    facts.append(_fact(cid, "visit", day))
                    if k == 0:
                        facts.append(_fact(cid, "first_visit", day))
                facts.append(
                    _fact(cid, "assessed", received + dt.timedelta(days=rng.randrange(15, 40)))
                )
                facts.append(
                    _fact(cid, "initial_taf", received + dt.timedelta(days=rng.randrange(25, 50)))
                )
                facts.append(
                    _fact(cid, "oversight", received + dt.timedelta(days=rng.randrange(10, 90)))
                )
                facts.append(
                    _fact(cid, "review", received + dt.timedelta(days=rng.randrange(60, 120)))
                )
                facts.append(
                    _fact(cid, "plan", received + dt.timedelta(days=rng.randrange(25, 50)))
                )
                scores.append(
                    {
                        "case_id": cid,
                        "area": "education",
                        "first_day": received.toordinal() + 20,
                        "first_score": rng.randrange(1, 11),
                        "last_day": received.toordinal() + 150,
                        "last_score": rng.randrange(1, 11),
                    }
                )
            closed = None
            if rng.random() < 0.7:
                closed = received + dt.timedelta(days=rng.randrange(30, 300))
                facts.append(_fact(cid, "closed", closed))
            episodes.append(
                {
                    "case_id": cid,
                    "received": received.toordinal(),
                    "closed": closed.toordinal() if closed else None,
                }
            )
            children.append(
                {
                    "case_id": cid,
                    "person_key": f"{rng.randrange(cases):032d}",
                    "born": (received - dt.timedelta(days=rng.randrange(0, 6500))).toordinal(),
                    "gender": rng.choice(["female", "male"]),
                    "ethnicity": "WBRI",
                }
            )
        with storage.sessions.begin() as db:
            db.execute(insert(CaseRow), rows)
            db.execute(insert(ReportFact), facts)
            db.execute(insert(ReportChild), children)
            db.execute(insert(ReportEpisode), episodes)
            if scores:
                db.execute(insert(ReportScore), scores)
        events += len(facts)
    if storage.engine.dialect.name == "postgresql":
        with storage.sessions.begin() as db:
            db.execute(
                text("SELECT setval(pg_get_serial_sequence('cases', 'id'), MAX(id)) FROM cases")
            )
        # the planner's statistics and the visibility map (which lets a covering index answer
        # without reading the table), as autovacuum keeps them on a live server after a bulk
        # insert (ehdocs does not run ANALYZE on SQLite, so neither does this benchmark)
        with storage.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    return events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--saves", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ehdocs-bench-report-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    formset = load_formset()
    storage = Storage.open({"DATABASE_URL": url, "DATA_DIR": folder}, formset)
    began = time.perf_counter()
    events = populate(storage, args.cases)
    print(
        f"database: {url.split(':')[0]}; {args.cases:,} cases, {events:,} indexed events "
        f"(written in {time.perf_counter() - began:.0f} s)"
    )

    labels = Labels(formset, storage.report)
    flt = ReportFilter(*YEAR)

    def report() -> None:
        with storage.sessions() as db:
            compute(db, storage.report, labels, flt)

    def floor() -> None:
        with storage.sessions() as db:
            db.scalar(
                select(func.count())
                .select_from(ReportFact)
                .where(
                    ReportFact.name == "received",
                    ReportFact.day.between(YEAR[0].toordinal(), YEAR[1].toordinal()),
                )
            )

    report()  # warm the caches, as a server would be
    whole = median_time(report, args.runs)
    least = median_time(floor, args.runs)
    print(
        f"report for a year, {len(storage.report.kpis)} KPIs: {whole * 1000:.0f} ms "
        f"(target 1000 ms); one indexed count: {least * 1000:.1f} ms; ratio {whole / least:.0f}x"
    )

    # Two copies of the example case, saved alternately: one with the indexers, one without,
    # each growing by the same visit, so the indexed copy's rows are always current and each
    # of its saves adds one visit's rows, as a real save does.
    raw = json.loads(EXAMPLE.read_text())
    copies = {}
    for use in (True, False):
        raw["reference"] = f"EH-BENCH-SAVE-{'A' if use else 'B'}"
        copies[use] = storage.cases.create(raw).id
    indexers = list(storage.cases.indexers)
    for what, change in (("a save changing no fact", False), ("a save adding a visit", True)):
        timed: dict[bool, list[float]] = {True: [], False: []}
        for i in range(args.saves * 2):
            use = i % 2 == 0
            storage.cases.indexers[:] = indexers if use else []
            current = storage.cases.get(copies[use])
            data = dict(current.raw)
            if change:
                day = dt.date(2026, 1, 1) + dt.timedelta(days=i // 2)
                note = {
                    "id": f"b{i // 2}",
                    "kind": "home_visit",
                    "date": day.isoformat(),
                    "summary": "Visit",
                    "family_visible": "no",
                }
                data["case_notes"] = [*data.get("case_notes", []), note]
            else:
                data["family_name"] = f"Doyle and Kowalczyk{' ' if i % 4 < 2 else ''}".strip()
            start = time.perf_counter()
            storage.cases.save(current.id, data, current.version)
            timed[use].append(time.perf_counter() - start)
        storage.cases.indexers[:] = indexers
        a, b = statistics.median(timed[True]), statistics.median(timed[False])
        print(
            f"{what}: {a * 1000:.1f} ms with the index, {b * 1000:.1f} ms without: "
            f"adds {(a - b) * 1000:.1f} ms (target 5 ms), ratio {a / b:.2f}"
        )
    storage.close()


if __name__ == "__main__":
    main()

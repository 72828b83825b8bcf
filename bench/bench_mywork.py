"""My work and Team at scale (#13): 50,000 cases in 10 teams held by 400 workers, each case with
its timescale items (case_due_items, as every save keeps them). Times the practitioner's My work
(about 125 cases) and a team manager's Team page (about 5,000 cases), signed in, through the
whole Flask stack, against the accessibility statement page (the same stack, no data) in the
same run. Targets: My work at most 150 ms, Team at most 300 ms.

    .venv/bin/python bench/bench_mywork.py [--cases 50000] [--runs 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from bench.bench_access import make_app, signed_in, timed  # noqa: E402
from ehdocs.access import roles  # noqa: E402
from ehdocs.storage import get_storage  # noqa: E402
from ehdocs.storage.models import CaseDueItem, CaseRow, Team, TeamMember, User  # noqa: E402

ITEMS = ["hub_decision", "allocation", "first_visit", "assessment", "initial_taf", "visit",
         "review", "supervision", "six_months"]  # fmt: skip


def populate(app, cases: int, seed: int = 1) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    today = dt.date.today()
    with get_storage(app).sessions.begin() as db:
        teams = [Team(name=f"Locality {t}", kind="locality") for t in range(10)]
        db.add_all(teams)
        db.flush()
        workers = [User(email=f"w{n}@council.example", name=f"Worker {n}",
                        role=roles.PRACTITIONER) for n in range(400)]  # fmt: skip
        manager = User(email="manager@council.example", name="Manager", role=roles.TEAM_MANAGER)
        db.add_all([*workers, manager])
        db.flush()
        for n, w in enumerate(workers):
            db.add(TeamMember(user_id=w.id, team_id=teams[n % 10].id))
        db.add(TeamMember(user_id=manager.id, team_id=teams[0].id))
        team_ids = [t.id for t in teams]
        worker_ids = [w.id for w in workers]
        manager_id, first_worker = manager.id, workers[0].id
    for start in range(0, cases, 2000):
        rows, items = [], []
        for n in range(start, min(start + 2000, cases)):
            w = n % 400
            held = worker_ids[w] if rng.random() < 0.95 else None  # some wait for a worker
            rows.append({"id": n + 1, "reference": f"EH-M-{n:06d}", "profile": "default",
                         "data": "{}", "version": 1, "team_id": team_ids[w % 10],
                         "allocated_to": held})  # fmt: skip
            for item in ITEMS:
                due = today + dt.timedelta(days=rng.randrange(-60, 60))
                met = rng.random() < 0.6
                items.append({"case_id": n + 1, "item": item, "due_on": due,
                              "met_on": due if met else None,
                              "status": "met" if met else ("overdue" if due < today else "due"),
                              "late_reason": None})  # fmt: skip
        with get_storage(app).sessions.begin() as db:
            db.execute(insert(CaseRow), rows)
            db.execute(insert(CaseDueItem), items)
    return first_worker, manager_id


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ehdocs-bench-mywork-"))
    url = args.database_url or f"sqlite:///{folder / 'ehdocs.sqlite3'}"
    app = make_app(url, folder, checks=True)
    began = time.perf_counter()
    worker, manager = populate(app, args.cases)
    print(
        f"database: {url.split(':')[0]}; {args.cases:,} cases, {args.cases * len(ITEMS):,} "
        f"timescale items (written in {time.perf_counter() - began:.0f} s)"
    )
    results = []
    for who, page, target in ((worker, "/my-work/", 150), (manager, "/team/", 300)):
        client = signed_in(app, who)
        for _ in range(3):
            timed(client, page)
            timed(client, "/accessibility")
        got = statistics.median(timed(client, page) for _ in range(args.runs))
        base = statistics.median(timed(client, "/accessibility") for _ in range(args.runs))
        print(
            f"{page:11} median {got * 1000:6.1f} ms (target {target} ms); the same stack with "
            f"no data {base * 1000:5.1f} ms; ratio {got / base:.1f}"
        )
        results.append(got * 1000 <= target)
    get_storage(app).close()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())

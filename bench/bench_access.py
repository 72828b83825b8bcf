"""Access-policy benchmark: the time of a case page with the policy check and the audit write,
against the same page with access checks switched off (ACCESS_CHECKS, a setting only this
benchmark uses), in one run, on one database, with the same signed-in hub adviser.

Requests go through Flask's test client in this process (no HTTP server), alternating between
the two apps so that both see the same machine load. Prints each median, the overhead per
request and the ratio; the aim is under 3 ms of overhead.

    .venv/bin/python bench/bench_access.py [--runs 300] [--database-url sqlite:///…]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ehdocs.access import audit, roles, sessions  # noqa: E402
from ehdocs.storage import get_storage  # noqa: E402
from ehdocs.storage.models import User, UserSession, now  # noqa: E402
from ehdocs.web import create_app  # noqa: E402

EXAMPLE = REPO / "examples" / "single-parent.json"
TARGET_MS = 3.0


def make_app(url: str, data_dir: Path, checks: bool) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "ENV_NAME": "test",
            "DATABASE_URL": url,
            "DATA_DIR": data_dir,
            "ACCESS_CHECKS": checks,
        }
    )


def signed_in(app: Flask, user_id: int) -> FlaskClient:
    token = secrets.token_urlsafe(32)
    with get_storage(app).sessions() as db, db.begin():
        db.add(
            UserSession(
                id=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user_id,
                stage="full",
                created_at=now(),
                last_seen_at=now(),
            )
        )
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie[sessions.KEY] = token
    return client


def _time(work: Any) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def timed(client: FlaskClient, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: {response.status_code}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ehdocs-bench-access-") as folder:
        data = Path(folder)
        url = args.database_url or f"sqlite:///{data / 'ehdocs.sqlite3'}"
        checked = make_app(url, data, checks=True)
        unchecked = make_app(url, data, checks=False)
        raw: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        case_id = get_storage(checked).cases.create(raw).id
        with get_storage(checked).sessions() as db, db.begin():
            user = User(email="hub@council.example", name="Hub", role=roles.HUB_ADVISER)
            db.add(user)
            db.flush()
            user_id = user.id
        page = f"/cases/{case_id}"
        with_policy, without = signed_in(checked, user_id), signed_in(unchecked, user_id)
        for client in (with_policy, without):  # warm: templates compiled, the case cached
            for _ in range(20):
                timed(client, page)
        on, off = [], []
        for _ in range(args.runs):
            on.append(timed(with_policy, page))
            off.append(timed(without, page))
        with checked.test_request_context(page):
            write = [
                _time(lambda: audit.record("bench.write", case_id=case_id))
                for _ in range(min(args.runs, 100))
            ]
        get_storage(checked).close()
        get_storage(unchecked).close()
    median_on, median_off = statistics.median(on) * 1000, statistics.median(off) * 1000
    overhead = median_on - median_off
    print(f"case page, {args.runs} requests each, {url.split(':')[0]}")
    print(f"  with policy check + audit write: median {median_on:7.2f} ms")
    print(f"  access checks off:               median {median_off:7.2f} ms")
    print(f"  overhead per request:            {overhead:7.2f} ms (aim < {TARGET_MS:.0f} ms)")
    print(f"  ratio:                           {median_on / median_off:7.2f}x")
    audit_ms = statistics.median(write) * 1000
    print(f"  of which one audit entry (a durable commit): median {audit_ms:.2f} ms")
    return 0 if overhead < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

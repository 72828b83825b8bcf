"""Web load benchmark: 50 concurrent users against gunicorn (4 workers), on SQLite and on
PostgreSQL, each user editing a form section of their own case.

Every user is a real signed-in hub adviser: the seed step makes one account (role
"hub_adviser") per user and a server-side session for it (a UserSession row, stage "full"),
directly in the database as tests/web/accounts.py does, and the user's cookie jar starts with
the Flask session cookie holding that session's token, signed by the app's own session
interface with the EHDOCS_SECRET_KEY gunicorn is given. The seeded cases have no team, so a hub
adviser may see and edit them. Every case page request therefore loads and checks the session,
passes the access policy and writes an audit trail entry (one per page view and per save,
hash-chained, appended one at a time): that work is part of what is measured. A response that
redirects to /sign-in stops the benchmark with an error (the sessions were refused), and only a
200 form page (with its csrf_token and version) or a 302 onwards within the same case counts
as ok.

Every user keeps their own cookie jar and, for each of a fixed number of rounds:
  GET  /healthz                                  the baseline: the same server, no work
  GET  /cases/<id>/documents/n1/sections/referrer   (a) a form section page
  POST the same page with the csrf_token and version read from it   (b) a save
A POST answered 409 (someone saved first) is a conflict, counted apart from errors; with one
case per user there should be none. Prints median, p95 and max latency per kind, the errors,
the targets (p95 <= 150 ms GET, <= 250 ms POST, no errors), and each form page's median as a
multiple of the /healthz median measured under the same load.

Only 127.0.0.1 is used. The PostgreSQL server is a throw-away one from Debian's binaries
(/usr/lib/postgresql/15/bin), run as the postgres user when started as root.

    .venv/bin/python bench/bench_web.py [--users 50] [--rounds 20] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "single-parent.json"
PG_BIN = Path(os.environ.get("EHDOCS_BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
DOC, SECTION = "n1", "referrer"
TARGET_P95_MS = {"GET section": 150.0, "POST section": 250.0}
START_TIMEOUT = 120.0
REQUEST_TIMEOUT = 60.0

SIGN_IN = "/sign-in"

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# -- a throw-away PostgreSQL server -------------------------------------------------------------


class Postgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ehdocs-bench-pg-"))
        self.data = self.root / "data"
        self.port = free_port()

    def _run(self, program: str, *args: str) -> None:
        command = [str(PG_BIN / program), *args]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, check=False, cwd=self.root
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            raise SystemExit(
                f"{program} failed: {result.stdout}{result.stderr}"
                + (log.read_text(errors="replace") if log.exists() else "")
            )

    def start(self) -> str:
        if not (PG_BIN / "initdb").exists():
            raise SystemExit(f"no PostgreSQL server binaries in {PG_BIN} (apt: postgresql-15)")
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "ehdocs", "-E", "UTF8")
        options = f"-c listen_addresses={HOST} -p {self.port} -k {self.root} -c max_connections=200"
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip
        import psycopg

        with psycopg.connect(
            f"host={HOST} port={self.port} user=ehdocs dbname=postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE ehdocs_bench")
        return f"postgresql+psycopg://ehdocs@{HOST}:{self.port}/ehdocs_bench"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


# -- seeding and the server --------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    """One simulated user: their case and their signed-in session cookie."""

    case_id: int
    cookie: dict[str, str]


def seed(env: dict[str, str], users: int) -> list[Seeded]:
    """One case per user (the single-parent example, its notification back to draft, no team:
    with the hub) and one signed-in hub adviser per user: an account and a full server-side
    session in the database (as tests/web/accounts.py), its token in a session cookie signed
    by the app's own session interface under `env`'s EHDOCS_SECRET_KEY (gunicorn's too)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from ehdocs.access import roles, sessions
        from ehdocs.storage import get_storage
        from ehdocs.storage.models import User, UserSession, now
        from ehdocs.web import create_app

        app = create_app()
        store = get_storage(app).cases
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        if serializer is None:
            raise SystemExit("the app has no SECRET_KEY: its session cookies cannot be signed")
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        for doc in raw["documents"]:
            if doc["id"] == DOC:
                doc["status"] = "draft"
        seeded = []
        for number in range(1, users + 1):
            case = copy.deepcopy(raw)
            case["reference"] = f"EH-2099-{number:04d}"
            case_id = store.create(case).id
            token = secrets.token_urlsafe(32)
            moment = now()
            with get_storage(app).sessions() as db, db.begin():
                account = User(
                    email=f"bench-hub-{number:04d}@council.example",
                    name=f"Bench hub adviser {number}",
                    role=roles.HUB_ADVISER,
                )
                db.add(account)
                db.flush()
                db.add(
                    UserSession(
                        id=hashlib.sha256(token.encode()).hexdigest(),
                        user_id=account.id,
                        stage="full",
                        created_at=moment,
                        last_seen_at=moment,
                    )
                )
            cookie = {cookie_name: serializer.dumps({sessions.KEY: token})}
            seeded.append(Seeded(case_id, cookie))
        get_storage(app).close()
        return seeded
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[int]:
    port = free_port()
    binary = Path(sys.executable).parent / "gunicorn"
    command = [
        str(binary), "-w", str(workers), "-b", f"{HOST}:{port}", "--timeout", "120",
        "--error-logfile", str(log), "ehdocs.web:create_app()",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        up = 0
        while up < workers * 3:  # several answers: most workers have imported the app
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + log.read_text(errors="replace"))
            try:
                status, _, _ = request(port, "GET", "/healthz", {})
                up += status == 200
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- one user ----------------------------------------------------------------------------------


class SignedOut(Exception):
    """A response redirected to the sign-in page: the benchmark's session was not accepted."""


def request(
    port: int, method: str, path: str, jar: dict[str, str], body: dict[str, str] | None = None
) -> tuple[int, str, float]:
    """One request on a fresh connection (gunicorn's sync workers close it anyway). A 302
    answer's Location is returned as its text; a redirect to /sign-in raises SignedOut."""
    headers = {"Connection": "close"}
    if jar:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        location = response.getheader("Location")
        if location is not None:
            target = urllib.parse.urlsplit(location).path
            if target == SIGN_IN or target.startswith(SIGN_IN + "/"):
                raise SignedOut(f"{method} {path} -> {response.status} {location}")
            if response.status == 302:
                text = target
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                jar[name] = morsel.value
        return response.status, text, elapsed
    finally:
        connection.close()


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: int = 0
    skipped: int = 0
    signed_out: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(ms)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors.setdefault(kind, []).append(what)

    def conflict(self) -> None:
        with self.lock:
            self.conflicts += 1

    def skip(self, rounds: int) -> None:
        with self.lock:
            self.skipped += rounds

    def sign_in_redirect(self, what: str) -> None:
        with self.lock:
            self.signed_out.append(what)


def user(
    port: int, seeded: Seeded, rounds: int, deadline: float, think: float, results: Results
) -> None:
    jar = dict(seeded.cookie)  # signed in from the first request
    case_pages = f"/cases/{seeded.case_id}/"
    page = f"{case_pages}documents/{DOC}/sections/{SECTION}"
    for number in range(rounds):
        if time.monotonic() > deadline:
            results.skip(rounds - number)
            return
        try:
            status, _, ms = request(port, "GET", "/healthz", jar)
            results.add("GET /healthz", ms) if status == 200 else results.error(
                "GET /healthz", f"status {status}"
            )
            status, text, ms = request(port, "GET", page, jar)
            if status != 200:
                results.error("GET section", f"status {status}")
                continue
            results.add("GET section", ms)
            token, version = CSRF.search(text), VERSION.search(text)
            if not token or not version:
                results.error("GET section", "no csrf_token or version in the page")
                continue
            form = {
                "csrf_token": token.group(1),
                "version": version.group(1),
                "action": "continue",
                # the example's own answers, the name changed each round: a real update
                "referrer-name": f"Lisa Carter {number}",
                "referrer-role": "Pastoral and Family Support Lead",
                "referrer-agency": "Oakfield Primary School",
                "referrer-phone": "01632 960 233",
                "referrer-email": "l.carter@oakfield-primary.example",
                "referrer-date-day": "9",
                "referrer-date-month": "9",
                "referrer-date-year": "2026",
            }
            status, text, ms = request(port, "POST", page, jar, form)
            if status == 302 and text.startswith(case_pages):
                results.add("POST section", ms)
            elif status == 302:
                results.error("POST section", f"302 to {text[:160]}, outside the case")
            elif status == 409:
                results.conflict()
            else:
                found = re.search(r'govuk-error-summary__list">(.{0,300})', text, re.S)
                detail = (
                    re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))) if found else ""
                )
                results.error("POST section", f"status {status} {detail.strip()[:160]}")
        except SignedOut as exc:
            results.sign_in_redirect(str(exc))
            return
        except OSError as exc:
            results.error("connection", f"{type(exc).__name__}: {exc}")
        if think:
            time.sleep(think)


# -- a run -------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1]


def load(
    port: int, users: Sequence[Seeded], rounds: int, think: float, cap: float
) -> tuple[Results, float]:
    """Every case's user at once, each for `rounds` rounds, stopping at the time cap. Stops
    the benchmark if any response redirected to /sign-in."""
    results = Results()
    deadline = time.monotonic() + cap
    threads = [
        threading.Thread(target=user, args=(port, seeded, rounds, deadline, think, results))
        for seeded in users
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if results.signed_out:
        raise SystemExit(
            f"{len(results.signed_out)} responses redirected to {SIGN_IN}: the benchmark's "
            f"signed-in sessions were refused, e.g. {sorted(set(results.signed_out))[:3]}"
        )
    return results, time.monotonic() - started


def run(database: str, args: argparse.Namespace) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"ehdocs-bench-{database}-"))
    pg = Postgres() if database == "postgresql" else None
    try:
        env = {
            "EHDOCS_DATA_DIR": str(workdir / "data"),
            # one key for all the workers, or a session made by one is refused by another
            "EHDOCS_SECRET_KEY": secrets.token_hex(32),
            "EHDOCS_ENV": "development",
        }
        env["DATABASE_URL"] = (
            pg.start() if pg else f"sqlite:///{workdir / 'data' / 'ehdocs.sqlite3'}"
        )
        users = seed(env, args.users)
        with gunicorn(env, args.workers, workdir / "gunicorn.log") as port:
            load(port, users[: args.workers * 2], 2, 0, args.cap)  # every worker warm
            alone = load(port, users[:1], args.rounds, 0, args.cap)
            crowd = load(port, users, args.rounds, args.think, args.cap)
        print(f"\n== {database}")
        report("1 user alone (service time)", 1, args, *alone, targets=False)
        return report(f"{args.users} users at once", args.users, args, *crowd, targets=True)
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def report(
    label: str,
    users: int,
    args: argparse.Namespace,
    results: Results,
    wall: float,
    *,
    targets: bool,
) -> bool:
    total = sum(len(v) for v in results.times.values())
    errors = sum(len(v) for v in results.errors.values())
    print(
        f"-- {label}: {users} x {args.rounds} rounds, gunicorn -w {args.workers}, think "
        f"{args.think if users > 1 else 0:g} s: {total} requests ok in {wall:.1f} s "
        f"({total / wall:.0f}/s), {errors} errors, {results.conflicts} conflicts (409), "
        f"{results.skipped} rounds skipped at the {args.cap:.0f} s cap"
    )
    print(f"  {'':<14}{'n':>6}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}{'target p95':>14}")
    base = results.times.get("GET /healthz")
    base_median = statistics.median(base) if base else float("nan")
    ok = errors == 0 and results.skipped == 0
    for kind in ("GET /healthz", "GET section", "POST section"):
        values = results.times.get(kind, [])
        if not values:
            print(f"  {kind:<14}{0:>6}")
            ok = False
            continue
        p95 = percentile(values, 95)
        target = TARGET_P95_MS.get(kind) if targets else None
        verdict = ""
        if target is not None:
            verdict = f"{target:>7.0f} {'met' if p95 <= target else 'MISSED'}"
            ok = ok and p95 <= target
        print(
            f"  {kind:<14}{len(values):>6}{statistics.median(values):>11.1f}{p95:>9.1f}"
            f"{max(values):>9.1f}{verdict:>14}"
        )
    for kind in ("GET section", "POST section"):
        values = results.times.get(kind)
        if values and base:
            print(
                f"  {kind} median = {statistics.median(values) / base_median:.1f} x the "
                "/healthz median under the same load"
            )
    for kind, messages in results.errors.items():
        print(f"  errors in {kind}: {len(messages)}, e.g. {sorted(set(messages))[:3]}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20, help="rounds per user")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=0.0, help="seconds between rounds")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds per database")
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    print(
        f"ehdocs web benchmark on {os.cpu_count()} CPUs: targets p95 <= "
        f"{TARGET_P95_MS['GET section']:.0f} ms GET section, <= "
        f"{TARGET_P95_MS['POST section']:.0f} ms POST section, no errors. The load "
        "generator runs on the same machine."
    )
    verdicts = {db: run(db, args) for db in args.db.split(",")}
    print("\n" + ", ".join(f"{db}: {'targets met' if ok else 'targets NOT met'}"
                           for db, ok in verdicts.items()))  # fmt: skip
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

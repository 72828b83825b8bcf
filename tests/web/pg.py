"""A throw-away PostgreSQL server for the test session: Debian's binaries, a temp data folder,
trust authentication on loopback only, and a fresh database for each test that wants one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import psycopg

BIN_DIR = Path(os.environ.get("EHDOCS_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "ehdocs"
START_TIMEOUT = 30  # seconds; a cold start on a loaded machine, normally well under 5


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server would not start."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """initdb + start on construction (through `start()`), `stop()` removes everything.

    PostgreSQL refuses to run as root, so under uid 0 the server runs as the `postgres`
    user, in a folder it owns. Durability is switched off: this data lives for one test run.
    """

    def __init__(self, bin_dir: Path = BIN_DIR) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="ehdocs-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.started = False

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> PostgresServer:
        missing = [n for n in ("initdb", "pg_ctl", "postgres") if not (self.bin_dir / n).is_file()]
        if missing:
            raise PostgresUnavailable(
                f"PostgreSQL server binaries not found in {self.bin_dir} (missing: "
                f"{', '.join(missing)}). Install Debian's postgresql-15 package (the set-up "
                "script does), or point EHDOCS_TEST_PG_BIN at a folder holding initdb, pg_ctl "
                "and postgres. The web tests need a real PostgreSQL server."
            )
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)
        self._run(
            "initdb",
            ["-D", str(self.data), "-A", "trust", "-U", USER, "-E", "UTF8", "--locale=C"],
            "--no-sync",
        )
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-p {self.port}",
                f"-k {self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._run(
            "pg_ctl",
            ["-D", str(self.data), "-l", str(self.log), "-o", options, "-w"],
            "-t",
            str(START_TIMEOUT),
            "start",
        )
        self.started = True
        self._wait_ready()
        return self

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", ["-D", str(self.data), "-m", "immediate"], "-w", "stop")
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases ----------------------------------------------------------------------------

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its name (a unique one unless `name` is given)."""
        name = name or f"ehdocs_{uuid.uuid4().hex[:12]}"
        # FILE_COPY: quicker than the default WAL_LOG for a tiny template, with fsync off
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
        return name

    def empty_database(self, name: str) -> None:
        """Drop every table (and Alembic's version) from `name`: as fresh as a new database,
        in milliseconds rather than the tenths of a second CREATE DATABASE takes."""
        with psycopg.connect(self._conninfo(name), autocommit=True) as connection:
            connection.execute(b"DROP SCHEMA IF EXISTS public CASCADE")
            connection.execute(b"CREATE SCHEMA public")

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self._conninfo("postgres"), autocommit=True) as connection:
            connection.execute(sql.encode())

    def _conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={USER} dbname={database} connect_timeout=5"

    # -- helpers --------------------------------------------------------------------------------

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with psycopg.connect(self._conninfo("postgres")):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    message = f"PostgreSQL did not accept connections: {exc}"
                    raise PostgresUnavailable(message) from exc
                time.sleep(0.05)

    def _run(self, program: str, args: Sequence[str], *more: str) -> None:
        command = [str(self.bin_dir / program), *args, *more]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT + 30,
            check=False,
            cwd=self.root,
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise PostgresUnavailable(
                f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}\n{log}"
            )

"""`ehdocs ingest --imap … --every N` keeps watching the mailbox: a message that arrives while
it runs is taken in and marked handled, and SIGTERM stops it cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from tests.ingest.conftest import HUB_ADDRESS
from tests.mailservers import Dovecot

FOLDER = "Polled"


def _message(ident: str) -> bytes:
    message = EmailMessage()
    message["From"] = "someone@partner.example"
    message["To"] = HUB_ADDRESS
    message["Subject"] = "Form"
    message["Message-ID"] = f"<{ident}@partner.example>"
    message.set_content("I forgot to attach it.")
    return message.as_bytes()


def _rows(data_dir: Path) -> int:
    try:
        with sqlite3.connect(data_dir / "ehdocs.sqlite3", timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM submissions").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_polling_takes_in_what_arrives_and_stops_on_sigterm(
    dovecot: Dovecot, data_dir: Path
) -> None:
    dovecot.create(FOLDER)
    dovecot.append(FOLDER, _message("before"))
    env = {**os.environ, "EHDOCS_DATA_DIR": str(data_dir)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ehdocs.cli",
            "ingest",
            "--imap",
            dovecot.url,
            "--folder",
            FOLDER,
            "--every",
            "5",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while _rows(data_dir) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rows(data_dir) == 1
        dovecot.append(FOLDER, _message("during"))  # arrives while it waits
        while _rows(data_dir) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rows(data_dir) == 2
        assert process.poll() is None  # still watching
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert b"Checking the mailbox every 5 seconds" in err
    assert b"Traceback" not in err
    flags = dovecot.flags(FOLDER)
    assert len(flags) == 2 and all("$EhdocsHandled" in f for f in flags.values())

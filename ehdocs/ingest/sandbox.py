"""Untrusted files are parsed in separate processes, each with a memory cap and a time limit.

A `ParserPool` keeps a few worker processes (started with "spawn": no database connections,
threads or secrets of the parent are inherited). Each file goes to an idle worker; a worker
that runs out of time is killed, one that runs out of memory dies, and either way the file is
refused with a plain reason and a fresh worker takes its place. The service never waits on a
hostile file for longer than the time limit, and a crash in a parser never reaches it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from ehdocs.ingest.parse import parse, refused

DEFAULT_TIMEOUT = 4.0  # seconds for one file: a filled form takes ~0.15 s
DEFAULT_MEMORY_MB = 768  # address space of one parser process
MAX_FILE_BYTES = 20 * 1024 * 1024
STARTUP_TIMEOUT = 60.0  # a worker's start (imports) on a busy machine
READY = b"ready"

TOO_BIG = (
    "This file is too big to be a filled form ({size} MB; the limit is {limit} MB). Send "
    "only the form, without pictures or scans attached to it"
)
TOO_SLOW = (
    "This file could not be read in the time allowed: it is far more complex than a filled "
    "form. Fill in a new blank form downloaded from us and send that"
)
TOO_HUNGRY = (
    "This file could not be read within the memory allowed: it is far larger inside than a "
    "filled form. Fill in a new blank form downloaded from us and send that"
)


def _limit_memory(megabytes: int) -> None:
    try:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the timeout still holds
        pass


def _serve(conn: Connection, megabytes: int) -> None:
    """A worker's loop: one file's bytes in, one plain result out, until told to stop."""
    _limit_memory(megabytes)
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings quote the file
    conn.send_bytes(READY)  # started and imported: the time limit covers reading only
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if not data:
            return
        try:
            result = parse(data)
        except MemoryError:
            result = refused(TOO_HUNGRY)
        except RecursionError:
            result = refused("This file's structure is too deeply nested to read")
        except Exception:  # a parser bug must not lose the worker or show a traceback
            result = refused(
                "This file could not be read: it may be damaged. Save it again and send it again"
            )
        try:
            conn.send(result)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, megabytes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child, megabytes), daemon=True, name="ehdocs-parser"
        )
        self.process.start()
        child.close()
        if not self.conn.poll(STARTUP_TIMEOUT) or self.conn.recv_bytes() != READY:
            self.kill()
            raise RuntimeError("a parser process did not start")

    def parse(self, data: bytes, timeout: float) -> tuple[dict[str, Any], bool]:
        """(result, worker still usable)."""
        try:
            self.conn.send_bytes(data)
            if not self.conn.poll(timeout):
                self.kill()
                return {"kind": "refused", "reason": TOO_SLOW}, False
            result: dict[str, Any] = self.conn.recv()
            return result, True
        except (EOFError, OSError, BrokenPipeError):
            self.kill()
            return {"kind": "refused", "reason": TOO_HUNGRY}, False

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send_bytes(b"")
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()


class ParserPool:
    """Parse untrusted files in worker processes: `pool.parse(data)` -> plain result dict."""

    def __init__(
        self,
        workers: int | None = None,
        timeout: float | None = None,
        memory_mb: int | None = None,
        max_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.size = max(1, workers or min(4, os.cpu_count() or 1))
        self.timeout = timeout or float(os.environ.get("EHDOCS_PARSE_TIMEOUT", DEFAULT_TIMEOUT))
        self.memory_mb = memory_mb or int(
            os.environ.get("EHDOCS_PARSE_MEMORY_MB", DEFAULT_MEMORY_MB)
        )
        self.max_bytes = max_bytes
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._closed = False
        for _ in range(self.size):
            self._idle.put(None)  # a slot: its worker is started when first needed

    def parse(self, data: bytes) -> dict[str, Any]:
        if len(data) > self.max_bytes:
            return {
                "kind": "refused",
                "reason": TOO_BIG.format(
                    size=max(1, len(data) // (1024 * 1024)),
                    limit=self.max_bytes // (1024 * 1024),
                ),
            }
        if self._closed:
            raise RuntimeError("the parser pool is closed")
        worker = self._idle.get()
        try:
            if worker is None:
                worker = _Worker(self.memory_mb)
                with self._lock:
                    self._all.append(worker)
            result, usable = worker.parse(data, self.timeout)
            if not usable:
                with self._lock:
                    self._all.remove(worker)
                worker = None
            return result
        finally:
            self._idle.put(worker)

    def parse_many(self, items: Iterable[bytes]) -> Iterator[dict[str, Any]]:
        """Results in the order given, up to `size` files at once."""
        with ThreadPoolExecutor(self.size, thread_name_prefix="ehdocs-parse") as threads:
            yield from threads.map(self.parse, items)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()

    def __enter__(self) -> ParserPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

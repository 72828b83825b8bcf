"""Every document and pack is produced within a time limit and a memory cap (ehdocs.render.limits):
past them the render is stopped with everything it started, and the person is told plainly."""

from __future__ import annotations

import _thread
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ehdocs.errors import EhdocsError, RenderTooLarge
from ehdocs.render.limits import RenderLimits, run_limited
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document, render_pack
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blended-family.json"
TODAY = dt.date(2026, 11, 23)
PARAGRAPH = (
    "Home visit by the family support worker; the children were at school. Parent spoke about "
    "rent arrears, the bus fares to the new school and the younger child's sleep. "
)


def heavy_raw(entries: int = 400) -> dict[str, Any]:
    """A real case (the blended-family example) with a chronology far longer than any real one."""
    raw: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    person = raw["people"][0]["id"]
    raw["chronology"] = [
        {
            "id": f"c{n}",
            "date": f"20{10 + n % 15:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "event": (PARAGRAPH * 12)[:1990],
            "source": "Family support worker",
            "impact": (PARAGRAPH * 12)[:1990],
            "action": (PARAGRAPH * 12)[:1990],
            "people": [person],
            "family_visible": "yes",
        }
        for n in range(entries)
    ]
    return raw


@pytest.fixture(scope="module")
def heavy_case(formset: FormSet) -> Any:
    result = validate_case(heavy_raw(), formset)
    assert result.case is not None, result.problems[:5]
    return result.case


def _processes() -> dict[int, tuple[int, str]]:
    """pid: (parent pid, state) of every process on the machine."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(entry)] = (int(fields[1]), fields[0])
    return found


def descendants(apart: frozenset[int] = frozenset()) -> set[int]:
    """The processes this one started, and theirs, that are running (not zombies); not looking
    under the processes `apart` (a test's database server starts workers of its own)."""
    table = _processes()
    mine, grew = {os.getpid()}, True
    while grew:
        more = {p for p, (parent, _) in table.items() if parent in mine - apart} - mine
        mine |= more
        grew = bool(more)
    return {pid for pid in mine - {os.getpid()} if table[pid][1] != "Z"}


def still_running(pids: set[int]) -> set[int]:
    table = _processes()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


class Watcher:
    """Notes every process a render starts while it runs, to check afterwards none is left."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        # processes started before the render (a parser pool, a test server), and the ones
        # they start while it runs (PostgreSQL's autovacuum workers), are not its own
        self._before: frozenset[int] = frozenset()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.seen |= descendants(self._before) - self._before
            time.sleep(0.02)

    def __enter__(self) -> Watcher:
        self._before = frozenset(descendants())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_the_watcher_leaves_out_what_a_server_started_before_it_starts() -> None:
    # CI: PostgreSQL, started for the whole run, started an autovacuum worker during a render
    # watched for 10 s, and the worker was taken for a process the render had left running.
    started = "import subprocess, sys, time; time.sleep(0.3); subprocess.run(['sleep', '1.5'])"
    server = subprocess.Popen([sys.executable, "-c", started])
    try:
        with Watcher() as watcher:
            time.sleep(1.0)
    finally:
        server.wait(timeout=30)
    assert watcher.seen == set()


@pytest.fixture
def tiny_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EHDOCS_RENDER_TIMEOUT", "1.5")
    yield


def test_a_heavy_pack_is_stopped_at_its_time_limit_with_every_process_it_started(
    heavy_case: Any, tiny_time: None
) -> None:
    options = RenderOptions("professional", "pdf", TODAY, workers=2)
    started = time.monotonic()
    with Watcher() as watcher, pytest.raises(RenderTooLarge) as refused:
        render_pack(heavy_case, options)
    took = time.monotonic() - started

    assert "This document is too large to produce" in str(refused.value)
    assert "1.5 seconds" in str(refused.value)
    assert took < 1.5 + 6  # the limit, then the kill and the reaping
    assert len(watcher.seen) >= 2  # the render's child and the part renderers it started
    assert still_running(watcher.seen) == set()  # none of them is left burning CPU


def test_a_heavy_document_is_stopped_in_both_formats(
    heavy_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The assessment (with the long chronology) takes about 3 s in PDF. In DOCX it takes 0.6 s
    # the first time but 0.1 s once a process has made one (the Word template is a file read
    # once), and a forked child inherits that: so the DOCX leg makes the whole pack, about 1.1 s
    # warm. 0.2 s gives the watcher, which looks every 20 ms, time to see the child under load.
    monkeypatch.setenv("EHDOCS_RENDER_TIMEOUT", "0.2")
    doc = next(d for d in heavy_case.documents if d.form == "assessment")
    with Watcher() as watcher:
        with pytest.raises(RenderTooLarge, match="too large to produce"):
            render_document(heavy_case, doc, RenderOptions("professional", "pdf", TODAY))
        with pytest.raises(RenderTooLarge, match="too large to produce"):
            render_pack(heavy_case, RenderOptions("professional", "docx", TODAY, workers=1))
    assert watcher.seen and still_running(watcher.seen) == set()


def test_a_render_past_its_memory_cap_is_refused_plainly(
    write_case: Callable[..., Path], tmp_path: Path
) -> None:
    # The cap counts what the child adds to the address space it was forked with, and a child
    # first reuses the free memory of its parent's heap: after a long test run that can be more
    # than the whole pack needs, and the render then passed under a 1 MB cap. So the pack is
    # asked for as a person would, by the command in a process of its own.
    case_file = write_case(heavy_raw())
    out = tmp_path / "out"
    command = [sys.executable, "-c", "import sys; from ehdocs.cli import main; sys.exit(main())"]
    env = {**os.environ, "EHDOCS_RENDER_MEMORY_MB": "1"}
    with Watcher() as watcher:
        done = subprocess.run(
            [*command, "pack", str(case_file), "--output", str(out)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            check=False,
        )
    assert done.returncode == RenderTooLarge.exit_code, done.stderr[-2000:]
    assert "too large to produce" in done.stderr and "1 MB allowed" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() or not list(out.iterdir())
    assert still_running(watcher.seen) == set()


def _hoard_then_fail() -> bytes:
    """A failed allocation as C libraries report it: an error of their own, not MemoryError."""
    hoard = []
    try:
        while True:
            hoard.append(bytearray(1 << 20))
    except MemoryError:
        pass
    raise RuntimeError(f"content stream: errors while decoding ({len(hoard)} buffers)")


def test_an_error_met_at_the_memory_cap_is_reported_as_too_large() -> None:
    # Found by asking for the long pack under caps of 1 to 64 MB: at 40 MB pikepdf reported
    # "errors while decoding content stream", and the person was told that something went
    # wrong that ehdocs did not expect.
    with pytest.raises(RenderTooLarge, match="more memory than the 64 MB"):
        run_limited(_hoard_then_fail, RenderLimits(30, 64))


def _thread_out_of_memory() -> bytes:
    """What CI met under a 1 MB cap: a thread whose start fails for want of memory (its
    MemoryError goes to sys.unraisablehook), and a caller waiting for it for ever."""

    def start() -> None:
        raise MemoryError

    _thread.start_new_thread(start, ())
    time.sleep(60)
    return b"never"


def test_a_thread_that_cannot_start_for_memory_ends_the_render_as_too_large(
    capfd: pytest.CaptureFixture[str],
) -> None:
    began = time.monotonic()
    with pytest.raises(RenderTooLarge, match="more memory than the 64 MB"):
        run_limited(_thread_out_of_memory, RenderLimits(30, 64))
    assert time.monotonic() - began < 15  # not the time limit's "too slow" after 30 s
    assert "Exception ignored" not in capfd.readouterr().err  # nothing printed for a person


def test_an_error_far_from_the_cap_is_still_raised_as_it_was() -> None:
    def broken() -> bytes:
        raise RuntimeError("a fault of ehdocs")

    with pytest.raises(RuntimeError, match="a fault of ehdocs"):
        run_limited(broken, RenderLimits(30, 256))


def test_within_its_limits_a_render_gives_the_same_file_as_in_process(
    formset: FormSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = validate_case(json.loads(EXAMPLE.read_text(encoding="utf-8")), formset).case
    assert case is not None
    options = RenderOptions("family", "pdf", TODAY)
    limited = render_document(case, case.documents[0], options)
    direct = render_document(case, case.documents[0], options, RenderLimits(in_process=True))
    assert limited == direct and limited.startswith(b"%PDF")


def test_errors_in_the_child_reach_the_caller_as_raised() -> None:
    def refuse() -> bytes:
        raise EhdocsError("Case EH-1 has no Closure yet")

    with pytest.raises(EhdocsError, match="has no Closure yet"):
        run_limited(refuse, RenderLimits(timeout=30))
    assert run_limited(lambda: b"made", RenderLimits(timeout=30)) == b"made"


def test_the_cli_says_so_and_exits_with_its_code(
    run_cli: Callable[..., Any], write_case: Callable[..., Path], tmp_path: Path, tiny_time: None
) -> None:
    case_file = write_case(heavy_raw())
    result = run_cli("pack", case_file, "--output", tmp_path / "out")
    assert result.code == RenderTooLarge.exit_code == 8
    assert "This document is too large to produce" in result.err
    assert "Traceback" not in result.err
    assert not list((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


def test_the_memory_cap_counts_what_the_work_adds_not_what_the_process_already_maps() -> None:
    # A long-running server maps far more than any one render needs (thread stacks, arenas,
    # libraries); a render forked from it must still get its whole allowance.
    import mmap

    reserved = mmap.mmap(-1, 1536 * 1024 * 1024)  # mapped, never touched: address space only
    try:
        made = run_limited(lambda: bytes(64 * 1024 * 1024)[:4], RenderLimits(30, 256))
    finally:
        reserved.close()
    assert made == b"\0\0\0\0"
    with pytest.raises(RenderTooLarge, match="256 MB"):
        run_limited(lambda: len(bytes(512 * 1024 * 1024)), RenderLimits(30, 256))

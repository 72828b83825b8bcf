"""Every document and pack is produced in a forked child process with a time limit and a memory
cap, as untrusted files are parsed (ehdocs.ingest.sandbox): a case far larger than any real one
cannot keep a core busy, or the machine's memory, after the person who asked for it has gone.

The child leads a process group of its own, so the processes it starts (a pack's parallel part
renderers) go with it: when a limit passes, the whole group is killed and reaped, and the caller
gets `RenderTooLarge`, a plain message for a person. Errors raised in the child (an
EhdocsError, say) are raised again in the caller as they were.

Settings: EHDOCS_RENDER_TIMEOUT (seconds, default 120) and EHDOCS_RENDER_MEMORY_MB (default
2048): the address space the child may add to what it was forked with. The cap is counted from
the child's start, not from nothing, because a long-running server maps far more than any one
render needs (thread stacks, allocator arenas, libraries); an absolute cap would refuse an
ordinary render, or a phone photo, only because the server had been up for a while. Processes
the child starts inherit the same ceiling. EHDOCS_RENDER_IN_PROCESS=1 renders
in the calling process without limits (bench/bench_render_limits.py's baseline, never live).
"""

from __future__ import annotations

import faulthandler
import os
import pickle
import resource
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from weasyprint import HTML

from ehdocs.errors import ConfigError, EhdocsError, RenderTooLarge

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048
REAP_TIMEOUT = 5.0  # seconds to wait for a killed group to be gone
NEAR_CAP_BYTES = 16 * 1024 * 1024  # an error this close to the cap is taken as out of memory

TOO_SLOW = (
    "This document is too large to produce: it was still being made after {seconds} seconds, "
    "the limit for one document or pack. Nothing was changed. Produce its documents one at a "
    "time instead of the whole pack, or shorten the longest answers and lists (a chronology or "
    "a plan with hundreds of entries), then try again. If it happens again, ask your system "
    "administrator (the limit is EHDOCS_RENDER_TIMEOUT)."
)
TOO_HUNGRY = (
    "This document is too large to produce: it needs more memory than the {megabytes} MB allowed "
    "for one document or pack. Nothing was changed. Produce its documents one at a time instead "
    "of the whole pack, or shorten the longest answers and lists (a chronology or a plan with "
    "hundreds of entries), then try again. If it happens again, ask your system administrator "
    "(the limit is EHDOCS_RENDER_MEMORY_MB)."
)
FAILED = (
    "This document could not be produced: the process making it stopped unexpectedly. Nothing "
    "was changed. Try again; if it happens again, report it."
)

T = TypeVar("T")


@dataclass(frozen=True)
class RenderLimits:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    in_process: bool = False

    @classmethod
    def from_environment(cls) -> RenderLimits:
        env = os.environ
        try:
            timeout = float(env.get("EHDOCS_RENDER_TIMEOUT") or DEFAULT_TIMEOUT)
            memory = int(env.get("EHDOCS_RENDER_MEMORY_MB") or DEFAULT_MEMORY_MB)
        except ValueError as exc:
            raise ConfigError(
                "EHDOCS_RENDER_TIMEOUT must be a number of seconds and EHDOCS_RENDER_MEMORY_MB "
                "a whole number of megabytes"
            ) from exc
        if timeout <= 0 or memory <= 0:
            raise ConfigError("EHDOCS_RENDER_TIMEOUT and EHDOCS_RENDER_MEMORY_MB must be above 0")
        return cls(timeout, memory, env.get("EHDOCS_RENDER_IN_PROCESS") == "1")


def run_limited(work: Callable[[], T], limits: RenderLimits | None = None) -> T:
    """`work()` in a forked child within `limits`; its result (pickled) or its error."""
    limits = limits or RenderLimits.from_environment()
    if limits.in_process:
        return work()
    _fonts_ready()
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # a threaded server: the child only renders, then exits
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(work, write_end, limits.memory_mb)
    os.close(write_end)
    try:
        os.setpgid(pid, pid)  # also done by the child: whichever runs first
    except OSError:
        pass
    try:
        data, finished = _read(read_end, time.monotonic() + limits.timeout)
    finally:
        os.close(read_end)
    if not finished:
        _kill_group(pid)
        raise RenderTooLarge(TOO_SLOW.format(seconds=_seconds(limits.timeout)))
    _, status = os.waitpid(pid, 0)
    _kill_group(pid)  # anything it started and left behind
    if not data:
        if os.WIFSIGNALED(status):
            # Under the memory cap the C libraries abort (GLib) or crash when malloc fails: a
            # render that dies by a signal ran out of memory far more often than not.
            raise RenderTooLarge(TOO_HUNGRY.format(megabytes=limits.memory_mb))
        raise EhdocsError(FAILED)
    kind, value = pickle.loads(data)
    if kind == "ok":
        return value
    if kind == "memory":
        raise RenderTooLarge(TOO_HUNGRY.format(megabytes=limits.memory_mb))
    raise value


_FONTS_READY = False


def _fonts_ready() -> None:
    """Pango sets fontconfig up the first time text is laid out, in a thread of its own that
    the caller waits for. In a child at its memory cap that thread can fail to start its work,
    and the child then waits for ever: a render refused for memory was reported, 120 s later,
    as too slow. So the fonts are set up once in the parent, before the first child is
    forked, and every child inherits them (it costs ~50 ms, once per process)."""
    global _FONTS_READY
    if not _FONTS_READY:
        HTML(string="<p>ehdocs</p>").write_pdf()
        _FONTS_READY = True


def _child(work: Callable[[], object], write_end: int, memory_mb: int) -> None:
    code = 0
    try:
        os.setpgid(0, 0)
        faulthandler.disable()  # a render that runs out of memory may crash: no stack dumps
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        limit = mapped_bytes() + memory_mb * 1024 * 1024
        sys.unraisablehook = _out_of_memory_ends(write_end)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            result: tuple[str, object] = ("ok", work())
        except MemoryError:
            result = ("memory", None)
        except EhdocsError as exc:  # raised again in the caller, as an in-process render would
            result = ("error", exc)
        except Exception as exc:
            # At the cap, C libraries report a failed allocation as an error of their own
            # (pikepdf: "errors while decoding content stream"), not as MemoryError. A failure
            # the child met at the edge of its allowance is that, not a fault of ehdocs.
            near = _peak_bytes() >= limit - max(NEAR_CAP_BYTES, memory_mb * 1024 * 1024 // 4)
            result = ("memory", None) if near else ("error", exc)
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            data = pickle.dumps(("memory", None))
        except Exception:
            data = pickle.dumps(("error", EhdocsError(FAILED)))
        view = memoryview(data)
        while view:
            written = os.write(write_end, view)
            view = view[written:]
    except BaseException:
        code = 70
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers or connections


_MEMORY = pickle.dumps(("memory", None))


def _out_of_memory_ends(write_end: int) -> Callable[[sys.UnraisableHookArgs], object]:
    """A child's hook for errors no caller can catch. A thread that fails to start for want of
    memory reports its MemoryError only here ("Exception ignored in thread started by"), and
    whoever started it waits for it for ever: a render refused for memory was reported, after
    the whole time limit, as too slow. So a MemoryError here ends the child, as out of memory."""

    def hook(unraisable: sys.UnraisableHookArgs) -> object:
        if isinstance(unraisable.exc_value, MemoryError):
            try:
                os.write(write_end, _MEMORY)
            finally:
                os._exit(0)
        return sys.__unraisablehook__(unraisable)

    return hook


def mapped_bytes() -> int:
    """The address space this process maps now (VmSize), or 0 where it cannot be read."""
    return _status_bytes("VmSize:")


def _peak_bytes() -> int:
    """The most address space this process has mapped (VmPeak), or 0 where it cannot be read."""
    return _status_bytes("VmPeak:")


def _status_bytes(key: str) -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _read(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Everything the child writes until it closes the pipe: (data, finished before deadline)."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return b"", False
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def _kill_group(pgid: int) -> None:
    """Kill the child's process group and reap the child; wait until none of it runs."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.waitpid(pgid, 0)
    except ChildProcessError:
        pass
    deadline = time.monotonic() + REAP_TIMEOUT
    while running_in_group(pgid) and time.monotonic() < deadline:
        time.sleep(0.02)


def running_in_group(pgid: int) -> list[int]:
    """The processes of group `pgid` that still run (not zombies waiting to be reaped)."""
    found: list[int] = []
    if not os.path.isdir("/proc"):  # not Linux: the group was killed, nothing to look at
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def _seconds(timeout: float) -> str:
    return f"{timeout:g}"

"""Hostile files end in a plain refusal within 5 seconds and the service stays up: through
one parser pool, through a pool whose worker is killed for time or runs out of memory, and
through `ehdocs ingest` on a folder of them (one submission each, the file kept as sent).

The corpus is in tests/ingest/hostile.py. Places where a hostile file is not refused as it
should be (found by this corpus and since fixed) are at the end.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ehdocs.fillable import read_pdf
from ehdocs.fillable.errors import FillableFormError
from ehdocs.fillable.raw import name_references
from ehdocs.ingest.cases import filled_form
from ehdocs.ingest.sandbox import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, ParserPool
from ehdocs.ingest.sealed import resolve
from ehdocs.schema import FormSet
from tests.ingest.hostile import (
    BUILDERS,
    GOOD_ANSWERS,
    JAVASCRIPT,
    JAVASCRIPT_MISSED,
    REFUSED_AFTER_READING,
    TOO_HUNGRY,
    TOO_SLOW,
    Hostile,
    blank_pdf,
    bombs_never_read,
    build,
    corpus,
    field_tree_loop,
    good_form,
    memory_bomb,
    stream_value,
)

TIME_BOUND = 5.0  # seconds any one file may take, start to refusal
_PATH = re.compile(r"(?:/[\w.-]+){2,}|[A-Za-z]:\\")


@pytest.fixture(scope="module")
def pool() -> Iterator[ParserPool]:
    """One pool for the module, with the service's own time and memory limits, its workers
    started (a start-up, about a second, is not what is being timed)."""
    with ParserPool(workers=2, timeout=DEFAULT_TIMEOUT, memory_mb=DEFAULT_MEMORY_MB) as made:
        list(made.parse_many([b"warm-up", b"warm-up"]))
        yield made


def assert_plain(reason: str) -> None:
    """A reason for the person who sent the file: no traceback, exception or file path."""
    assert "Traceback" not in reason and "Error(" not in reason, reason
    assert not re.search(r"\w+(?:Error|Exception)\b", reason), reason
    assert not _PATH.search(reason), reason


def timed(pool: ParserPool, data: bytes) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    result = pool.parse(data)
    return result, time.monotonic() - start


def assert_good_form_read(result: dict[str, Any]) -> None:
    assert result["kind"] == "form", result.get("reason")
    assert result["form"] == "notification"
    assert {k: result["values"][k] for k in GOOD_ANSWERS} == GOOD_ANSWERS


# -- one pool, the whole corpus ---------------------------------------------------------------


EMBEDDED_DATA_UNREAD = frozenset({"deep-case-json.pdf"})


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: b.__name__)
def test_refused_in_time(
    pool: ParserPool, formset: FormSet, builder: Callable[[], Hostile]
) -> None:
    file = build(builder)
    result, took = timed(pool, file.data)
    if file.name in EMBEDDED_DATA_UNREAD:
        # Embedded case data that cannot be read is not trusted: the form's fields are read
        # instead (issue 16), and the parser says why the data was left out.
        assert result["kind"] == "embedded" and result["payload"] is None
        assert resolve(result, None)["kind"] == "form"
        reason = result["problem"]
    elif file.name in REFUSED_AFTER_READING:
        # Its identity is well made, so the parser reads it; the service's check refuses it.
        assert result["kind"] == "form"
        with pytest.raises(FillableFormError) as refused:
            name_references(filled_form(result), formset)
        reason = str(refused.value)
    else:
        assert result["kind"] == "refused", result
        reason = result["reason"]
    assert file.reason in reason
    assert_plain(reason)
    assert took < TIME_BOUND


def test_bombs_where_the_reader_never_looks_are_never_inflated(pool: ParserPool) -> None:
    """1 GiB bombs as a page's content and a field's appearance: still the blank form."""
    result, took = timed(pool, bombs_never_read())
    assert (result["kind"], result["form"]) == ("form", "notification")
    assert took < TIME_BOUND


def test_the_service_is_still_up_after_the_corpus(pool: ParserPool) -> None:
    """The same pool that took every hostile file reads a filled form, twice at once."""
    good = good_form()
    start = time.monotonic()
    results = list(pool.parse_many([good, good]))
    assert time.monotonic() - start < TIME_BOUND
    for result in results:
        assert_good_form_read(result)


# -- the time and memory limits -------------------------------------------------------------


def test_a_field_tree_loop_reads_as_the_form(pool: ParserPool) -> None:
    result, took = timed(pool, build(field_tree_loop).data)
    assert (result["kind"], result["form"]) == ("form", "notification")
    assert took < 2.0


def test_a_worker_out_of_time_is_killed_and_replaced() -> None:
    # A form is read in tens to hundreds of milliseconds: a limit of 1 ms (counted from when the
    # worker has started and is ready) runs out while it reads.
    timeout = 0.001
    with ParserPool(workers=1, timeout=5.0) as pool:
        assert_good_form_read(pool.parse(good_form()))
        (worker,) = pool._all  # the pool's own list of its live workers
        pool.timeout = timeout
        result, took = timed(pool, good_form())
        pool.timeout = 5.0
        assert result["kind"] == "refused"
        assert TOO_SLOW in result["reason"]
        assert_plain(result["reason"])
        assert timeout <= took < timeout + 1.0
        assert not worker.process.is_alive()
        assert_good_form_read(pool.parse(good_form()))
        (replacement,) = pool._all
        assert replacement is not worker and replacement.process.is_alive()


def test_the_memory_cap_is_real() -> None:
    """Case data that parses into over 200 MB of lists, in a worker allowed 200 MB. The time
    limit is set far above it, so only the memory cap can stop the worker (on a loaded machine
    the default 4 s could pass first); how fast it is stopped is for bench/, not a unit test."""
    bomb = memory_bomb()
    with ParserPool(workers=1, memory_mb=200, timeout=120) as pool:
        result = pool.parse(bomb.data)
        assert result["kind"] == "refused"
        assert TOO_HUNGRY in result["reason"]
        assert_plain(result["reason"])
        assert_good_form_read(pool.parse(good_form()))


# -- the command line -----------------------------------------------------------------------


def submissions(data_dir: Path) -> list[sqlite3.Row]:
    database = sqlite3.connect(f"file:{data_dir / 'ehdocs.sqlite3'}?mode=ro", uri=True)
    database.row_factory = sqlite3.Row
    try:
        return database.execute("SELECT sha256, status, reason FROM submissions").fetchall()
    finally:
        database.close()


def test_ehdocs_ingest_refuses_the_corpus_once(
    run_cli: Callable[..., Any],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("EHDOCS_PARSE_TIMEOUT", "EHDOCS_PARSE_MEMORY_MB"):
        monkeypatch.delenv(name, raising=False)
    files = corpus()
    sent = tmp_path / "sent"
    sent.mkdir()
    for file in files:
        (sent / file.name).write_bytes(file.data)
    count = len(files)

    first = run_cli("ingest", sent)
    assert first.code == 0, first.output
    read = len([f for f in files if f.name in EMBEDDED_DATA_UNREAD])  # read as the form
    assert (
        f"Received {count} files: {read} ready for the hub ({read} with answers to fix), "
        f"{count - read} refused, 0 already" in first.out
    )
    assert "Traceback" not in first.output and str(tmp_path) not in first.output

    rows = {row["sha256"]: row for row in submissions(data_dir)}
    assert len(rows) == count
    for file in files:
        kept = file.data  # kept whole, a file over the limit too (streamed, refused unread)
        digest = hashlib.sha256(kept).hexdigest()
        row = rows[digest]
        if file.name in EMBEDDED_DATA_UNREAD:
            assert row["status"] == "ready", file.name
        else:
            assert row["status"] == "refused", file.name
            assert file.reason in row["reason"], file.name
            assert_plain(row["reason"])
        stored = data_dir / "received" / digest[:2] / digest
        assert stored.read_bytes() == kept, file.name

    again = run_cli("ingest", sent)
    assert again.code == 0, again.output
    assert f"0 refused, {count} already received." in again.out
    assert len(submissions(data_dir)) == count


# -- found by this corpus, fixed ------------------------------------------------------------


@pytest.mark.parametrize("builder", JAVASCRIPT_MISSED, ids=lambda b: b.__name__)
def test_javascript_anywhere_is_refused(pool: ParserPool, builder: Callable[[], Hostile]) -> None:
    result = pool.parse(build(builder).data)
    assert result["kind"] == "refused"
    assert JAVASCRIPT in result["reason"]


def test_a_loop_in_the_field_tree_costs_no_more_than_the_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = 0
    real = read_pdf._dict

    def counted(obj: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(obj)

    monkeypatch.setattr(read_pdf, "_dict", counted)
    read_pdf.read_pdf_fields(blank_pdf())
    plain, calls = calls, 0
    read_pdf.read_pdf_fields(field_tree_loop(kids=4).data)  # 4**9 visits: about 2 s
    assert calls < 2 * plain


def test_a_text_stream_value_is_read_as_its_text_or_refused() -> None:
    try:
        filled = read_pdf.read_pdf_fields(stream_value())
    except FillableFormError:
        return
    assert filled.values["referrer__name"] == "Jo Bloggs"

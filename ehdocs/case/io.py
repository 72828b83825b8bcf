"""Read and write case files, with a clear message for every way a file can be unreadable."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ehdocs.errors import CaseFileError

MAX_CASE_BYTES = 20 * 1024 * 1024


def read_case_file(path: Path) -> Any:
    """The raw JSON of a case file; the shape is checked by validation, not here."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if path.is_dir():
        raise CaseFileError(f"{path}: is a folder, not a case file")
    if size == 0:
        raise CaseFileError(
            f"{path}: the file is empty. A case file is a JSON object; see examples/ for one"
        )
    if size > MAX_CASE_BYTES:
        raise CaseFileError(
            f"{path}: the file is {size // 1024 // 1024} MB; a case file may be "
            f"at most {MAX_CASE_BYTES // 1024 // 1024} MB"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseFileError(f"{path}: is not UTF-8 text; save it as UTF-8 JSON") from None
    return parse_case_json(text, str(path))


def parse_case_json(text: str, name: str = "case") -> Any:
    if not text.strip():
        raise CaseFileError(f"{name}: the file is empty. A case file is a JSON object")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise CaseFileError(
            f"{name}:{exc.lineno}:{exc.colno}: this is not valid JSON ({exc.msg})"
        ) from None
    except ValueError as exc:
        raise CaseFileError(f"{name}: {exc}") from None
    except RecursionError:
        raise CaseFileError(f"{name}: the JSON is nested too deeply") from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"'{name}' is not allowed in a case file: use a number or leave it out")


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

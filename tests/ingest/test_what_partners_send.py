"""Files as partners really send them (issue 16): made by the real tools (mutool, qpdf,
openssl, Python's zipfile), read through the parser as the service reads them, each with the
exact outcome expected. Nothing is read as an empty form, nothing from an older revision."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from ehdocs.ingest.parse import parse
from tests.ingest.hostile import GOOD_ANSWERS, blank_pdf

MUTOOL_FILL = Path(__file__).with_name("mutool_fill.js")


def mutool_filled(tmp_path: Path, answers: dict[str, str] = GOOD_ANSWERS) -> bytes:
    """The blank notification filled in by MuPDF (`mutool run`), saved incrementally as MuPDF
    does: the blank revision stays in the file, the answers are in a revision after it."""
    blank, out = tmp_path / "blank.pdf", tmp_path / "filled.pdf"
    blank.write_bytes(blank_pdf())
    pairs = [f"{name}={value}" for name, value in answers.items()]
    subprocess.run(
        ["mutool", "run", str(MUTOOL_FILL), str(blank), str(out), *pairs],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = out.read_bytes()
    assert data.startswith(blank_pdf()[:100]) and len(data) > len(blank_pdf())  # incremental
    return data


def answers(result: dict[str, Any]) -> dict[str, Any]:
    assert result["kind"] == "form", result.get("reason")
    return {name: result["values"][name] for name in GOOD_ANSWERS}


# -- silent loss: bytes before the header -----------------------------------------------------


@pytest.mark.parametrize("prefix", [b"", b"\r\n\r\n\r\n", b"\n", b"X-Gateway: scanned\r\n\r\n"])
def test_a_mupdf_form_with_bytes_before_its_header_is_read_at_its_latest_revision(
    tmp_path: Path, prefix: bytes
) -> None:
    assert answers(parse(prefix + mutool_filled(tmp_path))) == GOOD_ANSWERS

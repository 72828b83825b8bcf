"""`ehdocs render` and `ehdocs pack`: files named without personal data, written atomically."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx

from tests.factories import make_case

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TODAY = dt.date.today().isoformat()


def names_in(case_file: Path) -> set[str]:
    case = json.loads(case_file.read_text())
    return {p["given_name"] for p in case["people"]} | {
        p.get("family_name", "") for p in case["people"]
    } - {""}


def test_render_writes_one_file_per_document_named_without_people(run_cli, tmp_path) -> None:
    case_file = EXAMPLES / "blended-family.json"
    out = tmp_path / "out"
    result = run_cli("render", case_file, "--document", "review", "--format", "pdf", "-o", out)
    assert result.code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        f"EH-2026-0102_review-rv1_professional_{TODAY}.pdf",
        f"EH-2026-0102_review-rv2_professional_{TODAY}.pdf",
    ]
    for name in files:
        assert not any(person in name for person in names_in(case_file))
        assert (out / name).read_bytes().startswith(b"%PDF-")
        assert (out / name).stat().st_mode & 0o777 == 0o600


def test_render_one_document_by_id_as_family_docx(run_cli, tmp_path) -> None:
    result = run_cli(
        "render",
        EXAMPLES / "blended-family.json",
        "--document",
        "pl2",
        "--audience",
        "family",
        "--format",
        "docx",
        "-o",
        tmp_path,
    )
    assert result.code == 0, result.output
    (path,) = tmp_path.iterdir()
    assert path.name == f"EH-2026-0102_plan-pl2_family_{TODAY}.docx"
    text = "\n".join(p.text for p in open_docx(str(path)).paragraphs)
    assert "Family copy" in text
    assert not list(tmp_path.glob(".tmp-*"))  # nothing half-written is left behind


def test_render_refuses_an_unknown_document_and_an_invalid_case(run_cli, write_case, tmp_path):
    unknown = run_cli(
        "render", EXAMPLES / "single-parent.json", "--document", "plna", "-o", tmp_path
    )
    assert unknown.code == 2 and "There is no document called 'plna'" in unknown.err
    broken = make_case()
    broken["documents"][0]["data"]["referrer"]["date"] = "2025-02-30"
    result = run_cli("render", write_case(broken), "--document", "notification", "-o", tmp_path)
    assert result.code == 1
    assert "cannot render" in result.err
    assert "Early Help Notification, About you, Date of request: " in result.err  # in words
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == [tmp_path / "case.json"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_pack_of_each_example(run_cli, tmp_path, fmt: str, monkeypatch) -> None:
    monkeypatch.setenv("EHDOCS_DATA_DIR", str(tmp_path / "data"))
    for case_file in sorted(EXAMPLES.glob("*.json")):
        result = run_cli(
            "pack", case_file, "--audience", "family", "--format", fmt, "-o", tmp_path / "out"
        )
        assert result.code == 0, result.output
    files = sorted((tmp_path / "out").iterdir())
    assert len(files) == 3
    for path in files:
        assert "_pack_family_" in path.name
        if fmt == "docx":
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None
            doc = open_docx(str(path))
            headings = [p.text for p in doc.paragraphs if p.style.name in ("Title", "Heading 1")]
            assert headings[0] == "Our family's early help"
            assert "Contents" in headings


@pytest.mark.libreoffice
def test_docx_pack_opens_in_libreoffice_with_every_document(tmp_path) -> None:
    from ehdocs.case.io import read_case_file
    from ehdocs.render.docx_pack import render_pack_docx
    from ehdocs.schema import load_formset
    from ehdocs.validation import validate_case

    case = validate_case(read_case_file(EXAMPLES / "blended-family.json"), load_formset()).case
    assert case is not None
    path = tmp_path / "pack.docx"
    path.write_bytes(render_pack_docx(case, "professional"))
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    pdf = (tmp_path / "pack.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for title in (
        "Early help case pack",
        "Early Help Notification",
        "Early Help Assessment",
        "Early Help Plan",
        "TAF review minutes",
    ):
        assert title in text
    pages = text.split("\f")
    assert all("OFFICIAL-SENSITIVE" in page for page in pages if page.strip())
    total = len([p for p in pages if p.strip()])
    assert f"Page {total} of {total}" in text

"""`ehdocs blank` and the web download of blank forms (no sign-in needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ehdocs.fillable import read_docx_fields, read_pdf_fields
from ehdocs.web import create_app


def test_blank_command_writes_pdf_and_docx_forms(run_cli: Any, tmp_path: Path) -> None:
    pdf = run_cli("blank", "plan", "--format", "pdf", "-o", tmp_path)
    docx = run_cli("blank", "plan", "--format", "docx", "-o", tmp_path)
    assert pdf.code == 0 and docx.code == 0
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["plan-blank-v2.docx", "plan-blank-v2.pdf"]
    assert read_pdf_fields((tmp_path / "plan-blank-v2.pdf").read_bytes()).form == "plan"
    assert read_docx_fields((tmp_path / "plan-blank-v2.docx").read_bytes()).form == "plan"
    unknown = run_cli("blank", "plna", "-o", tmp_path)
    assert unknown.code == 2 and "There is no document called 'plna'" in unknown.err


def test_blank_forms_download_without_a_session(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    client = app.test_client()
    page = client.get("/forms")
    assert page.status_code == 200 and b"Early Help Notification" in page.data
    response = client.get("/forms/notification.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF-")
    assert "notification-blank-v1.pdf" in response.headers["Content-Disposition"]
    assert read_pdf_fields(response.data).form == "notification"
    assert client.get("/forms/nope.pdf").status_code == 404

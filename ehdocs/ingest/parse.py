"""What runs inside a parser process: bytes of an untrusted file in, plain data out.

Nothing here touches the database, the disk or the network. The answer is a dict of plain
values (it crosses a process boundary), one of:

    {"kind": "form", "format", "form", "version", "digest", "profile", "values"}
        a filled fillable form (PDF fields or DOCX content controls), read by its identity;
    {"kind": "case", "document", "audience", "profile", "case"}
        a PDF ehdocs rendered, with the case data it embeds (lossless);
    {"kind": "refused", "reason"}
        anything else, with a reason written for the person who sent it.
"""

from __future__ import annotations

import io
import json
from typing import Any

from ehdocs.fillable.errors import FillableFormError
from ehdocs.fillable.read_docx import read_docx_fields
from ehdocs.fillable.read_pdf import (
    ENCRYPTED,
    LIMITS,
    MAX_PDF_BYTES,
    read_pdf_fields,
    refuse_active_content,
)

CASE_ATTACHMENT = "ehdocs-case.json"
CASE_FORMAT = "ehdocs-embedded-case"
MAX_CASE_JSON = 5 * 1024 * 1024

NOT_A_FORM = (
    "This file is not a PDF or a Word document (.docx). Send the form as the PDF or Word file "
    "you filled in"
)


def kind_of(data: bytes) -> str | None:
    """ "pdf", "docx" or None, from the content (never from a file name)."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    return None


def parse(data: bytes) -> dict[str, Any]:
    kind = kind_of(data)
    try:
        if kind == "pdf":
            embedded = _embedded_case(data)
            if embedded is not None:
                return embedded
            filled = read_pdf_fields(data)
        elif kind == "docx":
            filled = read_docx_fields(data)
        else:
            return refused(NOT_A_FORM)
    except FillableFormError as exc:
        return refused(str(exc))
    return {
        "kind": "form",
        "format": filled.format,
        "form": filled.form,
        "version": filled.version,
        "digest": filled.digest,
        "profile": filled.profile,
        "values": dict(filled.values),
    }


def refused(reason: str) -> dict[str, Any]:
    return {"kind": "refused", "reason": reason}


def _embedded_case(data: bytes) -> dict[str, Any] | None:
    """The case data an ehdocs-rendered PDF carries, or None when it carries none (then it may
    still be a filled form). Encrypted, scripted and XFA files are refused here first."""
    if len(data) > MAX_PDF_BYTES:
        return None  # read_pdf_fields says why
    from pypdf import PdfReader, apply_configuration

    try:
        with apply_configuration(**LIMITS):
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                return refused(ENCRYPTED)
            refuse_active_content(reader)
            found = reader.attachments.get(CASE_ATTACHMENT)
    except FillableFormError as exc:
        return refused(str(exc))
    except MemoryError:
        raise
    except Exception:  # damaged: read_pdf_fields gives the reason
        return None
    if not found or len(found[0]) > MAX_CASE_JSON:
        return None
    try:
        payload = json.loads(found[0])
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("format") != CASE_FORMAT:
        return None
    case = payload.get("case")
    if not isinstance(case, dict):
        return None
    if payload.get("audience") == "family":
        return refused(
            "This PDF is a family copy: it leaves out what only professionals see, so it cannot "
            "be taken in as case data. Send the professional copy, or the filled-in form"
        )
    document: Any = payload.get("document_id")
    if not isinstance(document, str):  # which document: by id, else the first of its form
        form = payload.get("document")
        same = [
            d for d in case.get("documents", []) if isinstance(d, dict) and d.get("form") == form
        ]
        document = same[0].get("id") if same else None
    return {
        "kind": "case",
        "document": document if isinstance(document, str) else None,
        "audience": str(payload.get("audience") or ""),
        "profile": str(payload.get("profile") or ""),
        "case": case,
    }

"""Rendering a case to files: names without personal data, atomic writes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ehdocs.case.io import write_atomic
from ehdocs.case.model import Case, Document
from ehdocs.errors import EhdocsError
from ehdocs.render.audience import COPIES, for_audience
from ehdocs.render.cache import PartCache
from ehdocs.render.context import build_context
from ehdocs.render.pack import render_pack_pdf
from ehdocs.render.pdf import render_pdf

FORMATS = ("pdf", "docx")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(case: Case, part: str, audience: str, fmt: str, today: dt.date) -> str:
    """Case reference, document, audience and date: never a person's name."""
    reference = _UNSAFE.sub("-", case.reference).strip("-")
    return f"{reference}_{_UNSAFE.sub('-', part)}_{audience}_{today.isoformat()}.{fmt}"


def select_documents(case: Case, name: str) -> list[Document]:
    """A form name (every document of that form) or one document's id."""
    by_id = [d for d in case.documents if d.id == name]
    if by_id:
        return by_id
    case.formset.form(name)  # an unknown name is reported with the list of documents
    found = case.documents_of(name)
    if not found:
        raise EhdocsError(f"Case {case.reference} has no {case.formset.form(name).title} yet")
    return found


def render_document(case: Case, doc: Document, audience: str, fmt: str, today: dt.date) -> bytes:
    _check(audience, fmt)
    ctx = build_context(case, doc.id, audience, today)
    if fmt == "pdf":
        return render_pdf(ctx, for_audience(case, audience))
    from ehdocs.render.docx import render_docx

    return render_docx(ctx, case.formset.profile.logo)


def render_pack(
    case: Case, audience: str, fmt: str, today: dt.date, cache: PartCache | None = None
) -> bytes:
    _check(audience, fmt)
    if fmt == "pdf":
        return render_pack_pdf(case, audience, cache, today)
    from ehdocs.render.docx_pack import render_pack_docx

    return render_pack_docx(case, audience, today)


def write_output(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    write_atomic(path, data)
    return path


def _check(audience: str, fmt: str) -> None:
    if audience not in COPIES:
        raise EhdocsError(f"Audience must be one of {', '.join(COPIES)}, not '{audience}'")
    if fmt not in FORMATS:
        raise EhdocsError(f"Format must be pdf or docx, not '{fmt}'")

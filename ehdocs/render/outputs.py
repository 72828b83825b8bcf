"""Rendering a case to files: names without personal data, atomic writes."""

from __future__ import annotations

import re
from pathlib import Path

from ehdocs.case.io import write_atomic
from ehdocs.case.model import Case, Document
from ehdocs.errors import EhdocsError
from ehdocs.render.audience import for_audience
from ehdocs.render.context import view_context
from ehdocs.render.docx import render_docx
from ehdocs.render.docx_pack import render_pack_docx
from ehdocs.render.limits import RenderLimits, run_limited
from ehdocs.render.options import DEFAULT_OPTIONS, RenderOptions
from ehdocs.render.pack import render_pack_pdf
from ehdocs.render.pdf import render_pdf
from ehdocs.render.template_files import Templates

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(case: Case, part: str, options: RenderOptions) -> str:
    """Case reference, document, audience and date: never a person's name."""
    reference = _UNSAFE.sub("-", case.reference).strip("-")
    return (
        f"{reference}_{_UNSAFE.sub('-', part)}_{options.audience}_{options.date.isoformat()}"
        f".{options.fmt}"
    )


def part_name(doc: Document) -> str:
    """A document's part of a file name: the form, and the id of a repeatable one (plans)."""
    return doc.form if not doc.definition.repeatable else f"{doc.form}-{doc.id}"


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


def render_document(
    case: Case,
    doc: Document,
    options: RenderOptions = DEFAULT_OPTIONS,
    limits: RenderLimits | None = None,
) -> bytes:
    """One document's file, made within the render limits (ehdocs.render.limits): past them,
    RenderTooLarge."""
    return run_limited(lambda: _render_document(case, doc, options), limits)


def render_pack(
    case: Case, options: RenderOptions = DEFAULT_OPTIONS, limits: RenderLimits | None = None
) -> bytes:
    """A case's pack, made within the render limits: past them, RenderTooLarge."""
    return run_limited(lambda: _render_pack(case, options), limits)


def _render_document(case: Case, doc: Document, options: RenderOptions) -> bytes:
    view = for_audience(case, options.audience)
    ctx = view_context(view, doc.id, options.date)
    if options.fmt == "pdf":
        return render_pdf(ctx, view, options.seal)
    profile = case.formset.profile
    return render_docx(ctx, profile.logo, Templates.of(profile))


def _render_pack(case: Case, options: RenderOptions) -> bytes:
    if options.fmt == "pdf":
        return render_pack_pdf(
            case,
            options.audience,
            options.cache,
            options.date,
            options.workers,
            options.seal,
            options.files,
        )
    return render_pack_docx(case, options.audience, options.date, options.files)


def write_output(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    write_atomic(path, data)
    return path

"""Blank fillable forms (PDF and DOCX) made from the definitions, and reading filled ones back.

    blank_pdf(formset, "notification") -> bytes        a tagged PDF with real AcroForm fields
    blank_docx(formset, "notification") -> bytes       Word content controls, tagged alike
    field_map(formset, "notification") -> FieldMap     field name -> schema path, type, options
    read_pdf_fields(data) / read_docx_fields(data) -> FilledForm
    to_raw_document(filled, formset) -> dict           the raw document data validation takes
    name_references(filled, formset) -> [NameReference]   people written by name, to match

Field names are schema paths with "__" for ".": `referrer__date`, a group's rows
`children__children__0__child`, one checkbox per option `reason__presenting_needs__housing`.
People and professionals are names on a blank form (there is no case yet): they come back as
NameReferences for ingestion to match, never as ids.

The writers (WeasyPrint, docxtpl) and the readers (pypdf, lxml) are imported on first use, so
a process that only reads untrusted files loads no renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ehdocs.fillable.errors import (
    FillableFormError,
    FormMismatchError,
    MissingFieldsError,
    UnknownFormError,
    UnreadableFormError,
    UnsupportedSchemaError,
)
from ehdocs.fillable.fieldmap import Choice, FieldEntry, FieldMap, field_map
from ehdocs.fillable.filled import FilledForm
from ehdocs.fillable.names import field_name, parse_name
from ehdocs.fillable.raw import NameReference, name_references, to_raw_document
from ehdocs.schema.model import FormSet

if TYPE_CHECKING:
    from ehdocs.fillable.docx import blank_docx
    from ehdocs.fillable.pdf import blank_pdf
    from ehdocs.fillable.read_docx import read_docx_fields
    from ehdocs.fillable.read_pdf import read_pdf_fields

_LAZY = {
    "blank_pdf": "ehdocs.fillable.pdf",
    "blank_docx": "ehdocs.fillable.docx",
    "read_pdf_fields": "ehdocs.fillable.read_pdf",
    "read_docx_fields": "ehdocs.fillable.read_docx",
}

__all__ = [
    "Choice",
    "FieldEntry",
    "FieldMap",
    "FilledForm",
    "FillableFormError",
    "FormMismatchError",
    "MissingFieldsError",
    "NameReference",
    "UnknownFormError",
    "UnreadableFormError",
    "UnsupportedSchemaError",
    "blank_docx",
    "blank_form",
    "blank_pdf",
    "field_map",
    "field_name",
    "name_references",
    "parse_name",
    "read_docx_fields",
    "read_pdf_fields",
    "to_raw_document",
]


FORMATS = ("pdf", "docx")


def blank_form(formset: FormSet, form_name: str, format: str = "pdf") -> tuple[str, bytes]:
    """(file name, content) of a document's blank form: for `ehdocs blank NAME --format F`.

    The file name holds the document and form version only (never personal data), e.g.
    `notification-blank-v1.pdf`. UnknownDocumentError for a document the profile lacks."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    form = formset.form(form_name)
    if format == "pdf":
        from ehdocs.fillable.pdf import blank_pdf

        data = blank_pdf(formset, form_name)
    else:
        from ehdocs.fillable.docx import blank_docx

        data = blank_docx(formset, form_name)
    return f"{form.form}-blank-v{form.version}.{format}", data


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)

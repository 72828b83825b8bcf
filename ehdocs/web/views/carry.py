"""What a document carried forward, shown on its pages, and "Update from the plan" for a draft.

The copying itself is ehdocs.case.carry; here is only what the pages need: the marks in words
(templates/documents/_carried.html) and the one POST that takes a changed source's answers.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.case.carry import changes_since, marks_for, update_from_sources
from ehdocs.case.model import Case
from ehdocs.errors import ConflictError, InvalidCaseError
from ehdocs.fields import field_type, format_date
from ehdocs.storage import StoredCase, get_storage
from ehdocs.web.views.cases import load

bp = Blueprint("carry", __name__, url_prefix="/cases/<int:case_id>/documents")


def _source_words(case: Case, mark: Mapping[str, Any]) -> str:
    if mark.get("records"):
        record = next((r for r in case.formset.records.values() if r.key == mark["records"]), None)
        title = record.title.lower() if record else str(mark["records"])
        return f"the {title} records of this case"
    form = case.formset.forms.get(str(mark.get("form")))
    title = form.title if form else str(mark.get("form"))
    try:
        when = format_date(dt.date.fromisoformat(str(mark.get("date"))))
    except ValueError:
        return f"the {title}"
    return f"the {title} of {when}"


def _shown(case: Case, field: Any, value: Any) -> list[str]:
    """A carried value in words, a line per row of a group."""
    if isinstance(value, list) and field is not None and field.fields:
        lines = []
        for row in value:
            parts = [str(_one(case, field.child(k), v)) for k, v in row.items()]
            lines.append(" – ".join(p for p in parts if p))
        return lines
    return [str(_one(case, field, value))]


@dataclass
class _Words:
    """What a field type needs to show a value in words (fields.base.DisplayContext)."""

    case: Case
    family: bool = False

    def person_name(self, person_id: str) -> str:
        return self.case.person_name(person_id)

    def professional_name(self, professional_id: str) -> str:
        return self.case.professional_name(professional_id)


def _one(case: Case, field: Any, value: Any) -> str:
    if field is None or value in (None, ""):
        return "" if value is None else str(value)
    ftype = field_type(field.type)
    try:
        return str(ftype.display(ftype.parse(value, field), field, _Words(case)))
    except (ValueError, TypeError, KeyError):
        return str(value)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"carried_notes": carried_notes}


def carried_notes(
    stored: StoredCase, raw_doc: Mapping[str, Any], section_id: str
) -> dict[str, Any]:
    """For a section's page: which answers were carried forward from where, and (for a draft)
    what their sources say now when they have changed since."""
    case = stored.case
    form = case.formset.forms[raw_doc["form"]]
    notes: dict[str, list[str]] = {}
    left_out = []
    for mark in marks_for(raw_doc, section_id):
        target = form.field_at(str(mark["into"]))
        source = _source_words(case, mark)
        notes.setdefault(source, []).append(target.label if target else str(mark["into"]))
        if mark.get("left_out") and target is not None:
            left_out.append(
                f"{mark['left_out']} more from {source} did not fit: this form holds "
                f"{target.param('max_rows')} {target.label.lower()} at most"
            )
    changes = []
    if raw_doc.get("status") != "completed":
        for change in changes_since(case, stored.raw, raw_doc):
            if str(change["into"]).partition(".")[0] != section_id:
                continue
            target = form.field_at(str(change["into"]))
            changes.append(
                {
                    "label": change["label"],
                    "source": _source_words(case, change["mark"]),
                    "now": _shown(case, target, change["now"]),
                }
            )
    sources = [m for m in marks_for(raw_doc, section_id) if m.get("form")]
    button = None
    if changes:
        first = next((c["mark"] for c in changes_since(case, stored.raw, raw_doc)), None)
        name = case.formset.forms.get(str(first.get("form"))) if first else None
        button = f"Update from the {name.title}" if name else "Update from the case records"
    return {
        "carried": [{"source": s, "fields": f} for s, f in notes.items()],
        "left_out": left_out,
        "changes": changes,
        "button": button,
        "has_sources": bool(sources),
        "url": url_for(
            f"{bp.name}.{update.__name__}",
            case_id=stored.id,
            doc_id=raw_doc["id"],
            section_id=section_id,
        ),
    }


@bp.post("/<doc_id>/sections/<section_id>/update-carried")
@rule(policy.DOCUMENT_EDIT, audit_post="document.change")
def update(case_id: int, doc_id: str, section_id: str) -> Response:
    """Take, for a draft, the current answers of the sources that changed (this section only)."""
    stored = load(case_id)
    raw_doc = next((d for d in stored.raw.get("documents", []) if d.get("id") == doc_id), None)
    if raw_doc is None or stored.case.formset.forms[raw_doc["form"]].section(section_id) is None:
        abort(404)
    back = url_for("documents.section", case_id=case_id, doc_id=doc_id, section_id=section_id)
    if raw_doc.get("status") == "completed":
        flash("This document is completed: it keeps what it said when it was completed.", "error")
        return redirect(back)
    paths = [
        c["into"]
        for c in changes_since(stored.case, stored.raw, raw_doc)
        if str(c["into"]).partition(".")[0] == section_id
    ]
    raw = update_from_sources(stored.case, copy.deepcopy(stored.raw), doc_id, paths)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        abort(400)
    try:
        get_storage().cases.save(case_id, raw, version)
    except (ConflictError, InvalidCaseError) as exc:
        flash(f"Nothing was updated: {exc}", "error")
        return redirect(back)
    flash("Updated from the earlier documents. Check the answers below.", "success")
    return redirect(back)

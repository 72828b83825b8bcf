"""The case's records, entered once and used by every document: people, relationships,
households, professionals, consents, chronology, outcome scores and support-network links."""

from __future__ import annotations

import copy
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.case.new import new_record_id
from ehdocs.errors import ConflictError, InvalidCaseError
from ehdocs.fields import field_type
from ehdocs.schema.model import RecordDef
from ehdocs.storage import StoredCase, get_storage
from ehdocs.validation import Problem
from ehdocs.web.pages import CaseChoices, change_group_rows, controls, error_summary, read_fields
from ehdocs.web.views.cases import load

bp = Blueprint("records", __name__, url_prefix="/cases/<int:case_id>/records")
SUMMARY_COLUMNS = 3  # fields shown per record in the list


def _record(stored: StoredCase, name: str) -> RecordDef:
    record = stored.case.formset.records.get(name)
    if record is None:
        abort(404)
    return record


@bp.get("/<name>")
@rule(policy.CASE_VIEW, audit="record.view")
def index(case_id: int, name: str) -> str:
    stored = load(case_id)
    record = _record(stored, name)
    shown = [f for f in record.fields if not f.fields][:SUMMARY_COLUMNS]
    rows = []
    for row in stored.case.records(record.key):
        cells = []
        for fdef in shown:
            value = row.get(fdef.id)
            cells.append(
                field_type(fdef.type).display(value, fdef, _Names(stored))
                if value not in (None, "", [])
                else ""
            )
        rows.append({"id": row["id"], "cells": cells})
    return render_template(
        "records/index.html",
        stored=stored,
        record=record,
        columns=[f.label for f in shown],
        rows=rows,
    )


class _Names:
    family = False

    def __init__(self, stored: StoredCase) -> None:
        self.case = stored.case

    def person_name(self, person_id: str) -> str:
        return self.case.person_name(person_id)

    def professional_name(self, professional_id: str) -> str:
        return self.case.professional_name(professional_id)


@bp.route("/<name>/new", methods=["GET", "POST"], defaults={"record_id": None})
@bp.route("/<name>/<record_id>", methods=["GET", "POST"])
@rule(policy.CASE_EDIT, audit="record.view", audit_post="record.change")
def edit(case_id: int, name: str, record_id: str | None) -> str | Response | tuple[str, int]:
    stored = load(case_id)
    record = _record(stored, name)
    rows = stored.raw.get(record.key, [])
    current = next((r for r in rows if r.get("id") == record_id), None)
    if record_id is not None and current is None:
        abort(404)
    values: dict[str, Any] = dict(current or {})
    problems: list[Problem] = []
    conflict = None
    action = request.form.get("action", "") if request.method == "POST" else ""
    if action.startswith(("add:", "remove:")):
        # "Add another" or "Remove" in one of the record's groups: the page again with the rows
        # changed and everything typed kept; a record is saved whole, with its main button.
        values = read_fields(record.fields, request.form, record.name)
        change_group_rows(record.fields, record.name, values, action)
    elif request.method == "POST":
        values = read_fields(record.fields, request.form, record.name)
        raw = copy.deepcopy(stored.raw)
        target = raw.setdefault(record.key, [])
        if current is None:
            values["id"] = new_record_id(record.name, target)
            target.append(values)
        else:
            values["id"] = record_id
            target[[r.get("id") for r in target].index(record_id)] = values
        try:
            get_storage().cases.save(case_id, raw, _version())
        except ConflictError as exc:
            conflict = str(exc)
        except InvalidCaseError as exc:
            problems = exc.problems
        else:
            flash(f"{record.title} saved.", "success")
            return redirect(url_for(".index", case_id=case_id, name=name))
    index = next(
        (i for i, r in enumerate(stored.raw.get(record.key, [])) if r.get("id") == record_id),
        len(stored.raw.get(record.key, [])),
    )
    errors = _errors_for(problems, record, index)
    summary = error_summary(errors, {f.path: f for f in record.iter_fields()})
    summary += [{"text": str(p)} for p in problems if not _is_ours(p, record, index)]
    page = render_template(
        "records/edit.html",
        stored=stored,
        record=record,
        record_id=record_id,
        controls=controls(record.fields, values, record.name, errors, CaseChoices(stored.case)),
        errors=summary,
        conflict=conflict,
    )
    return (page, 409) if conflict else page


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _is_ours(problem: Problem, record: RecordDef, index: int) -> bool:
    return problem.document is None and problem.path.startswith(f"{record.key}[{index}].")


def _errors_for(problems: list[Problem], record: RecordDef, index: int) -> dict[str, str]:
    """`people[3].given_name` -> `person.given_name`, the page's own field paths."""
    out: dict[str, str] = {}
    for problem in problems:
        if _is_ours(problem, record, index):
            rest = problem.path[len(f"{record.key}[{index}].") :]
            out.setdefault(f"{record.name}.{rest}", problem.message)
    return out


@bp.route("/<name>/<record_id>/remove", methods=["GET", "POST"])
@rule(policy.CASE_EDIT, audit="record.view", audit_post="record.remove")
def remove(case_id: int, name: str, record_id: str) -> str | Response:
    stored = load(case_id)
    record = _record(stored, name)
    if not any(r.get("id") == record_id for r in stored.raw.get(record.key, [])):
        abort(404)
    problems: list[Problem] = []
    if request.method == "POST":
        raw = copy.deepcopy(stored.raw)
        raw[record.key] = [r for r in raw.get(record.key, []) if r.get("id") != record_id]
        try:
            get_storage().cases.save(case_id, raw, _version())
        except ConflictError as exc:
            flash(str(exc), "error")
        except InvalidCaseError as exc:
            problems = exc.problems  # e.g. the person is still named in a document
        else:
            flash(f"{record.title} removed.", "success")
            return redirect(url_for(".index", case_id=case_id, name=name))
    label = (
        stored.case.person_name(record_id)
        if record.name == "person"
        else f"this {record.title.lower()}"
    )
    return render_template(
        "records/remove.html",
        stored=stored,
        record=record,
        record_id=record_id,
        label=label,
        errors=[{"text": str(p)} for p in problems],
    )

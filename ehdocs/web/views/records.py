"""The case's records, entered once and used by every document: people, relationships,
households, professionals, consents, chronology, outcome scores and support-network links."""

from __future__ import annotations

import copy
import io
import re
import secrets
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.case import notes
from ehdocs.case.new import new_record_id
from ehdocs.case.stamps import keep_and_stamp, now_local
from ehdocs.errors import AlreadySavedError, ConflictError, InvalidCaseError
from ehdocs.fields import field_type
from ehdocs.fields.base import Invalid
from ehdocs.schema.model import RecordDef
from ehdocs.schema.roles import ATTACHMENT, BLOB, MEDIA_TYPE, PERSON
from ehdocs.storage import StoredCase, get_storage
from ehdocs.storage.attachments import MAX_BYTES, SUFFIXES, AttachmentError
from ehdocs.storage.attachments import clean as clean_attachment
from ehdocs.storage.models import UsedFormToken
from ehdocs.validation import Problem
from ehdocs.validation.words import in_words
from ehdocs.web import conflicts
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
    shown = [f for f in record.fields if not f.fields and not f.set_by_ehdocs][:SUMMARY_COLUMNS]
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
        has_file = record.name == ATTACHMENT and row.get(BLOB)
        rows.append(
            {
                "id": row["id"],
                "cells": cells,
                "file": url_for(".attachment_file", case_id=case_id, record_id=row["id"])
                if has_file
                else None,
            }
        )
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
    token = secrets.token_urlsafe(24) if record_id is None else None
    if request.method == "POST" and record_id is None:
        token = _posted_token()
        used = get_storage().cases.used_token(token)
        if used is not None:  # the same new-record form again (Back, then Save)
            return _sent_again(stored, record, used.record_id)
    current = _current(stored, record, record_id)
    if request.method == "GET":
        return _edit_page(stored, record, record_id, dict(current or {}), token)
    values = read_fields(record.fields, request.form, record.name)
    if _action().startswith(("add:", "remove:")):
        # "Add another" or "Remove" in one of the record's groups: the page again with the rows
        # changed and everything typed kept; a record is saved whole, with its main button.
        change_group_rows(record.fields, record.name, values, _action())
        opened_from = conflicts.posted_fingerprint(request.form) if current is not None else None
        return _edit_page(stored, record, record_id, values, token, opened_from=opened_from)
    if current is not None:
        values, to_choose = conflicts.resolve(
            record.fields, values, current, request.form, record.name, stored.case
        )
        if to_choose:
            return _edit_page(stored, record, record_id, values, token, found=to_choose), 409
    uploaded: dict[str, str] = {}
    if record.name == ATTACHMENT:
        try:
            uploaded = _upload(required=current is None)
        except AttachmentError as exc:
            return _edit_page(stored, record, record_id, values, token, upload_error=str(exc))
    return _save(stored, record, record_id, values, token, uploaded)


def _upload(required: bool) -> dict[str, str]:
    """The file sent with an attachment record, cleaned and stored: its answers (the stored
    file's SHA-256 and media type); nothing when none was sent and none is needed."""
    sent = request.files.get(UPLOAD)
    data = sent.read(MAX_BYTES + 1) if sent is not None and sent.filename else b""
    if not data:
        if required:
            raise AttachmentError("Select the file to attach")
        return {}
    kept, media_type = clean_attachment(data)
    return {BLOB: get_storage().attachments.put(kept), MEDIA_TYPE: media_type}


def _current(stored: StoredCase, record: RecordDef, record_id: str | None) -> dict[str, Any] | None:
    if record_id is None:
        return None
    found = next((r for r in stored.raw.get(record.key, []) if r.get("id") == record_id), None)
    if found is None:
        abort(404)
    return dict(found)


def _differences(
    stored: StoredCase, record: RecordDef, values: dict[str, Any], current: dict[str, Any]
) -> list[conflicts.Difference]:
    return conflicts.differences(
        record.fields, values, current, record.name, conflicts.Names(stored.case)
    )


def _sent_again(
    stored: StoredCase, record: RecordDef, record_id: str
) -> str | Response | tuple[str, int]:
    """A new-record form saved before and sent again makes no second record: if what it holds
    now differs from the record it made, the person chooses, as when someone else saved."""
    current = next((r for r in stored.raw.get(record.key, []) if r.get("id") == record_id), None)
    if current is None:
        flash(
            f"This {record.title.lower()} was saved already, and has since been removed.", "error"
        )
        return redirect(url_for(".index", case_id=stored.id, name=record.name))
    values = read_fields(record.fields, request.form, record.name)
    found = _differences(stored, record, values, current)
    if not found:
        flash(f"{record.title} saved.", "success")
        return redirect(url_for(".index", case_id=stored.id, name=record.name))
    return _edit_page(stored, record, record_id, values, None, found=found), 409


def _save(
    stored: StoredCase,
    record: RecordDef,
    record_id: str | None,
    values: dict[str, Any],
    token: str | None,
    uploaded: dict[str, str] | None = None,
) -> str | Response | tuple[str, int]:
    raw = copy.deepcopy(stored.raw)
    target = raw.setdefault(record.key, [])
    current = next((r for r in target if r.get("id") == record_id), None)
    values = keep_and_stamp(record, values, current, now_local())
    values.update(uploaded or {})  # set by ehdocs: the file as kept, never typed
    if record.name == notes.CASE_NOTE:
        hours = stored.case.formset.profile.timescales["note_written_within_hours"]
        late = notes.late_reason_needed(values, hours)
        if late is not None:
            values.pop("id", None)
            problem = Problem(
                None, f"{record.key}[{_row_index(target, record_id)}].late_reason", late
            )
            return _edit_page(stored, record, record_id, values, token, [problem])
    once = None
    if record_id is None:
        values["id"] = new_record_id(record.name, target)
        target.append(values)
        assert token is not None
        once = UsedFormToken(
            token=token, case_id=stored.id, record_key=record.key, record_id=values["id"]
        )
    else:
        values["id"] = record_id
        target[[r.get("id") for r in target].index(record_id)] = values
    try:
        get_storage().cases.save(stored.id, raw, stored.version, once=once)
    except AlreadySavedError as exc:  # the same form, sent twice at once
        return _sent_again(load(stored.id), record, exc.record_id)
    except ConflictError as exc:
        page = _edit_page(stored, record, record_id, values, token, conflict=str(exc))
        return page, 409
    except InvalidCaseError as exc:
        values.pop("id", None)
        return _edit_page(stored, record, record_id, values, token, exc.problems)
    if _action() in (conflicts.ALL_MINE, conflicts.ALL_THEIRS):
        flash(f"{record.title} saved, with the answers you chose.", "success")
    else:
        flash(f"{record.title} saved.", "success")
    return redirect(url_for(".index", case_id=stored.id, name=record.name))


def _edit_page(
    stored: StoredCase,
    record: RecordDef,
    record_id: str | None,
    values: dict[str, Any],
    token: str | None,
    problems: list[Problem] | None = None,
    conflict: str | None = None,
    found: list[conflicts.Difference] | None = None,
    opened_from: str | None = None,
    upload_error: str | None = None,
) -> str:
    """The record's page; `opened_from`: the fingerprint of the answers the page was first
    opened from, kept while rows are added or removed (nothing is saved until Save)."""
    problems = problems or []
    rows = stored.raw.get(record.key, [])
    index = next((i for i, r in enumerate(rows) if r.get("id") == record_id), len(rows))
    errors = _errors_for(problems, record, index)
    summary = error_summary(errors, {f.path: f for f in record.iter_fields()})
    summary += [
        {"text": in_words(p, stored.case.formset, stored.raw)}
        for p in problems
        if not _is_ours(p, record, index)
    ]
    if upload_error:
        summary.insert(0, {"text": upload_error, "href": f"#{UPLOAD}"})
    current = next((r for r in rows if r.get("id") == record_id), None)
    return render_template(
        "records/edit.html",
        stored=stored,
        record=record,
        record_id=record_id,
        controls=controls(record.fields, values, record.name, errors, CaseChoices(stored.case)),
        errors=summary,
        conflict=conflict,
        conflicts=found or [],
        answers=opened_from or (conflicts.fingerprint(current) if current is not None else None),
        once=token,
        upload=UPLOAD if record.name == ATTACHMENT else None,
        upload_error=upload_error,
        kept_file=(current or {}).get(BLOB),
        stamps=_stamps(record, current),
        # a person's details are corrected, with a reason, on their own page (access.rights)
        correct_url=url_for("rights.correct", case_id=stored.id, person_id=record_id)
        if record.name == PERSON and current is not None and record_id is not None
        else None,
    )


def _stamps(record: RecordDef, current: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The times ehdocs recorded on the record (when a note was written, when a manager signed
    it off), shown read-only: nobody types them, everybody may need to see them."""
    shown = []
    for fdef in record.fields:
        kind, value = field_type(fdef.type), (current or {}).get(fdef.id)
        if not (fdef.set_by_ehdocs and kind.stamped and value):
            continue
        try:
            shown.append((fdef.label, kind.display(kind.parse(value, fdef), fdef, _NO_NAMES)))
        except Invalid:
            continue  # a stamp that is not a time (edited by hand) is not shown
    return shown


class _NoNames:
    """A display context for values that name nobody (times)."""

    family = False

    def person_name(self, person_id: str) -> str:
        return ""

    def professional_name(self, professional_id: str) -> str:
        return ""


_NO_NAMES = _NoNames()


def _row_index(rows: list[dict[str, Any]], record_id: str | None) -> int:
    ids = [r.get("id") for r in rows]
    return ids.index(record_id) if record_id in ids else len(rows)


def _action() -> str:
    return str(request.form.get("action", ""))


def _posted_token() -> str:
    token = str(request.form.get("once", ""))
    if not _TOKEN.match(token):
        abort(400)
    return token


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


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
    current = _current(stored, record, record_id)
    problems: list[Problem] = []
    if request.method == "POST":
        raw = copy.deepcopy(stored.raw)
        raw[record.key] = [r for r in raw.get(record.key, []) if r.get("id") != record_id]
        try:
            if conflicts.posted_fingerprint(request.form) != conflicts.fingerprint(current):
                raise ConflictError(_CHANGED.format(record=record.title.lower()))
            get_storage().cases.save(case_id, raw, stored.version)
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
        answers=conflicts.fingerprint(current),
        label=label,
        errors=[{"text": in_words(p, stored.case.formset, stored.raw)} for p in problems],
    )


_CHANGED = (
    "Someone changed this {record} after you opened this page, so it has not been removed. "
    "Check what it says now before you remove it."
)


UPLOAD = "file"


@bp.get("/attachment/<record_id>/file")
@rule(policy.CASE_VIEW, audit="attachment.download")
def attachment_file(case_id: int, record_id: str) -> Response:
    """An attachment's file as it was kept, named by the record, never by what it shows."""
    stored = load(case_id)
    found = next((r for r in stored.raw.get("attachments", []) if r.get("id") == record_id), None)
    digest = (found or {}).get(BLOB)
    data = get_storage().attachments.get(digest) if digest else None
    if found is None or data is None:
        abort(404)
    media_type = str(found.get(MEDIA_TYPE) or "application/octet-stream")
    response = send_file(
        io.BytesIO(data),
        mimetype=media_type,
        as_attachment=True,
        download_name=f"{stored.reference}-{record_id}.{SUFFIXES.get(media_type, 'bin')}",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response

"""A person's rights, besides subject access: correcting a person's details once for the whole
case (the data protection officer, from a subject access search, or a practitioner who may edit
the case, from the person's page), and the officer's restrictions, which make a case read-only
until lifted. The work is ehdocs.access.rights; these pages ask, check and confirm."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ehdocs.access import policy
from ehdocs.access import rights as rules
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.case import rectify as rect
from ehdocs.errors import ConflictError, InvalidCaseError, NotFoundError
from ehdocs.fields import field_type
from ehdocs.fields.dates import format_date
from ehdocs.schema.model import FieldDef
from ehdocs.storage import StoredCase, get_storage
from ehdocs.validation import Problem
from ehdocs.validation.words import in_words
from ehdocs.web.conflicts import Names
from ehdocs.web.pages import CaseChoices, controls, error_summary, read_fields
from ehdocs.web.views.cases import load

bp = Blueprint("rights", __name__)
PREFIX = "person"  # the form's field names: person.given_name, as on the person's record page
CONFIRM = "confirm"


# -- rectification ------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/people/<person_id>/correct", methods=["GET", "POST"])
@rule(policy.CASE_RECTIFY, audit="rights.rectify.view")
def correct(case_id: int, person_id: str) -> Any:
    stored = load(case_id)
    try:
        current_row = rect.person_row(stored.raw, stored.case.formset, person_id)
    except NotFoundError:
        abort(404)
    if request.method == "GET":
        return _correct_page(stored, person_id, current_row, "", str(stored.version))
    record = rect.person_record(stored.case.formset)
    values = read_fields(record.fields, request.form, PREFIX)
    reason = request.form.get("reason", "").strip()
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400)
    errors: dict[str, str] = {}
    try:
        rules.checked_reason(reason, "Enter why the details are being corrected")
    except ValueError as exc:
        errors["reason"] = str(exc)
    try:
        found = rules.preview(get_storage().cases, stored, person_id, values)
    except InvalidCaseError as exc:
        return _correct_page(stored, person_id, values, reason, version, exc.problems, errors)
    except rules.NothingChanged as exc:
        errors = {"person": str(exc), **errors}
        return _correct_page(stored, person_id, values, reason, version, errors=errors)
    if errors:
        return _correct_page(stored, person_id, values, reason, version, errors=errors)
    if request.form.get("action") != CONFIRM:
        changes = _changes(stored, found.case, person_id, found.changed)
        return _correct_page(stored, person_id, values, reason, version, changes=changes)
    who = current()
    try:
        _, changed = rules.rectify(
            get_storage().cases,
            case_id,
            person_id,
            values,
            reason,
            int(version),
            who,
            who.email if who else "unknown",
        )
    except ConflictError as exc:  # a stale page, or the case restricted since it was opened
        page = _correct_page(stored, person_id, values, reason, version, conflict=str(exc))
        return page, 409
    except (InvalidCaseError, rules.NothingChanged):  # changed under us: check again
        return redirect(url_for(".correct", case_id=case_id, person_id=person_id))
    what = ", ".join(rect.label_in_text(f.label) for f in changed)
    flash(
        f"Details corrected ({what}). Every document of the case shows them from now on; the "
        "correction is in the case's chronology.",
        "success",
    )
    return redirect(url_for(".correct", case_id=case_id, person_id=person_id))


def _changes(
    stored: StoredCase, corrected: Any, person_id: str, changed: tuple[FieldDef, ...]
) -> list[tuple[str, str, str]]:
    """(label, as recorded now, as corrected) of each field that changes."""
    before, after = stored.case.person(person_id) or {}, corrected.person(person_id) or {}
    return [
        (f.label, _shown(stored, f, before.get(f.id)), _shown(stored, f, after.get(f.id)))
        for f in changed
    ]


def _shown(stored: StoredCase, fdef: FieldDef, value: Any) -> str:
    if value in (None, "", []):
        return "Not recorded"
    return str(field_type(fdef.type).display(value, fdef, Names(stored.case)))


def _correct_page(
    stored: StoredCase,
    person_id: str,
    values: dict[str, Any],
    reason: str,
    version: str,
    problems: list[Problem] | None = None,
    errors: dict[str, str] | None = None,
    changes: list[tuple[str, str, str]] | None = None,
    conflict: str | None = None,
) -> str | tuple[str, int]:
    record = rect.person_record(stored.case.formset)
    errors = dict(errors or {})
    rows = stored.raw.get(record.key) or []
    index = [r.get("id") for r in rows].index(person_id)
    ours = f"{record.key}[{index}]."
    field_errors: dict[str, str] = {}
    others = []
    for problem in problems or []:
        if problem.document is None and problem.path.startswith(ours):
            field_errors.setdefault(f"{PREFIX}.{problem.path[len(ours) :]}", problem.message)
        else:
            others.append({"text": in_words(problem, stored.case.formset, stored.raw)})
    summary = error_summary(field_errors, {f"{PREFIX}.{f.id}": f for f in record.fields}) + others
    if "person" in errors:
        summary.insert(0, {"text": errors["person"], "href": "#main-content"})
    if "reason" in errors:
        summary.append({"text": errors["reason"], "href": "#reason"})
    recorded = stored.case.person(person_id) or {}
    page = render_template(
        "rights/correct.html",
        stored=stored,
        person_id=person_id,
        name=stored.case.person_name(person_id),
        recorded=[
            (f.label, _shown(stored, f, recorded.get(f.id)))
            for f in record.fields
            if not f.set_by_ehdocs and not f.fields and recorded.get(f.id) not in (None, "", [])
        ],
        controls=controls(record.fields, values, PREFIX, field_errors, CaseChoices(stored.case)),
        reason=reason,
        reason_error=errors.get("reason"),
        version=version,
        errors=summary,
        changes=changes or [],
        conflict=conflict,
        confirm=CONFIRM,
        # the officer came from a subject access search; anyone else from the person's page
        back=url_for("subject_access.index")
        if policy.may(current(), policy.SUBJECT_ACCESS)
        else url_for("records.edit", case_id=stored.id, name=record.name, record_id=person_id),
    )
    return (page, 400) if summary else page


# -- restriction --------------------------------------------------------------------------------


@bp.get("/rights/restrictions")
@rule(policy.RIGHTS, audit="rights.restrictions.view")
def restrictions() -> Any:
    values = {"reference": request.args.get("reference", "").strip()[:40], "reason": ""}
    return _restrictions_page(values=values)


def _restrictions_page(
    errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> Any:
    sessions = get_storage().sessions
    page = render_template(
        "rights/restrictions.html",
        in_place=rules.in_place(sessions),
        lifted=rules.recently_lifted(sessions),
        errors=errors or {},
        values=values or {"reference": "", "reason": ""},
        day=format_date,
    )
    return (page, 400) if errors else page


@bp.post("/rights/restrictions")
@rule(policy.RIGHTS)
def restrict() -> Any:
    values = {k: request.form.get(k, "").strip() for k in ("reference", "reason")}
    errors: dict[str, str] = {}
    if not values["reference"]:
        errors["reference"] = "Enter the case reference, like EH-2026-0001"
    try:
        rules.checked_reason(values["reason"], "Enter why the case is restricted")
    except ValueError as exc:
        errors["reason"] = str(exc)
    if not errors:
        who = current()
        try:
            rules.place_restriction(
                get_storage().sessions,
                values["reference"],
                values["reason"],
                who,
                who.email if who else "unknown",
            )
        except (NotFoundError, ValueError) as exc:
            errors["reference"] = str(exc)
    if errors:
        return _restrictions_page(errors, values)
    flash(
        f"Case {values['reference']} is restricted: it can be read but not changed until you "
        "lift the restriction.",
        "success",
    )
    return redirect(url_for(".restrictions"))


@bp.post("/rights/restrictions/<int:restriction_id>/lift")
@rule(policy.RIGHTS)
def lift(restriction_id: int) -> Response:
    reason = request.form.get("lift_reason", "")
    who = current()
    try:
        reference = rules.lift_restriction(
            get_storage().sessions, restriction_id, reason, who, who.email if who else "unknown"
        )
    except ValueError as exc:
        flash(f"{exc}; the case is still restricted.", "error")
        return redirect(url_for(".restrictions") + f"#restriction-{restriction_id}")
    except NotFoundError as exc:
        flash(f"{exc}.", "error")
        return redirect(url_for(".restrictions"))
    flash(f"The restriction on case {reference} is lifted: it can be changed again.", "success")
    return redirect(url_for(".restrictions"))

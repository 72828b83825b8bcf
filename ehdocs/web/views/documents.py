"""Documents as short sequences of pages, one per section, then check answers and complete.

Every POST becomes raw data and goes through the same validation as every other way in
(store.save); what cannot be saved yet is kept as a page draft, so nothing typed is lost.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ehdocs.access import policy
from ehdocs.access.enforce import rows_not_theirs
from ehdocs.access.policy import rule
from ehdocs.case.carry import add_carried_document
from ehdocs.case.model import Document
from ehdocs.case.new import add_document, only_copy
from ehdocs.errors import ConflictError, InvalidCaseError
from ehdocs.render.context import build_context
from ehdocs.schema.model import FieldDef, FormDefinition, SectionDef
from ehdocs.schema.versions import document_definition
from ehdocs.storage import StoredCase, get_storage
from ehdocs.validation import Problem, document_label, records_asked_for
from ehdocs.validation.rules import left_empty, stop_for
from ehdocs.validation.words import in_words
from ehdocs.web import conflicts, tasklist
from ehdocs.web.answer_limits import within_limits
from ehdocs.web.pages import (
    CaseChoices,
    change_rows,
    check_links,
    controls,
    error_summary,
    problems_for,
    read_fields,
    section_of,
    section_page,
)
from ehdocs.web.views.cases import load

bp = Blueprint("documents", __name__, url_prefix="/cases/<int:case_id>/documents")


def _document(stored: StoredCase, doc_id: str) -> tuple[dict[str, Any], FormDefinition]:
    raw = next((d for d in stored.raw.get("documents", []) if d.get("id") == doc_id), None)
    if raw is None:
        abort(404)
    # a completed document keeps the version of its form it was written on
    return raw, document_definition(stored.case.formset, raw)


def _section(form: FormDefinition, section_id: str) -> SectionDef:
    section = form.section(section_id)
    if section is None:
        abort(404)
    return section


@bp.post("/new/<form_name>")
@rule(policy.DOCUMENT_NEW, audit_post="document.new")
def new(case_id: int, form_name: str) -> Response:
    stored = load(case_id)
    form = stored.case.formset.forms.get(form_name)
    if form is None:
        abort(404)
    same = only_copy(stored.raw, form)
    if same is not None:
        flash(f"This case already has an {form.title}: carry on with that one.", "error")
        return redirect(url_for("documents.resume", case_id=case_id, doc_id=same["id"]))
    raw = copy.deepcopy(stored.raw)
    doc_id = add_carried_document(stored.case, raw, form)["id"]
    try:
        try:
            get_storage().cases.save(case_id, raw, _version())
        except InvalidCaseError:  # what was carried does not fit: start empty rather than fail
            raw = copy.deepcopy(stored.raw)
            doc_id = add_document(raw, form)["id"]
            get_storage().cases.save(case_id, raw, _version())
            flash(f"Answers from earlier documents could not be carried into this {form.title}.")
    except ConflictError as exc:
        flash(str(exc), "error")
        return redirect(url_for("cases.overview", case_id=case_id))
    return redirect(
        url_for("documents.section", case_id=case_id, doc_id=doc_id, section_id=form.sections[0].id)
    )


@bp.get("/<doc_id>")
@rule(policy.CASE_VIEW)
def resume(case_id: int, doc_id: str) -> str:
    """The document's own page: a task list of its sections, and a way back in where they left."""
    stored = load(case_id)
    raw_doc, form = _document(stored, doc_id)
    doc = _case_document(stored, doc_id)
    sections = tasklist.section_tasks(doc, form, tasklist.drafted_pages(case_id))
    return render_template(
        "documents/tasks.html",
        stored=stored,
        form=form,
        doc=doc,
        sections=sections,
        check_status=tasklist.check_status(doc, sections),
        tags=tasklist.TAGS,
        statuses=tasklist,
    )


@bp.get("/<doc_id>/continue")
@rule(policy.CASE_VIEW)
def carry_on(case_id: int, doc_id: str) -> Response:
    """Back where they left off: the section they left, else the first with unsaved input,
    else the first unanswered, else Check your answers."""
    stored = load(case_id)
    _, form = _document(stored, doc_id)
    section_id = tasklist.resume_at(case_id, _case_document(stored, doc_id), form)
    if section_id is None:
        return redirect(url_for(".check", case_id=case_id, doc_id=doc_id))
    return redirect(url_for(".section", case_id=case_id, doc_id=doc_id, section_id=section_id))


def _case_document(stored: StoredCase, doc_id: str) -> Document:
    doc = next((d for d in stored.case.documents if d.id == doc_id), None)
    if doc is None:
        abort(404)
    return doc


@bp.route("/<doc_id>/sections/<section_id>", methods=["GET", "POST"])
@rule(policy.DOCUMENT_EDIT, audit="document.view", audit_post="document.change")
def section(case_id: int, doc_id: str, section_id: str) -> str | Response | tuple[str, int]:
    stored = load(case_id)
    raw_doc, form = _document(stored, doc_id)
    section = _section(form, section_id)
    page = section_page(doc_id, section.id)
    number = _page_number(section)
    if request.method == "GET":
        draft = get_storage().cases.get_draft(case_id, page, form)
        values = draft if draft is not None else (raw_doc.get("data") or {}).get(section.id, {})
        problems = _check(stored, doc_id, section.id, values) if draft is not None else []
        return _page(stored, raw_doc, form, section, values, problems, number=number)

    asked = section.page_fields(number)  # a long section is asked a page at a time
    typed = read_fields(asked, request.form, section.id)
    action = request.form.get("action", "continue")
    if action.startswith(("add:", "remove:")):
        change_rows(section, typed, action)
    before = (raw_doc.get("data") or {}).get(section.id, {})
    # Refused only if this section's saved answers changed since the page was opened.
    typed, to_choose = conflicts.resolve(
        asked, typed, before, request.form, section.id, stored.case
    )
    values = _with_page(before, asked, typed) if section.pages else typed
    if to_choose:
        return _page(stored, raw_doc, form, section, values, [], to_choose, number=number), 409
    refused = rows_not_theirs(stored, section, before, values, document_label(raw_doc))
    if refused:  # a TAF member touched someone else's rows: show why, keep what they typed
        return _page(stored, raw_doc, form, section, values, refused, number=number)
    merged = _merged(stored, doc_id, section.id, values)
    complete = [doc_id] if raw_doc.get("status") == "completed" else []
    try:
        get_storage().cases.save(case_id, merged, stored.version, complete=complete)
    except ConflictError as exc:  # another save landed this very moment: show theirs
        return (
            _page(stored, raw_doc, form, section, values, [], conflict=str(exc), number=number),
            409,
        )
    except InvalidCaseError as exc:
        get_storage().cases.put_draft(
            case_id, page, within_limits(section.fields, values, before), form_version=form.version
        )
        tasklist.remember_left(case_id, doc_id, section.id)
        return _page(stored, raw_doc, form, section, values, exc.problems, number=number)
    get_storage().cases.drop_draft(case_id, page)
    data = next(d for d in merged["documents"] if d.get("id") == doc_id).get("data") or {}
    if not action.startswith(("add:", "remove:")) and stop_for(form, data, section.id):
        tasklist.remember_left(case_id, doc_id, section.id)
        return redirect(url_for(".stop", case_id=case_id, doc_id=doc_id))
    if action == "continue":  # saved; a list that must not be empty says so before moving on
        empty = [
            Problem(document_label(raw_doc), path, message)
            for path, message in left_empty(form, section.id, data)
        ]
        if empty:
            tasklist.remember_left(case_id, doc_id, section.id)
            return _page(load(case_id), raw_doc, form, section, values, empty, number=number)
    here = url_for(
        ".section",
        case_id=case_id,
        doc_id=doc_id,
        section_id=section.id,
        page=number if section.pages else None,
        next="check" if _from_check() else None,
    )
    if action.startswith(("add:", "remove:")):
        tasklist.remember_left(case_id, doc_id, section.id)
        return redirect(f"{here}#{action.split(':')[1]}")
    if action in (conflicts.ALL_MINE, conflicts.ALL_THEIRS):
        flash(
            f"Your answers to ‘{section.title}’ are saved, with the answers you chose.", "success"
        )
        return redirect(here)
    if action == "later":
        tasklist.remember_left(case_id, doc_id, section.id)
        flash(
            f"Your answers to ‘{section.title}’ are saved. You can come back to this "
            f"{form.title} from the case.",
            "success",
        )
        return redirect(url_for("cases.overview", case_id=case_id))
    if number < len(section.pages):  # the next page of a long section
        return redirect(
            url_for(
                ".section",
                case_id=case_id,
                doc_id=doc_id,
                section_id=section.id,
                page=number + 1,
                next="check" if _from_check() else None,
            )
        )
    following = None if _from_check() else _next_section(form, section)
    tasklist.remember_left(case_id, doc_id, following.id if following else None)
    if following is None:
        return redirect(url_for(".check", case_id=case_id, doc_id=doc_id))
    return redirect(url_for(".section", case_id=case_id, doc_id=doc_id, section_id=following.id))


@bp.route("/<doc_id>/stop")
@rule(policy.DOCUMENT_EDIT, audit="document.view")
def stop(case_id: int, doc_id: str) -> str | Response:
    """What to do now, after an answer that stops the document (see schema Stop)."""
    stored = load(case_id)
    raw_doc, form = _document(stored, doc_id)
    found = stop_for(form, raw_doc.get("data") or {})
    if found is None:  # the answer was changed: nothing stops the document now
        return redirect(url_for(".resume", case_id=case_id, doc_id=doc_id))
    return render_template(
        "stop.html",
        form=form,
        stop=found,
        partner=False,
        change_url=url_for(
            ".section", case_id=case_id, doc_id=doc_id, section_id=found.path.split(".")[0]
        ),
        leave_url=url_for("cases.overview", case_id=case_id),
        leave_text="Return to the case",
    )


def _section_url(form: FormDefinition, case_id: int, doc_id: str, path: str) -> str:
    """The page that asks `path`: its section's, and the right page of a long section."""
    section = form.section(section_of(path))
    number = section.page_of(_field_id(path)) if section and section.pages else None
    return url_for(
        ".section", case_id=case_id, doc_id=doc_id, section_id=section_of(path), page=number
    )


def _field_id(path: str) -> str:
    """The section's own field a path is in: `child_development.health_score` -> its id."""
    return path.split(".")[1].split("[")[0] if "." in path else path


def _page_number(section: SectionDef) -> int:
    """`?page=` of a long section's page (1 when absent or out of range)."""
    number = request.args.get("page", 1, type=int) or 1
    return number if 1 <= number <= max(1, len(section.pages)) else 1


def _with_page(
    before: Mapping[str, Any], asked: tuple[FieldDef, ...], typed: dict[str, Any]
) -> dict[str, Any]:
    """A long section's answers: the saved ones, with this page's questions as typed."""
    mine = {f.id for f in asked}
    return {**{k: v for k, v in before.items() if k not in mine}, **typed}


def _from_check() -> bool:
    """`?next=check`: this page was opened by "Change" on Check your answers, so saving goes
    back there (the form posts to its own URL, so the query is carried through every save)."""
    return request.args.get("next") == "check"


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        abort(400)


def _merged(
    stored: StoredCase, doc_id: str, section_id: str, values: dict[str, Any]
) -> dict[str, Any]:
    raw = copy.deepcopy(stored.raw)
    for doc in raw.get("documents", []):
        if doc.get("id") == doc_id:
            data = doc.setdefault("data", {})
            if values:
                data[section_id] = values
            else:
                data.pop(section_id, None)
    return raw


def _check(
    stored: StoredCase, doc_id: str, section_id: str, values: dict[str, Any]
) -> list[Problem]:
    try:
        get_storage().cases.validated(_merged(stored, doc_id, section_id, values))
    except InvalidCaseError as exc:
        return exc.problems
    return []


def _next_section(form: FormDefinition, current: SectionDef) -> SectionDef | None:
    ids = [s.id for s in form.sections]
    index = ids.index(current.id)
    return form.sections[index + 1] if index + 1 < len(ids) else None


def _page(
    stored: StoredCase,
    raw_doc: dict[str, Any],
    form: FormDefinition,
    section: SectionDef,
    values: dict[str, Any],
    problems: list[Problem],
    differences: list[conflicts.Difference] | None = None,
    conflict: str | None = None,
    number: int = 1,
) -> str:
    errors = problems_for(problems, document_label(raw_doc), section.id)
    others = [
        p
        for p in problems
        if p.document != document_label(raw_doc) or not (p.path + ".").startswith(section.id + ".")
    ]
    fields_by_path = {f.path: f for f in form.iter_fields()}
    asked = section.page_fields(number)
    on_page = {f.id for f in asked}
    elsewhere = {  # a long section's problems on its other pages link there
        path: message for path, message in errors.items() if _field_id(path) not in on_page
    }
    summary = error_summary({k: v for k, v in errors.items() if k not in elsewhere}, fields_by_path)
    for item, path in zip(error_summary(elsewhere, fields_by_path), elsewhere, strict=True):
        page_url = url_for(
            ".section",
            case_id=stored.id,
            doc_id=raw_doc["id"],
            section_id=section.id,
            page=section.page_of(_field_id(path)),
        )
        summary.append({"text": item["text"], "href": f"{page_url}{item['href']}"})
    summary += [{"text": in_words(p, stored.case.formset, stored.raw)} for p in others]
    ids = [s.id for s in form.sections]
    return render_template(
        "documents/section.html",
        stored=stored,
        form=form,
        section=section,
        doc=raw_doc,
        controls=controls(asked, values, section.id, errors, CaseChoices(stored.case)),
        errors=summary,
        conflict=conflict,
        conflicts=differences or [],
        answers=conflicts.fingerprint((raw_doc.get("data") or {}).get(section.id, {})),
        number=ids.index(section.id) + 1,
        total=len(ids),
        is_first=ids[0] == section.id,
        back_to_check=_from_check(),
        record=_record_link(stored, section),
        page=(number, len(section.pages), section.pages[number - 1].title)
        if section.pages
        else None,
    )


def _record_link(stored: StoredCase, section: SectionDef) -> dict[str, Any] | None:
    """The case records a section asks for (the consent records), with how many there are."""
    record = stored.case.formset.records.get(section.record or "")
    if record is None:
        return None
    return {
        "title": record.title[:1].lower() + record.title[1:],
        "count": len(stored.raw.get(record.key) or []),
        "href": url_for("records.index", case_id=stored.id, name=section.record),
    }


@bp.route("/<doc_id>/check", methods=["GET", "POST"])
@rule(
    policy.CASE_VIEW,
    post=policy.DOCUMENT_COMPLETE,
    audit="document.view",
    audit_post="document.complete",
)
def check(case_id: int, doc_id: str) -> str | Response | tuple[str, int]:
    stored = load(case_id)
    raw_doc, form = _document(stored, doc_id)
    problems: list[Problem] = []
    if request.method == "POST":
        raw = copy.deepcopy(stored.raw)
        for doc in raw.get("documents", []):
            if doc.get("id") == doc_id:
                doc["status"] = "completed"
        asked = records_asked_for(stored.case.formset, raw, doc_id)
        try:
            if asked:  # not saved: every other problem is listed with it
                get_storage().cases.validated(raw, [doc_id])
                raise InvalidCaseError([])
            get_storage().cases.save(case_id, raw, _version(), complete=[doc_id])
        except ConflictError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".check", case_id=case_id, doc_id=doc_id))
        except InvalidCaseError as exc:
            problems = exc.problems + asked
        else:
            flash(f"{form.title} completed. You can download it below.", "success")
            return redirect(url_for("cases.overview", case_id=case_id))
    context = build_context(stored.case, doc_id, "hub")
    links = check_links(
        problems,
        {f.path: f for f in form.iter_fields()},
        lambda path: _section_url(form, case_id, doc_id, path),
        document_label(raw_doc),
        lambda p: in_words(p, stored.case.formset, stored.raw),
    )
    return render_template(
        "documents/check.html", stored=stored, form=form, doc=raw_doc, context=context, errors=links
    ), (200 if not problems else 400)

"""Cases: the list, a new case, the overview (a task list), and downloads."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from ehdocs.access import policy, rights
from ehdocs.access.enforce import checked_case, visible_cases
from ehdocs.access.policy import rule
from ehdocs.access.retention import held, keeping_of
from ehdocs.access.sessions import current
from ehdocs.case import due
from ehdocs.case.correspondence import letters_sent
from ehdocs.case.new import empty_case
from ehdocs.errors import InvalidCaseError, NotFoundError
from ehdocs.fields import format_date
from ehdocs.render.cache import PartCache
from ehdocs.render.options import FORMATS, RenderOptions
from ehdocs.render.outputs import file_name, part_name, render_document, render_pack
from ehdocs.storage import StoredCase, get_storage
from ehdocs.storage.models import Team, User
from ehdocs.validation.family import family_warnings
from ehdocs.web import tasklist

bp = Blueprint("cases", __name__, url_prefix="/cases")
# The copies practitioners download here, of render.audience.AUDIENCES; the hub copy (with the
# hub's own sections) is made by the hub with `ehdocs render --audience hub`.
DOWNLOADS = ("professional", "family")
MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def load(case_id: int) -> StoredCase:
    checked = checked_case(case_id)
    if checked is not None:
        return checked
    try:
        return get_storage().cases.get(case_id)
    except NotFoundError:
        abort(404)


@bp.get("/")
@rule(policy.CASE_LIST)
def index() -> str:
    return render_template("cases/index.html", cases=visible_cases())


@bp.route("/new", methods=["GET", "POST"])
@rule(policy.CASE_CREATE, audit_post="case.create")
def new() -> str | Response:
    values = {"reference": get_storage().cases.next_reference(dt.date.today()), "family_name": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in values}
        raw = empty_case(
            get_storage().cases.formset.profile.slug, values["reference"], dt.date.today()
        )
        if values["family_name"]:
            raw["family_name"] = values["family_name"]
        try:
            created = get_storage().cases.create(raw)
        except InvalidCaseError as exc:
            errors = {p.path: p.message for p in exc.problems}
        else:
            flash(
                "Case created. Add the family's people first: every document uses them.", "success"
            )
            return redirect(url_for("cases.overview", case_id=created.id))
    return render_template("cases/new.html", values=values, errors=errors)


@bp.get("/<int:case_id>")
@rule(policy.CASE_VIEW, audit="case.view")
def overview(case_id: int) -> str:
    stored = load(case_id)
    case = stored.case
    tasks: list[dict[str, Any]] = []
    drafts = tasklist.drafted_pages(case_id)
    for form in case.formset.forms_in_order():
        docs = case.documents_of(form.form)
        for doc in docs:
            when = f" ({format_date(doc.process_date)})" if doc.process_date else ""
            tasks.append(
                {
                    "title": form.title + when,
                    "href": url_for(
                        "documents.check" if doc.completed else "documents.resume",
                        case_id=case_id,
                        doc_id=doc.id,
                    ),
                    "status": tasklist.document_status(doc, form, drafts),
                    "doc": doc,
                }
            )
        if not docs or form.repeatable:
            tasks.append(
                {
                    "title": f"Start another {form.title}" if docs else f"Start the {form.title}",
                    "href": None,
                    "form": form.form,
                    "status": tasklist.NOT_STARTED,
                    "doc": None,
                }
            )
    records = [(r, len(case.records(r.key))) for r in case.formset.records.values()]
    return render_template(
        "cases/overview.html",
        stored=stored,
        case=case,
        tasks=tasks,
        tags=tasklist.TAGS,
        records=records,
        timescales=due.due_items(case, dt.date.today()),
        due_tags=DUE_TAGS,
        family_warnings=family_warnings(case.data),
        keeping=keeping_of(case),
        may_share=_may_on_case(policy.CASE_SHARE),
        may_allocate=policy.decide(
            current(), policy.CASE_ALLOCATE, policy.CaseFacts.of(stored)
        ).allowed,
        may_letter=policy.decide(current(), policy.LETTER, policy.CaseFacts.of(stored)).allowed,
        letters_sent=letters_sent(case),
        held_by=_held_by(stored),
        on_hold=_on_hold(case_id),
        restrictions=rights.of_case(get_storage().sessions, case_id),
        day=format_date,
        today=dt.date.today(),
        downloads=DOWNLOADS,
        formats=FORMATS,
    )


# Each timescale status as a GOV.UK tag: words first, the colour only repeats them.
DUE_TAGS = {
    due.MET: ("Met", "govuk-tag--green"),
    due.MET_LATE: ("Met late", "govuk-tag--yellow"),
    due.DUE: ("Due", "govuk-tag--blue"),
    due.OVERDUE: ("Overdue", "govuk-tag--red"),
}


def _may_on_case(action: str) -> bool:
    """Whether this request's access decision on the case gives `action` (to offer a link)."""
    decision = g.get("access")
    return decision is not None and action in policy.CASE_GRANTS[decision.relation]


def _held_by(stored: StoredCase) -> tuple[str | None, str | None]:
    """The case's team and worker (names), as access reads them."""
    with get_storage().sessions() as db:
        team = db.get(Team, stored.team_id) if stored.team_id is not None else None
        user = db.get(User, stored.allocated_to) if stored.allocated_to is not None else None
        return (team.name if team else None, user.name if user else None)


def _on_hold(case_id: int) -> bool:
    with get_storage().sessions() as db:
        return held(db, case_id)


@bp.get("/<int:case_id>/pack/<audience>.<fmt>")
@rule(policy.PACK, audit="pack.download")
def pack(case_id: int, audience: str, fmt: str) -> Response:
    cache = PartCache(current_app.config["DATA_DIR"] / "cache" / "parts")
    options = _options(audience, fmt, cache)
    case = load(case_id).case
    return _download(render_pack(case, options), file_name(case, "pack", options), fmt)


@bp.get("/<int:case_id>/documents/<doc_id>/<audience>.<fmt>")
@rule(policy.DOWNLOAD, audit="document.download")
def document(case_id: int, doc_id: str, audience: str, fmt: str) -> Response:
    options = _options(audience, fmt)
    case = load(case_id).case
    doc = next((d for d in case.documents if d.id == doc_id), None)
    if doc is None:
        abort(404)
    data = render_document(case, doc, options)
    return _download(data, file_name(case, part_name(doc), options), fmt)


def _options(audience: str, fmt: str, cache: PartCache | None = None) -> RenderOptions:
    if audience not in DOWNLOADS or fmt not in FORMATS:
        abort(404)
    seal = current_app.extensions["ehdocs.seal"]  # only the service's own copies are sealed
    files = get_storage().attachments.get  # the pictures of direct work a pack shows
    return RenderOptions(audience, fmt, dt.date.today(), cache, files=files, seal=seal)


def _download(data: bytes, name: str, fmt: str) -> Response:
    return send_file(
        io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name
    )

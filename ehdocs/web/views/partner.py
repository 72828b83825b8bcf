"""Partners without an account: ask for a link with a work address, sign in with it, fill in
the notification on the same schema-driven pages the service uses, send it to the hub's queue,
and see what became of what they sent. Nothing else: no cases, no queue.

The link in the e-mail only shows a "Continue" button; signing in is its POST, so a mail
scanner that opens links does not use the partner's link up.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response as WResponse

from ehdocs.access import audit, partners, sessions
from ehdocs.access.policy import partner_link, public
from ehdocs.errors import LinkRefused, TooManyLinks
from ehdocs.ingest import cases as ingest_cases
from ehdocs.ingest import online
from ehdocs.ingest.mail import is_address
from ehdocs.ingest.service import question_label
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import file_name, part_name, render_document
from ehdocs.schema.model import FormDefinition, SectionDef
from ehdocs.storage import get_storage
from ehdocs.storage.models import Submission, now
from ehdocs.validation import Problem, document_label, validate_case
from ehdocs.validation.rules import left_empty, stop_for
from ehdocs.web.answers import answer_sections
from ehdocs.web.pages import (
    ByName,
    change_rows,
    check_links,
    controls,
    error_summary,
    problems_for,
    read_fields,
    section_of,
)
from ehdocs.web.views.hub import ingestor, local_time

bp = Blueprint("partner", __name__, url_prefix="/partner")
log = logging.getLogger("ehdocs.partner")
COPY_DAYS = 7  # how long a partner can see and download what they sent
STATUSES = {"accepted": "Accepted", "dismissed": "Closed"}  # anything else: received


# -- asking for a link ----------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@public
def start() -> str | tuple[str, int]:
    patterns = _profile().partner_domains
    examples = " or ".join(partners.examples(patterns)[:2])
    email = ""
    error = None
    if request.method == "POST" and patterns:
        email = partners.normalise(request.form.get("email", ""))[:320]
        if not is_address(email):
            error = (
                "Enter your work e-mail address in the correct format, like "
                + (partners.examples(patterns)[0])
            )
        elif not partners.domain_allowed(email, patterns):
            error = f"Use your work e-mail address, for example {examples}"
        else:
            return _send_link(email)
    page = render_template(
        "partner/start.html",
        open=bool(patterns),
        email=email,
        error=error,
        examples=examples,
        form=_form(),
    )
    return (page, 400) if error else page


def _send_link(email: str) -> str | tuple[str, int]:
    limits = partners.Limits(
        current_app.config.get("PARTNER_LINKS_PER_ADDRESS", partners.PER_ADDRESS),
        current_app.config.get("PARTNER_LINKS_PER_IP", partners.PER_IP),
    )
    try:
        token = partners.issue_link(email, request.remote_addr, limits)
    except TooManyLinks as exc:
        audit.record("partner_link_requested", outcome="refused", actor=email, detail="limit")
        return render_template("partner/limited.html", message=str(exc)), 429
    mailer = ingestor().mailer
    if mailer is None:
        log.warning("a partner asked for a link, but no mail server is set up (EHDOCS_SMTP_URL)")
    else:
        try:
            mailer.send_link(email, url_for(".sign_in", token=token, _external=True), _formset())
        except Exception as exc:  # the mail server is down: the page says the same
            log.warning("a partner's link was not sent: %s", type(exc).__name__)
    audit.record("partner_link_requested", actor=email)
    # The same page whatever happened next: it never says whether a mail went out.
    return render_template("partner/link_sent.html", email=email)


# -- signing in with the link ---------------------------------------------------------------


@bp.route("/sign-in/<token>", methods=["GET", "POST"])
@public
def sign_in(token: str) -> str | WResponse | tuple[str, int]:
    try:
        if request.method == "GET":
            partners.check_link(token)
            return render_template("partner/sign_in.html")
        email = partners.use_link(token)
    except LinkRefused as exc:
        if request.method == "POST":
            audit.record(
                "partner_sign_in",
                outcome="refused",
                actor=exc.email or "anonymous",
                detail=exc.reason,
            )
        status = 404 if exc.reason == "invalid" else 410
        return render_template("partner/link_refused.html", message=str(exc)), status
    sessions.start(None, partner_email=email)
    audit.record("partner_sign_in", actor=email)
    return redirect(url_for(".resume"))


@bp.post("/sign-out")
@partner_link
def sign_out() -> WResponse:
    _email()
    sessions.end()
    flash("You have signed out.", "success")
    return redirect(url_for(".start"))


# -- the notification ------------------------------------------------------------------------


@bp.get("/notification")
@partner_link
def resume() -> WResponse:
    """Back where they left off: the first section with no answers yet, else check answers."""
    email, form = _email(), _form_or_404()
    draft = partners.get_draft(email, form.form)
    for section in online.partner_sections(form):
        if not draft.get(section.id):
            return redirect(url_for(".section", section_id=section.id))
    return redirect(url_for(".check"))


@bp.route("/notification/<section_id>", methods=["GET", "POST"])
@partner_link
def section(section_id: str) -> str | WResponse | tuple[str, int]:
    email, form = _email(), _form_or_404()
    sections = online.partner_sections(form)
    section = next((s for s in sections if s.id == section_id), None)
    if section is None:
        abort(404)
    draft = partners.get_draft(email, form.form)
    if request.method == "GET":
        values = draft.get(section.id) or {}
        problems = _draft_problems(form, draft) if section.id in draft else []
        return _page(form, section, values, problems)
    values = read_fields(section.fields, request.form, section.id, by_name=True)
    action = request.form.get("action", "continue")
    if action.startswith(("add:", "remove:")):
        change_rows(section, values, action)
    if values:
        draft[section.id] = values
    else:
        draft.pop(section.id, None)
    partners.put_draft(email, form.form, draft)  # kept as typed, mistakes and all
    audit.record("partner_draft_saved", actor=email, document=form.form, detail=section.id)
    if action.startswith(("add:", "remove:")):
        return redirect(url_for(".section", section_id=section.id) + f"#{action.split(':')[1]}")
    problems = _draft_problems(form, draft)
    if _mine(problems, section):
        return _page(form, section, values, problems), 400
    if stop_for(form, draft, section.id):
        return redirect(url_for(".stop"))
    empty = [Problem(None, path, message) for path, message in left_empty(form, section.id, draft)]
    if action == "continue" and empty:
        return _page(form, section, values, empty), 400
    if action == "later":
        flash(
            f"Your answers to ‘{section.title}’ are saved. To come back to them later, ask for "
            "a new link with the same e-mail address.",
            "success",
        )
        return redirect(url_for(".check"))
    ids = [s.id for s in sections]
    index = ids.index(section.id)
    if index + 1 < len(ids):
        return redirect(url_for(".section", section_id=ids[index + 1]))
    return redirect(url_for(".check"))


@bp.route("/notification/stop")
@partner_link
def stop() -> str | WResponse:
    """What to do now, after an answer that stops the notification (see schema Stop)."""
    email, form = _email(), _form_or_404()
    found = stop_for(form, partners.get_draft(email, form.form))
    if found is None:
        return redirect(url_for(".check"))
    return render_template(
        "stop.html",
        form=form,
        stop=found,
        partner=True,
        change_url=url_for(".section", section_id=found.path.split(".")[0]),
        leave_url=url_for(".check"),
        leave_text="Check your answers",
    )


def _page(
    form: FormDefinition, section: SectionDef, values: dict[str, Any], problems: list[Problem]
) -> str:
    errors = _mine(problems, section)
    fields_by_path = {f.path: f for f in form.iter_fields()}
    ids = [s.id for s in online.partner_sections(form)]
    return render_template(
        "partner/section.html",
        form=form,
        section=section,
        controls=controls(section.fields, values, section.id, errors, ByName()),
        errors=error_summary(errors, fields_by_path),
        number=ids.index(section.id) + 1,
        total=len(ids),
        is_first=ids[0] == section.id,
    )


@bp.route("/notification/check", methods=["GET", "POST"])
@partner_link
def check() -> str | WResponse | tuple[str, int]:
    email, form = _email(), _form_or_404()
    draft = partners.get_draft(email, form.form)
    extracted = online.extracted(form, draft, _profile().slug)
    problems: list[Problem] = []
    if request.method == "POST":
        problems = _problems(extracted, complete=True)
        if not problems:
            receipt = ingestor().receive_partner(extracted, email)
            partners.mark_sent(email, form.form, _submission_id(receipt.reference))
            audit.record("partner_sent", actor=email, document=form.form, detail=receipt.reference)
            ingestor().reply_pending()
            return redirect(url_for(".sent_one", reference=receipt.reference))
    links = check_links(
        problems,
        {f.path: f for f in form.iter_fields()},
        lambda path: url_for(".section", section_id=section_of(path)),
    )
    page = render_template(
        "partner/check.html",
        form=form,
        answers=answer_sections(form, extracted["data"]),
        people=[
            {
                "where": question_label(form, r["path"]) or r["path"],
                "name": r["text"],
                "date_of_birth": r.get("date_of_birth") or "",
            }
            for r in extracted["references"]
        ],
        sections=online.partner_sections(form),
        errors=links,
    )
    return (page, 400) if problems else page


def _problems(extracted: dict[str, Any], complete: bool = False) -> list[Problem]:
    """The problems of the partner's own document, from the one validation path, on a case
    made from it the way ingestion makes one (names matched to new people records). Problems
    of those people records are the hub's to sort out when it matches them to a case."""
    formset = _formset()
    raw, doc_id = ingest_cases.new_case(formset, "HUB-CHECK", dt.date.today(), extracted)
    result = validate_case(raw, formset, complete=[doc_id] if complete else ())
    doc = next(d for d in raw["documents"] if d.get("id") == doc_id)
    label = document_label(doc)
    return [p for p in result.problems if p.document == label]


def _draft_problems(form: FormDefinition, draft: dict[str, Any]) -> list[Problem]:
    return _problems(online.extracted(form, draft, _profile().slug))


def _mine(problems: list[Problem], section: SectionDef) -> dict[str, str]:
    """The problems of one section, by field path (they are all of the partner's document)."""
    return problems_for(problems, problems[0].document if problems else None, section.id)


# -- what they sent --------------------------------------------------------------------------


@bp.get("/sent")
@partner_link
def sent() -> str:
    email = _email()
    rows = partners.sent(email, now() - dt.timedelta(days=COPY_DAYS))
    return render_template("partner/sent.html", rows=[_sent_row(r) for r in rows])


@bp.get("/sent/<reference>")
@partner_link
def sent_one(reference: str) -> str:
    row = _own(reference)
    return render_template("partner/confirmation.html", row=_sent_row(row))


@bp.get("/sent/<reference>/copy.pdf")
@partner_link
def copy(reference: str) -> Response:
    """Their own copy: the professional copy of just the notification they sent, rendered as
    the service renders documents, from what they sent (never what the hub added)."""
    row = _own(reference)
    formset = _formset()
    extracted = json.loads(row.extracted or "{}")
    if extracted.get("kind") != online.KIND:
        abort(404)
    raw, doc_id = ingest_cases.new_case(formset, row.reference, row.received_at.date(), extracted)
    case = validate_case(raw, formset).case
    if case is None:
        abort(404)
    doc = next(d for d in case.documents if d.id == doc_id)
    today = dt.date.today()
    options = RenderOptions(audience="professional", fmt="pdf", today=today)
    data = render_document(case, doc, options)
    audit.record("partner_copy_downloaded", actor=_email(), document=doc.form, detail=reference)
    response = Response(data, mimetype="application/pdf")
    name = file_name(case, part_name(doc), options)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _sent_row(row: Submission) -> dict[str, str]:
    return {
        "reference": row.reference,
        "sent": local_time(row.received_at),
        "status": STATUSES.get(row.status, "Received"),
        "until": local_time(row.received_at + dt.timedelta(days=COPY_DAYS)),
    }


def _own(reference: str) -> Submission:
    """One of this partner's own submissions, sent within the last week; else 404."""
    email = _email()
    with get_storage().sessions() as db:
        row = db.scalar(
            select(Submission).where(
                Submission.reference == reference,
                Submission.source == partners.SOURCE,
                Submission.sender == email,
                Submission.received_at >= now() - dt.timedelta(days=COPY_DAYS),
            )
        )
    if row is None:
        abort(404)
    return row


def _submission_id(reference: str) -> int:
    with get_storage().sessions() as db:
        found = db.scalar(select(Submission.id).where(Submission.reference == reference))
    if found is None:
        abort(500)
    return int(found)


# -- who, and which form ---------------------------------------------------------------------


def _email() -> str:
    """The signed-in partner's address; anyone else is sent to ask for a link."""
    who = sessions.current()
    if who is None or not who.email:
        abort(redirect(url_for(".start")))
    return who.email


def _formset() -> Any:
    return get_storage().cases.formset


def _profile() -> Any:
    return _formset().profile


def _form() -> FormDefinition | None:
    return online.partner_form(_formset())


def _form_or_404() -> FormDefinition:
    form = _form()
    if form is None:
        abort(404)
    return form

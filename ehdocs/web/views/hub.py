"""The Early Help Hub's queue: what partners sent, read and checked, waiting for a decision.

Submissions are ordered by when the hub's decision is due. Each shows what was read from the
file, the answers that are missing or wrong, the original file, and cases that are likely the
same family; the adviser accepts it into a new case or an existing one, recording the hub's
decision in the notification's hub section, or closes it without a case.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response as WResponse

from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.case.timescales import of_profile, uk_date
from ehdocs.errors import (
    ConflictError,
    EhdocsError,
    InvalidCaseError,
    NotFoundError,
    SubmissionError,
)
from ehdocs.fields.dates import format_date, format_time
from ehdocs.fillable.errors import FillableFormError
from ehdocs.ingest import cases as ingest_cases
from ehdocs.ingest import online
from ehdocs.ingest.corrections import (
    Difference,
    Proposal,
    against_submission,
    can_correct,
    merged,
    proposal,
    same_children,
)
from ehdocs.ingest.mail import is_address
from ehdocs.ingest.matching import Match, likely_matches
from ehdocs.ingest.recover import PICTURE
from ehdocs.ingest.sandbox import MAX_FILE_BYTES
from ehdocs.ingest.service import ONLINE_MEDIA, Ingestor, question_label
from ehdocs.ingest.trust import of_upload
from ehdocs.schema import roles
from ehdocs.schema.model import FormDefinition, SectionDef
from ehdocs.storage import StoredCase, get_storage
from ehdocs.storage.models import Submission, now
from ehdocs.validation import Problem, document_label, validate_case
from ehdocs.validation.words import in_words
from ehdocs.web.answers import AnswerSection, answer_sections
from ehdocs.web.integrity import integrity_of
from ehdocs.web.pages import (
    CaseChoices,
    controls,
    error_summary,
    problems_for,
    read_fields,
    section_page,
)

bp = Blueprint("hub", __name__, url_prefix="/hub")
OPEN = ("received", "ready", "refused")
HANDLED = ("accepted", "dismissed")
REPLY = "reply"  # an e-mail with no form answering a submission: shown on it, never queued
MEDIA_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "message": ("message/rfc822", "eml"),
    ONLINE_MEDIA: ("application/json", "json"),  # answers a partner filled in online
}


def ingestor() -> Ingestor:
    found: Ingestor = current_app.extensions["ehdocs.ingestor"]
    return found


def _submission(reference: str) -> Submission:
    with get_storage().sessions() as session:
        row = session.scalar(select(Submission).where(Submission.reference == reference))
    if row is None:
        abort(404)
    return row


@bp.get("/")
@rule(policy.HUB_QUEUE)
def index() -> str:
    handled = request.args.get("show") == "handled"
    with get_storage().sessions() as session:
        query = select(Submission)
        if handled:
            query = query.where(Submission.status.in_(HANDLED)).order_by(
                Submission.handled_at.desc()
            )
        else:
            query = query.where(Submission.status.in_(OPEN)).order_by(
                Submission.deadline_at, Submission.id
            )
        rows = session.scalars(query.limit(500)).all()
    days = of_profile(get_storage().cases.formset.profile)["hub_decision_hours"] // 24
    return render_template(
        "hub/index.html", rows=[_summary(r) for r in rows], handled=handled, days=days
    )


@dataclass(frozen=True)
class Row:
    reference: str
    received: str
    due: str
    overdue: bool
    due_today: bool
    document: str
    sender: str
    verified: bool
    status: str
    status_class: str
    problems: int


def _summary(row: Submission) -> Row:
    problems = len(json.loads(row.problems or "[]"))
    if row.status == "refused" and row.kind == PICTURE:
        status, css = "A picture for a person to read", "govuk-tag--purple"
    elif row.status == "refused":
        status, css = "Could not be read", "govuk-tag--red"
    elif row.status == "received":
        status, css = "Not read yet", "govuk-tag--grey"
    elif row.status == "ready" and problems:
        status, css = f"{problems} answer{'s' * (problems != 1)} to fix", "govuk-tag--yellow"
    elif row.status == "ready":
        status, css = "Ready", "govuk-tag--green"
    elif row.status == "accepted":
        status, css = "Accepted", "govuk-tag--blue"
    elif row.status == REPLY:
        status, css = f"A reply to {row.answers_reference}", "govuk-tag--grey"
    else:
        status, css = "Closed without a case", "govuk-tag--grey"
    current = now()
    return Row(
        reference=row.reference,
        received=local_time(row.received_at),
        due=format_date(uk_date(row.deadline_at)),  # a day, as the case counts it
        overdue=row.status in OPEN and row.deadline_at < current,
        due_today=row.status in OPEN and uk_date(row.deadline_at) == uk_date(current),
        document=_title(row.form, row.media),
        sender=row.sender or ("Uploaded" if row.source == "upload" else "Not known"),
        verified=bool(row.verified_sender and row.sender),
        status=status,
        status_class=css,
        problems=problems,
    )


local_time = format_time  # a stored time (UTC) as the hub reads every time: UK time


def _title(form: str | None, media: str) -> str:
    if form:
        try:
            return get_storage().cases.formset.form(form).title
        except EhdocsError:
            return form
    return "E-mail with no form" if media == "message" else "Not known"


# -- upload ---------------------------------------------------------------------------------


@bp.route("/upload", methods=["GET", "POST"])
@rule(policy.HUB_QUEUE, audit_post="submission.upload")
def upload() -> str | WResponse | tuple[str, int]:
    errors: dict[str, str] = {}
    sender = ""
    if request.method == "POST":
        files = [f for f in request.files.getlist("files") if f and f.filename]
        sender = request.form.get("sender", "").strip()
        if sender and not is_address(sender):
            errors["sender"] = "Enter an email address in the correct format, like name@example.com"
        if not files:
            errors["files"] = "Select the filled-in form to upload (a PDF or Word file)"
        elif len(files) > 20:
            errors["files"] = "Upload 20 files or fewer at a time"
        if not errors:
            references = []
            hub = ingestor()
            principal = g.get("principal")
            # The reply goes to whoever signed in and uploaded it, never to the typed address
            # (anyone could type anyone's): that one is only shown as who it is said to be from.
            trust = of_upload(principal.email if principal else None, hub.hub_address)
            for file in files:
                data = file.read()
                receipt = hub.receive_file(
                    data,
                    source="upload",
                    name=_clean(file.filename or ""),
                    sender=sender or None,
                    trust=trust,
                )
                references.append(receipt.reference)
            hub.process(references)
            hub.reply_pending()
            if len(references) == 1:
                return redirect(url_for(".submission", reference=references[0]))
            flash(f"{len(references)} files uploaded.", "success")
            return redirect(url_for(".index"))
    summary = [{"text": m, "href": f"#{k}"} for k, m in errors.items()]
    page = render_template(
        "hub/upload.html", errors=errors, summary=summary, sender=sender, limit=_upload_limit()
    )
    return (page, 400) if errors else page


def _clean(name: str) -> str:
    return "".join(c for c in name if c.isprintable())[:255]


# -- one submission ------------------------------------------------------------------------


@bp.get("/submissions/<reference>")
@rule(policy.HUB_SUBMISSION, audit="submission.view")
def submission(reference: str) -> str | tuple[str, int]:
    return _submission_page(_submission(reference))


def _submission_page(
    row: Submission,
    values: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
    target: str = "",
    other: str = "",
    messages: list[dict[str, str]] | None = None,
    document: str | None = None,
    chosen: list[str] | None = None,
) -> str | tuple[str, int]:
    """The submission, with `problems` of the hub's section of the document named `document`
    (as validation names it) and `messages` about the choice of case."""
    formset = get_storage().cases.formset
    extracted = json.loads(row.extracted) if row.extracted else None
    form = _form(row.form)
    sections = _answers(form, extracted) if form and extracted else []
    people = _people(extracted) if extracted else []
    corrections = _corrections(row, extracted) if extracted else []
    matches, unavailable = _matches(extracted) if extracted else ([], [])
    offered = {c.case.id for c in corrections if c.case is not None}
    unavailable = [u for u in unavailable if u.match.case_id not in offered]
    handled = _case_or_none(row.case_id)
    hub_section = form.section_by_role(roles.HUB) if form else None
    # The hub's section is the adviser's to fill: never from the received file, even a copy.
    errors = problems_for(problems or [], document, hub_section.id) if hub_section else {}
    summary = messages or []
    if hub_section is not None and form is not None:
        fields_by_path = {f.path: f for f in form.iter_fields()}
        summary = summary + error_summary(errors, fields_by_path)
    triage = (
        controls(hub_section.fields, values or {}, hub_section.id, errors, CaseChoices(None))
        if hub_section is not None and row.status == "ready"
        else []
    )
    page = render_template(
        "hub/submission.html",
        row=row,
        summary=_summary(row),
        title=_title(row.form, row.media),
        problems=json.loads(row.problems or "[]"),
        also=json.loads(row.extracted or "{}").get("also") or [],
        sections=sections,
        people=people,
        matches=matches,
        unavailable=unavailable,
        triage=triage,
        errors=summary,
        target=target or ("new" if not matches else ""),
        other=other,
        has_original=get_storage().blobs.exists(row.sha256),
        size=_size(row.size),
        reply_status=_reply_status(row, ingestor().mailer is not None),
        sent_again=_sent_again(row),
        replies=_replies(row),
        corrections=corrections,
        chosen=chosen or [],
        formset=formset,
        integrity=integrity_of(extracted, form),
        case_link=_may(handled, policy.CASE_VIEW),
        case_reference=handled.reference if handled is not None else None,
    )
    return (page, 400) if summary else page


@dataclass(frozen=True)
class Correction:
    """What the hub has that a submission looks like a corrected version of: a case's document
    of the same form (`case`), or an earlier submission still waiting (`earlier`)."""

    key: str
    what: str
    why: str
    proposal: Proposal
    case: StoredCase | None = None
    earlier: str | None = None

    @property
    def differences(self) -> list[Difference]:
        return self.proposal.differences

    @property
    def completed(self) -> bool:
        return self.case is not None and self.proposal.completed


def _corrections(row: Submission, extracted: dict[str, Any]) -> list[Correction]:
    """The documents and submissions this ready submission may correct: the one its e-mail
    answers, then cases and earlier submissions naming the same child, each with what differs.
    Cases the adviser may not add to are left out, as for the likely matches."""
    if row.status != "ready" or not can_correct(extracted):
        return []
    store = get_storage().cases
    formset = store.formset
    title = _title(row.form, row.media)
    answered = _answered(row)
    candidates: list[tuple[StoredCase, str]] = []
    if answered is not None and answered.case_id is not None:
        case = _case_or_none(answered.case_id)
        if _may(case, policy.DOCUMENT_NEW) and case is not None:
            candidates.append(
                (case, f"The e-mail answers {answered.reference}, which was added to this case")
            )
    stored = {c.id: c for c in store.list() if _may(c, policy.DOCUMENT_NEW)}
    for match in likely_matches(extracted, list(stored.values()), formset):
        candidates.append((stored[match.case_id], "; ".join(match.reasons)))
    found: list[Correction] = []
    for case, why in candidates:
        if any(c.case is not None and c.case.id == case.id for c in found):
            continue
        proposed = proposal(formset, case.raw, extracted)
        if proposed is not None:
            found.append(
                Correction(
                    f"case-{case.id}", f"the {title} of case {case.reference}", why, proposed, case
                )
            )
    with get_storage().sessions() as session:
        earlier = session.scalars(
            select(Submission)
            .where(
                Submission.status == "ready",
                Submission.form == row.form,
                Submission.id < row.id,
            )
            .order_by(Submission.id.desc())
            .limit(200)
        ).all()
    # The one it answers, else the latest naming the same child: each earlier one it might
    # correct was itself corrected by the next.
    earlier = sorted(earlier, key=lambda o: o.reference != row.answers_reference)
    for other in earlier:
        if any(c.earlier for c in found):
            break
        theirs = json.loads(other.extracted or "{}")
        if other.reference == row.answers_reference:
            why = f"The e-mail answers {other.reference}"
        elif same_children(extracted, theirs, formset):
            why = "It names the same child: the same date of birth and a similar name"
        else:
            continue
        proposed = against_submission(formset, theirs, extracted, dt.date.today())
        if proposed is not None:
            found.append(
                Correction(
                    f"submission-{other.reference}",
                    f"submission {other.reference}, still waiting for a decision",
                    why,
                    proposed,
                    earlier=other.reference,
                )
            )
    return found


def _answered(row: Submission) -> Submission | None:
    if not row.answers_reference:
        return None
    with get_storage().sessions() as session:
        return session.scalar(
            select(Submission).where(Submission.reference == row.answers_reference)
        )


@dataclass(frozen=True)
class Unavailable:
    match: Match
    reason: str


def _matches(extracted: dict[str, Any]) -> tuple[list[Match], list[Unavailable]]:
    """The likely matches the adviser may add this submission to, and those it cannot be
    added to with the reason (the accept handler's own refusal). Cases the adviser may not
    open are left out altogether: not even their reference is shown."""
    cases = get_storage().cases
    stored = {c.id: c for c in cases.list() if _may(c, policy.DOCUMENT_NEW)}
    found = likely_matches(extracted, list(stored.values()), cases.formset)
    offered, unavailable = [], []
    for match in found:
        try:
            ingest_cases.attach(cases.formset, stored[match.case_id].raw, extracted, None)
        except (FillableFormError, SubmissionError) as exc:
            unavailable.append(Unavailable(match, str(exc)))
        else:
            offered.append(match)
    return offered, unavailable


def _may(stored: StoredCase | None, action: str) -> bool:
    """Whether the adviser may do `action` on this case (a case with a team is the team's:
    the hub neither sees nor changes it, break-glass aside)."""
    if stored is None:
        return False
    return policy.decide(current(), action, policy.CaseFacts.of(stored)).allowed


def _case_or_none(case_id: int | None) -> StoredCase | None:
    if case_id is None or not 0 < case_id < 2**63:
        return None
    try:
        return get_storage().cases.get(case_id)
    except NotFoundError:
        return None


def _reply_status(row: Submission, mail_configured: bool) -> str:
    """What became of the reply to the sender, its time as every time on the hub's pages."""
    when = local_time(row.replied_at) if row.replied_at else None
    if row.reply_note:
        return f"{row.reply_note} ({when})" if when else row.reply_note
    if when:
        return f"Sent {when}"
    if row.reply_to:
        if mail_configured:
            return f"Not sent yet: it will go to {row.reply_to}"
        return "Not sent: no mail server is set up for replies"
    return "Not sent: no e-mail address the hub can trust to reply to"


@dataclass(frozen=True)
class Reply:
    reference: str
    sender: str
    confirmed: bool  # the council's mail server confirmed the sender's domain
    received: str
    subject: str
    text: str
    others: int


def _replies(row: Submission) -> list[Reply]:
    """The e-mails with no form that answer this submission, oldest first, as sent (their
    text shown as text, never as HTML)."""
    if row.status == REPLY:
        return []
    with get_storage().sessions() as session:
        found = session.scalars(
            select(Submission)
            .where(Submission.answers_reference == row.reference, Submission.status == REPLY)
            .order_by(Submission.received_at, Submission.id)
        ).all()
    out = []
    for reply in found:
        said = json.loads(reply.extracted or "{}")
        out.append(
            Reply(
                reference=reply.reference,
                sender=reply.sender or "Not known",
                confirmed=reply.reply_trust in ("dmarc", "dkim", "spf"),
                received=local_time(reply.received_at),
                subject=str(said.get("subject") or "No subject"),
                text=str(said.get("text") or "The e-mail has no text"),
                others=int(said.get("others") or 0),
            )
        )
    return out


def _sent_again(row: Submission) -> str | None:
    if not row.sent_again:
        return None
    times = f"{row.sent_again} time{'s' if row.sent_again != 1 else ''}"
    text = f"The same file was sent again {times} after this submission was handled"
    return f"{text}, last on {local_time(row.sent_again_at)}" if row.sent_again_at else text


def _upload_limit() -> str:
    """The real limit, as the upload page states it: the request limit (all files together)
    and the largest file the hub reads."""
    total = int(current_app.config.get("MAX_CONTENT_LENGTH") or MAX_FILE_BYTES)
    each = min(total, MAX_FILE_BYTES)

    def mb(size: int) -> str:
        return f"{size // 2**20} MB" if size % 2**20 == 0 else _size(size)

    if each == total:
        return f"up to {mb(total)} in all"
    return f"up to {mb(each)} each and {mb(total)} in all"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _form(name: str | None) -> FormDefinition | None:
    if not name:
        return None
    try:
        return get_storage().cases.formset.form(name)
    except EhdocsError:
        return None


def _case_document(extracted: dict[str, Any]) -> dict[str, Any] | None:
    docs = extracted["case"].get("documents", [])
    found = [d for d in docs if d.get("id") == extracted.get("document")]
    return found[0] if found else None


def _answers(form: FormDefinition, extracted: dict[str, Any]) -> list[AnswerSection]:
    """What the file says, question by question, as the sender wrote it (before any case)."""
    if extracted.get("kind") == "case":
        doc = _case_document(extracted)
        data = (doc or {}).get("data") or {}
    elif extracted.get("kind") == online.KIND:
        data = online.document_data(extracted, lambda ref: None)  # names: with the people
    else:
        try:
            data = ingest_cases.to_raw_document(
                ingest_cases.filled_form(extracted), get_storage().cases.formset
            )
        except FillableFormError:
            return []
    return answer_sections(form, data)


@dataclass(frozen=True)
class PersonRow:
    where: str
    name: str
    date_of_birth: str


def _people(extracted: dict[str, Any]) -> list[PersonRow]:
    if extracted.get("kind") == "case":
        children = get_storage().cases.formset.children_categories()
        return [
            PersonRow(
                "Child" if p.get("category") in children else "Adult",
                ingest_cases.person_name(p),
                _dob(p.get("date_of_birth")),
            )
            for p in extracted["case"].get("people", [])
        ]
    form = _form(extracted.get("form"))
    out = []
    for ref in extracted.get("references", []):
        label = (question_label(form, ref["path"]) if form else None) or ref["path"]
        out.append(PersonRow(label, ref["text"], _dob(ref.get("date_of_birth"))))
    return out


def _dob(value: Any) -> str:
    """A date of birth as a date (18 April 2017), or as written when it is not one."""
    text = value if isinstance(value, str) else ""
    iso = ingest_cases.parse_dob(text)
    return format_date(dt.date.fromisoformat(iso)) if iso else text


@bp.get("/submissions/<reference>/original")
@rule(policy.HUB_SUBMISSION, audit="submission.original")
def original(reference: str) -> Response:
    row = _submission(reference)
    data = get_storage().blobs.get(row.sha256)
    if data is None:
        abort(404)
    mimetype, extension = MEDIA_TYPES.get(row.media, ("application/octet-stream", "bin"))
    response = Response(data, mimetype=mimetype)
    # A name without personal data: the file's own name may hold a child's name.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{row.reference.lower()}.{extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/submissions/<reference>/accept")
@rule(policy.HUB_SUBMISSION, audit_post="submission.accept")
def accept(reference: str) -> str | WResponse | tuple[str, int]:
    row = _submission(reference)
    if row.status != "ready":
        flash("This submission has already been dealt with.", "error")
        return redirect(url_for(".submission", reference=reference))
    extracted = json.loads(row.extracted or "{}")
    form = _form(row.form)
    hub_section = form.section_by_role(roles.HUB) if form else None
    hub_values = (
        read_fields(hub_section.fields, request.form, hub_section.id) if hub_section else None
    )
    target = request.form.get("target", "")
    other = request.form.get("other_reference", "").strip()
    # Everything wrong with the choices made, at once: the case, then the hub's questions.
    messages: list[dict[str, str]] = []
    existing = None
    if target not in ("new", "other") and not target.startswith("case-"):
        messages.append(
            {"text": "Select whether to create a new case or add this to a case", "href": "#target"}
        )
    elif target != "new":
        try:
            existing = _target_case(target, other)
        except NotFoundError as exc:
            messages.append({"text": str(exc), "href": "#other_reference"})
    try:
        raw, doc_id = _proposed(extracted, hub_values, existing)
    except (FillableFormError, SubmissionError) as exc:
        return _submission_page(
            row, hub_values, target=target, other=other, messages=[*messages, {"text": str(exc)}]
        )
    label = _label(raw, doc_id)
    # The hub's decision is what accepting records: its section is checked as the hub
    # completes it, by the one validation path (required_if and dates included).
    hub_problems = _hub_problems(raw, doc_id, hub_section) if hub_section is not None else []
    if messages or hub_problems:
        return _submission_page(
            row, hub_values, hub_problems, target, other, messages=messages, document=label
        )
    _mark(raw, doc_id, "completed")
    set_aside: dict[str, dict[str, Any]] = {}
    try:
        stored = _save(raw, existing, doc_id)
    except InvalidCaseError:
        _mark(raw, doc_id, "draft")  # the sender's answers still need work: keep as a draft
        try:
            stored, set_aside = _save_draft(raw, existing, doc_id, label)
        except ConflictError as exc:  # saved meanwhile, or restricted (ehdocs.access.rights)
            return _submission_page(
                row, hub_values, target=target, other=other, messages=[{"text": str(exc)}]
            )
        except InvalidCaseError as again:
            return _submission_page(
                row,
                hub_values,
                again.problems,
                target=target,
                other=other,
                messages=[
                    {"text": in_words(p, get_storage().cases.formset, raw)}
                    for p in again.problems[:10]
                ],
                document=label,
            )
    except ConflictError as exc:
        return _submission_page(
            row, hub_values, target=target, other=other, messages=[{"text": str(exc)}]
        )
    for section_id, values in set_aside.items():  # as typed, on its page, with what is wrong
        get_storage().cases.put_draft(
            stored.id,
            section_page(doc_id, section_id),
            values,
            form_version=form.version if form else None,
        )
    _handled(row, "accepted", stored.id, _decision(hub_section, hub_values))
    later = (
        f" Some answers need correcting before it can be completed: they are kept, as written,"
        f" on the {_sections(raw, doc_id, set_aside)} page{'s' if len(set_aside) > 1 else ''}."
        if set_aside
        else ""
    )
    flash(
        f"{_title(row.form, row.media)} {row.reference} added to case {stored.reference}.{later}",
        "success",
    )
    return redirect(url_for("cases.overview", case_id=stored.id))


def _save_draft(
    raw: dict[str, Any], existing: Any, doc_id: str, label: str
) -> tuple[Any, dict[str, dict[str, Any]]]:
    """Save the document as a draft; answers that not even a draft can hold are set aside
    (see ingest.cases.set_aside) and returned, per section, as written. Raises
    InvalidCaseError when what is wrong is not one answer that can be set aside."""
    kept: dict[str, dict[str, Any]] = {}
    while True:
        try:
            return _save(raw, existing, doc_id, complete=False), kept
        except InvalidCaseError as exc:
            before = json.dumps(raw, sort_keys=True, default=str)
            for section_id, values in ingest_cases.set_aside(
                raw, doc_id, label, exc.problems
            ).items():
                kept.setdefault(section_id, values)  # the first copy is the one as written
            if json.dumps(raw, sort_keys=True, default=str) == before:
                raise  # nothing more to set aside


def _sections(raw: dict[str, Any], doc_id: str, sections: dict[str, Any]) -> str:
    doc = next(d for d in raw.get("documents", []) if d.get("id") == doc_id)
    form = get_storage().cases.formset.form(str(doc.get("form")))
    titles = [f"‘{s.title}’" for s in form.sections if s.id in sections]
    return " and ".join([", ".join(titles[:-1]), titles[-1]] if len(titles) > 1 else titles)


@bp.post("/submissions/<reference>/correct")
@rule(policy.HUB_SUBMISSION, audit_post="submission.correct")
def correct(reference: str) -> str | WResponse | tuple[str, int]:
    """Take a corrected version in: into the case's document (the answers chosen, or all of
    them; a completed document only once the adviser has confirmed it), or in place of the
    earlier submission it corrects. The case, the submission and the audit entry are written
    in one transaction."""
    row = _submission(reference)
    if row.status != "ready":
        flash("This submission has already been dealt with.", "error")
        return redirect(url_for(".submission", reference=reference))
    extracted = json.loads(row.extracted or "{}")
    key = request.form.get("correction", "")
    action = request.form.get("action", "")
    chosen = [p for p in request.form.getlist("fields") if p]
    found = {c.key: c for c in _corrections(row, extracted)}
    correction = found.get(key)
    if correction is None:
        return _submission_page(
            row,
            messages=[
                {
                    "text": "What this corrects has changed since the page was shown: read the "
                    "differences again and choose"
                }
            ],
        )
    if correction.earlier is not None:
        return _replace_earlier(row, correction.earlier)
    if action not in ("merge", "replace") or (action == "merge" and not chosen):
        return _submission_page(
            row,
            messages=[
                {
                    "text": "Select the answers to take from this version",
                    "href": f"#{correction.key}-fields",
                }
            ],
            chosen=chosen,
        )
    case = correction.case
    assert case is not None
    offered = {d.path for d in correction.differences}
    taken = [p for p in chosen if p in offered] if action == "merge" else sorted(offered)
    if correction.completed and request.form.get("confirm") != "yes":
        return render_template(
            "hub/correction_confirm.html",
            row=row,
            correction=correction,
            action=action,
            chosen=taken,
            changes=[d for d in correction.differences if d.path in taken],
            title=_title(row.form, row.media),
        )
    raw = merged(correction.proposal, taken if action == "merge" else None)
    doc_id = correction.proposal.doc_id

    def taken_in(session: Any) -> None:
        current = session.get(Submission, row.id)
        if current is None or current.status != "ready":
            raise ConflictError("This submission has already been dealt with")
        current.status = "accepted"
        current.case_id = case.id
        current.handled_at = now()

    try:
        get_storage().cases.save(
            case.id,
            raw,
            case.version,
            complete=[doc_id] if correction.completed else [],
            alongside=taken_in,
        )
    except InvalidCaseError as exc:
        return _submission_page(
            row,
            messages=[
                {"text": in_words(p, get_storage().cases.formset, raw)} for p in exc.problems[:10]
            ],
            chosen=chosen,
        )
    except ConflictError as exc:
        return _submission_page(row, messages=[{"text": str(exc)}], chosen=chosen)
    get_storage().blobs.delete(row.sha256)  # kept until handled, and no longer
    count = len(taken)
    flash(
        f"{count} answer{'s' * (count != 1)} from the corrected version {row.reference} taken "
        f"into {correction.what}.",
        "success",
    )
    if _may(_case_or_none(case.id), policy.CASE_VIEW):
        return redirect(url_for("cases.overview", case_id=case.id))
    return redirect(url_for(".submission", reference=reference))


def _replace_earlier(row: Submission, earlier: str) -> WResponse:
    """The corrected version takes the place of the earlier submission: that one is closed,
    saying which replaced it, and this one keeps its decision date (the request was made
    then)."""
    with get_storage().sessions() as session, session.begin():
        old = session.scalar(select(Submission).where(Submission.reference == earlier))
        new = session.get(Submission, row.id)
        if old is None or new is None or old.status != "ready" or new.status != "ready":
            flash("This submission has already been dealt with.", "error")
            return redirect(url_for(".submission", reference=row.reference))
        old.status = "dismissed"
        old.handled_at = now()
        old.reason = f"Replaced by the corrected version {row.reference}"
        new.deadline_at = min(new.deadline_at, old.deadline_at)
        new.answers_reference = new.answers_reference or old.reference
        digest = old.sha256
    get_storage().blobs.delete(digest)
    flash(f"Submission {earlier} closed: this corrected version replaces it.", "success")
    return redirect(url_for(".submission", reference=row.reference))


@bp.post("/submissions/<reference>/close")
@rule(policy.HUB_SUBMISSION, audit_post="submission.dismiss")
def close(reference: str) -> WResponse:
    row = _submission(reference)
    if row.status not in OPEN:
        flash("This submission has already been dealt with.", "error")
    else:
        _handled(row, "dismissed", None, None)
        flash(f"Submission {row.reference} closed without a case.", "success")
    return redirect(url_for(".index"))


def _proposed(
    extracted: dict[str, Any], hub_values: dict[str, Any] | None, existing: Any
) -> tuple[dict[str, Any], str]:
    """The case the hub would have by accepting now, and the id of the accepted document (a
    new case when no case is chosen yet, so the hub's answers are checked all the same)."""
    cases = get_storage().cases
    if existing is None:
        today = dt.date.today()
        return ingest_cases.new_case(
            cases.formset, cases.next_reference(today), today, extracted, hub_values
        )
    return ingest_cases.attach(cases.formset, existing.raw, extracted, hub_values)


def _hub_problems(raw: dict[str, Any], doc_id: str, section: SectionDef) -> list[Problem]:
    """What is wrong in the hub's section of the document, completed by the hub."""
    result = validate_case(raw, get_storage().cases.formset, complete=[doc_id], completed_by="hub")
    label = _label(raw, doc_id)
    return [
        p
        for p in result.problems
        if p.document == label and re.match(rf"{re.escape(section.id)}[.\[]", p.path)
    ]


def _label(raw: dict[str, Any], doc_id: str) -> str:
    docs = raw.get("documents") or []
    index, doc = next((i, d) for i, d in enumerate(docs) if d.get("id") == doc_id)
    return document_label(doc, index)


def _decision(section: SectionDef | None, values: dict[str, Any] | None) -> Any:
    """The hub's decision among the values of its section, for the submission's record."""
    decision = section.field_used_as(roles.DECISION) if section else None
    return (values or {}).get(decision.id) if decision else None


def _mark(raw: dict[str, Any], doc_id: str, status: str) -> None:
    for doc in raw.get("documents", []):
        if doc.get("id") == doc_id:
            doc["status"] = status


def _save(raw: dict[str, Any], existing: Any, doc_id: str, complete: bool = True) -> Any:
    if existing is None:
        if complete:
            get_storage().cases.validated(raw, [doc_id])
        return get_storage().cases.create(raw)
    return get_storage().cases.save(
        existing.id, raw, existing.version, complete=[doc_id] if complete else []
    )


def _target_case(target: str, other: str) -> Any:
    """The case chosen, if the adviser may add to it: one they may not open is answered as if
    it did not exist (saying no would tell them it does)."""
    if target.startswith("case-"):
        try:
            found = _case_or_none(int(target[5:]))
        except ValueError:
            found = None
        if not _may(found, policy.DOCUMENT_NEW):
            raise NotFoundError("Select a case from the list")
        return found
    if not other:
        raise NotFoundError("Enter the reference of the case to add this to, like EH-2026-0101")
    found = get_storage().cases.find(other)
    if not _may(found, policy.DOCUMENT_NEW):
        raise NotFoundError(f"There is no case with the reference {other}")
    return found


def _handled(row: Submission, status: str, case_id: int | None, decision: Any) -> None:
    with get_storage().sessions() as session, session.begin():
        current = session.get(Submission, row.id)
        if current is None:
            return
        current.status = status
        current.case_id = case_id
        current.decision = str(decision) if decision else None
        current.handled_at = now()
    get_storage().blobs.delete(row.sha256)  # kept until handled, and no longer

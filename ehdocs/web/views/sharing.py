"""Sharing a copy: the practitioner's page (a secure link by e-mail, or a password-protected
PDF; what has been shared, and revoking it) and the recipient's pages (ask for a code, type it,
download). The recipient's pages never say whose case it is or what it holds."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.wrappers import Response

from ehdocs.access import audit, sharing
from ehdocs.access.policy import CASE_SHARE, public, rule
from ehdocs.access.sessions import current
from ehdocs.case.io import write_atomic
from ehdocs.case.model import Case
from ehdocs.errors import ShareRefused
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import file_name, part_name, render_document, render_pack
from ehdocs.storage import get_storage
from ehdocs.web.views.cases import load

bp = Blueprint("sharing", __name__)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COPIES = {"family": "Family copy", "professional": "Professional copy"}
SUBJECT = "A document has been shared with you"
CODE_SUBJECT = "Your code to open a shared document"
PROTECTED_MINUTES = 15  # a protected PDF not downloaded by then is deleted


# -- the practitioner's page ----------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/share", methods=["GET", "POST"])
@rule(CASE_SHARE, audit="share.view", audit_post="share.link")
def share(case_id: int) -> Any:
    stored = load(case_id)
    values = {"what": "pack", "audience": "family", "recipient": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in values}
        errors = _check(stored.case, values)
        if not errors:
            return _send(case_id, stored.case, values)
    page = _page(case_id, values, errors)
    return (page, 400) if errors else page


@bp.post("/cases/<int:case_id>/share/protected")
@rule(CASE_SHARE)
def protected(case_id: int) -> Any:
    """A password-protected PDF: encrypted now, kept (encrypted) until it is downloaded or for
    PROTECTED_MINUTES, and the page shows its password, once: the password is never stored."""
    stored = load(case_id)
    values = {k: request.form.get(k, "").strip() for k in ("what", "audience")}
    values["recipient"] = ""
    errors = _check(stored.case, values, need_recipient=False)
    if errors:
        return _page(case_id, values, errors), 400
    data, name = _render(stored.case, values["what"], values["audience"])
    password = sharing.make_password()
    token = secrets.token_urlsafe(24)
    folder = _protected_folder()
    sharing.clear_protected(folder, PROTECTED_MINUTES)
    path = folder / f"{case_id}-{values['audience']}-{token}.pdf"
    write_atomic(path, sharing.encrypt_pdf(data, password))
    audit.record("share.protected_pdf", case_id=case_id, detail=values["audience"])
    page = render_template(
        "sharing/password.html",
        stored=stored,
        password=password,
        minutes=PROTECTED_MINUTES,
        href=url_for(".protected_file", case_id=case_id, token=token),
    )
    response = current_app.make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cases/<int:case_id>/share/protected/<token>.pdf")
@rule(CASE_SHARE, audit="share.protected_download")
def protected_file(case_id: int, token: str) -> Any:
    """The protected file, once: it is deleted as it is sent."""
    stored = load(case_id)
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
        abort(404)
    found = [p for p in _protected_folder().glob(f"{case_id}-*-{token}.pdf")]
    if len(found) != 1:
        abort(404)  # never made, already downloaded, or cleared after PROTECTED_MINUTES
    audience = found[0].name.split("-")[1]
    data = found[0].read_bytes()
    found[0].unlink(missing_ok=True)
    options = RenderOptions(audience if audience in COPIES else "family", "pdf", dt.date.today())
    name = file_name(stored.case, "protected", options)
    response = send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _protected_folder() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "protected"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@bp.post("/cases/<int:case_id>/share/<int:share_id>/revoke")
@rule(CASE_SHARE, audit="share.revoke")
def revoke(case_id: int, share_id: int) -> Response:
    load(case_id)
    who = current()
    with audit.writing() as db:
        try:
            row = sharing.revoke(db, case_id, share_id, who.email if who else "unknown")
        except ShareRefused:
            abort(404)
        flash(f"The link sent to {row.recipient} no longer works.", "success")
    return redirect(url_for(".share", case_id=case_id))


def _page(case_id: int, values: dict[str, str], errors: dict[str, str]) -> str:
    stored = load(case_id)
    return render_template(
        "sharing/share.html",
        stored=stored,
        choices=_choices(stored.case),
        copies=COPIES,
        values=values,
        errors=errors,
        shares=sharing.shares_of(get_storage().sessions, case_id),
        days=stored.case.formset.profile.timescales["share_link_days"],
        labels=dict(_choices(stored.case)),
    )


def _choices(case: Case) -> list[tuple[str, str]]:
    docs = [(d.id, d.label) for d in case.documents]
    return [("pack", "The whole case (every document)"), *docs]


def _check(case: Case, values: dict[str, str], need_recipient: bool = True) -> dict[str, str]:
    errors = {}
    if values["what"] not in dict(_choices(case)):
        errors["what"] = "Select what to share"
    if values["audience"] not in COPIES:
        errors["audience"] = "Select which copy to share"
    if need_recipient:
        if not values["recipient"]:
            errors["recipient"] = "Enter the email address to send the link to"
        elif not EMAIL.match(values["recipient"]) or len(values["recipient"]) > 320:
            errors["recipient"] = (
                "Enter an email address in the correct format, like name@example.com"
            )
    return errors


def _render(case: Case, what: str, audience: str) -> tuple[bytes, str]:
    files = get_storage().attachments.get  # the pictures the copy may show
    options = RenderOptions(audience, "pdf", dt.date.today(), None, files=files)
    if what == "pack":
        return render_pack(case, options), file_name(case, "pack", options)
    doc = next((d for d in case.documents if d.id == what), None)
    if doc is None:
        abort(404)
    return render_document(case, doc, options), file_name(case, part_name(doc), options)


def _send(case_id: int, case: Case, values: dict[str, str]) -> Response:
    who = current()
    days = case.formset.profile.timescales["share_link_days"]
    mailer = current_app.extensions["ehdocs.ingestor"].mailer
    if mailer is None:
        flash(
            "The link was not sent: this service has no mail server set up (EHDOCS_SMTP_URL). "
            "Download a password-protected PDF instead.",
            "error",
        )
        return redirect(url_for(".share", case_id=case_id))
    document = None if values["what"] == "pack" else values["what"]
    with audit.writing() as db:
        token = sharing.create(
            db, case_id, document, values["audience"], values["recipient"],
            who.email if who else "unknown", days,
        )  # fmt: skip
        link = url_for(".opened", token=token, _external=True)
        mailer.send(_link_message(values["recipient"], link, days, case, mailer.sender))
    flash(f"A link was sent to {values['recipient']}. It works for {days} days.", "success")
    return redirect(url_for(".share", case_id=case_id))


def _automatic(to: str, subject: str, sender: str, text: str) -> EmailMessage:
    """A message the service sends on its own: the same headers for the link and the code."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    return message


def _link_message(to: str, link: str, days: int, case: Case, sender: str) -> EmailMessage:
    council = case.formset.profile.name
    return _automatic(
        to,
        SUBJECT,
        sender,
        "\n".join(
            [
                "Hello,",
                "",
                f"{council} has shared a document with you. To open it, use this link:",
                "",
                link,
                "",
                "When you open it, we will send a code to this email address. Type the code "
                "on the page to download the document.",
                f"The link works for {days} days.",
                "",
                "If you were not expecting this, you can ignore this email.",
                "",
                council,
            ]
        )
        + "\n",
    )


def _code_message(to: str, code: str, council: str, sender: str) -> EmailMessage:
    minutes = sharing.CODE_MINUTES
    text = f"Your code is {code}\n\nIt works for {minutes} minutes, once.\n\n{council}\n"
    return _automatic(to, CODE_SUBJECT, sender, text)


# -- the recipient's pages -------------------------------------------------------------------


@bp.route("/shared/<token>", methods=["GET", "POST"])
@public
def opened(token: str) -> Any:
    """GET: the page to ask for a code. POST with `action=code`: send a code; with a code:
    check it and download the copy (counted, audited)."""
    storage = get_storage()
    formset = storage.cases.formset
    action = request.form.get("action", "") if request.method == "POST" else ""
    with audit.writing() as db:
        try:
            row = sharing.find(db, token)
        except ShareRefused as exc:
            audit.append(db, "share.open", outcome="refused", actor="anonymous", detail=exc.reason)
            return render_template("sharing/refused.html", message=str(exc)), 410
        recipient, case_id, share_id = row.recipient, row.case_id, row.id
        if request.method == "GET":
            return render_template("sharing/open.html", sent=False, error=None)
        if action == "code":
            mailer = current_app.extensions["ehdocs.ingestor"].mailer
            try:
                code = sharing.new_code(db, row)
            except ShareRefused as exc:
                return render_template("sharing/refused.html", message=str(exc)), 429
            audit.append(db, "share.code", case_id=case_id, actor=recipient, detail=str(share_id))
            if mailer is not None:
                mailer.send(_code_message(recipient, code, formset.profile.name, mailer.sender))
            return render_template("sharing/open.html", sent=True, error=None)
        try:
            sharing.check_code(db, row, request.form.get("code", ""))
        except ShareRefused as exc:
            audit.append(
                db, "share.download", outcome="refused", case_id=case_id, actor=recipient,
                detail=exc.reason,
            )  # fmt: skip
            error = str(exc)
            status = 400
            return render_template("sharing/open.html", sent=True, error=error), status
        audit.append(db, "share.download", case_id=case_id, actor=recipient, detail=str(share_id))
        what, audience = row.document or "pack", row.audience
    stored = storage.cases.get(case_id)
    data, name = _render(stored.case, what, audience)
    response = send_file(
        io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "no-store"
    return response

"""Service pages: home, the council's logo, accessibility statement, health check."""

from __future__ import annotations

import io

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from werkzeug.wrappers import Response

from ehdocs.access.policy import public, signed_in
from ehdocs.fillable import blank_form as make_blank
from ehdocs.storage import get_storage

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home() -> Response:
    return redirect(url_for("cases.index"))


@bp.get("/logo")
@public
def logo() -> Response:
    profile = get_storage().cases.formset.profile
    if profile.logo is None:
        abort(404)
    return send_file(
        profile.logo,
        mimetype="image/svg+xml" if profile.logo.suffix == ".svg" else None,
        max_age=3600,
    )


@bp.get("/forms/<form_name>.<fmt>")
@public
def blank_form(form_name: str, fmt: str) -> Response:
    """A blank fillable form: partners without a case system download it, no sign-in."""
    formset = get_storage().cases.formset
    form = formset.forms.get(form_name)
    if form is None or fmt not in ("pdf", "docx"):
        abort(404)
    name, data = make_blank(formset, form.form, fmt)
    mimetype = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=name,
    )


@bp.get("/forms")
@public
def forms() -> str:
    formset = get_storage().cases.formset
    return render_template("forms.html", forms=formset.forms_in_order())


@bp.get("/accessibility")
@public
def accessibility() -> str:
    return render_template("accessibility.html")


@bp.get("/health")
@bp.get("/healthz")
@public
def health() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain"}

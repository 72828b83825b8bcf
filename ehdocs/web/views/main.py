"""Service pages: home, the council's logo, accessibility statement, health check."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, send_file, url_for
from werkzeug.wrappers import Response

bp = Blueprint("main", __name__)


@bp.get("/")
def home() -> Response:
    return redirect(url_for("cases.index"))


@bp.get("/logo")
def logo() -> Response:
    profile = current_app.extensions["ehdocs.store"].formset.profile
    if profile.logo is None:
        abort(404)
    return send_file(
        profile.logo,
        mimetype="image/svg+xml" if profile.logo.suffix == ".svg" else None,
        max_age=3600,
    )


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("accessibility.html")


@bp.get("/healthz")
def health() -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"Content-Type": "text/plain"}

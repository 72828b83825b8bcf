"""The data protection officer's subject access pages: find a person in every case (by name,
date of birth or NHS number), choose the records that are them, review what would be released
and what is withheld, and download the pack (a tagged PDF per case, and JSON). Every step is in
the audit trail."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Blueprint, abort, render_template, request, send_file
from werkzeug.wrappers import Response

from ehdocs.access import audit
from ehdocs.access import subject_access as sar
from ehdocs.access.policy import SUBJECT_ACCESS, rule
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_pack
from ehdocs.storage import get_storage

bp = Blueprint("subject_access", __name__, url_prefix="/subject-access")
FIELDS = ("name", "date_of_birth", "nhs_number")


@bp.route("/", methods=["GET", "POST"])
@rule(SUBJECT_ACCESS, audit="subject_access.view")
def index() -> Any:
    values = {k: request.values.get(k, "").strip() for k in FIELDS}
    matches: list[sar.Match] | None = None
    error = None
    if request.method == "POST":
        storage = get_storage()
        try:
            matches = sar.search(storage.sessions, storage.cases.formset, **values)
        except ValueError as exc:
            error = str(exc)
        else:  # what was searched for is personal data: the trail keeps only how many
            audit.record("subject_access.search", detail=f"{len(matches)} found")
    page = render_template("subject_access/index.html", values=values, matches=matches, error=error)
    return (page, 400) if error else page


@bp.post("/pack")
@rule(SUBJECT_ACCESS)
def pack() -> Any:
    """The review page: what each chosen case releases and what it withholds, and the links."""
    prepared, chosen = _prepared()
    audit.record("subject_access.prepare", detail=f"{len(prepared.cases)} cases")
    return render_template(
        "subject_access/review.html", prepared=prepared, chosen=chosen, subject=prepared.subject
    )


@bp.post("/pack/<kind>")
@rule(SUBJECT_ACCESS)
def download(kind: str) -> Response:
    prepared, _ = _prepared()
    today = dt.date.today().isoformat()
    if kind == "json":
        data, name, mime = prepared.as_json(), f"subject-access_{today}.json", "application/json"
    elif kind.startswith("pdf-"):
        reference = kind[4:]
        case = next((c for r, c in prepared.cases if r == reference), None)
        if case is None:
            abort(404)
        options = RenderOptions("hub", "pdf", dt.date.today())
        data, mime = render_pack(case, options), "application/pdf"
        name = f"subject-access_{reference}_{today}.pdf"
    else:
        abort(404)
    audit.record("subject_access.released", detail=kind[:40])
    response = send_file(io.BytesIO(data), mimetype=mime, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _prepared() -> tuple[sar.Prepared, list[str]]:
    """The matches the DPO ticked (`case_id:person_id`), found again in the database."""
    chosen = request.form.getlist("match")
    storage = get_storage()
    wanted = set()
    for item in chosen:
        case_id, _, person_id = item.partition(":")
        if not case_id.isdigit() or not person_id:
            abort(400)
        wanted.add((int(case_id), person_id))
    if not wanted:
        abort(400)
    subject = request.form.get("subject", "").strip()[:200] or "the requester"
    matches = [sar.Match(case_id, "", person_id, "", "") for case_id, person_id in sorted(wanted)]
    return sar.prepare(storage.sessions, storage.cases.formset, matches, subject), chosen

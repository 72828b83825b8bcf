"""Limits on what a page of answers may hold, checked at every save: a form of answers larger
than any page could need is refused before it is read, with a page that talks about answers
(not bytes), and a draft never keeps an answer longer than its question allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from ehdocs.fields import field_type
from ehdocs.fields.types import LongText
from ehdocs.schema.model import FieldDef

# Far more than the longest page of answers needs (a review's actions at 10,000 characters an
# answer), far less than a pasted file: a 5,000,000-character answer stops here.
MAX_ANSWERS_BYTES = 4 * 1024 * 1024
ANSWERS = "application/x-www-form-urlencoded"  # pages of answers; uploads are multipart


def init_app(app: Flask) -> None:
    """Before CSRF protection reads the form: registered first in create_app."""
    app.config.setdefault("MAX_ANSWERS_BYTES", MAX_ANSWERS_BYTES)

    @app.before_request
    def limit_answers() -> None:
        if request.method == "POST" and request.mimetype == ANSWERS:
            limit = app.config["MAX_ANSWERS_BYTES"]
            overall = app.config.get("MAX_CONTENT_LENGTH")
            request.max_content_length = min(limit, overall) if overall else limit

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
        if request.mimetype == ANSWERS:
            return render_template("errors/413_answers.html", longest=LongText.default_max), 413
        return render_template("errors/413.html", reason=None), 413


def within_limits(
    fields: tuple[FieldDef, ...], values: Mapping[str, Any], saved: Any = None
) -> dict[str, Any]:
    """A page's answers as a draft may keep them: without any answer over its question's
    limit (the page still shows it, with the error, for the person to shorten), unless it is
    the answer `saved` already (written before a later version lowered the limit). In place of
    an answer left out, the draft keeps the one saved: left out, the page would come back with
    an empty box, and the next save of the page would erase the saved answer."""
    saved = saved if isinstance(saved, Mapping) else {}
    kept: dict[str, Any] = {}
    for fdef in fields:
        if fdef.id not in values:
            continue
        value = values[fdef.id]
        if fdef.fields and isinstance(value, list):
            rows = saved.get(fdef.id) if isinstance(saved.get(fdef.id), list) else []
            kept[fdef.id] = [
                within_limits(fdef.fields, row, rows[i] if i < len(rows) else None)
                if isinstance(row, Mapping)
                else row
                for i, row in enumerate(value)
            ]
        elif not (
            isinstance(value, str) and field_type(fdef.type).ceilings(value, fdef)
        ) or value == saved.get(fdef.id):
            kept[fdef.id] = value
        elif fdef.id in saved:  # the saved answer, not an empty box that a save would store
            kept[fdef.id] = saved[fdef.id]
    named = {fdef.id for fdef in fields}
    for key, value in values.items():  # what no question names (a name's date of birth)
        if key not in named:
            kept[key] = value
    return kept

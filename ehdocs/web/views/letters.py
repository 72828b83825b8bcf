"""Letters from the case page: choose a letter, whom it goes to and what it asks for, see what it
will say, then produce it as PDF or Word. Producing one records it on the case as
correspondence, with its chronology entry and audit entry (ehdocs.access.letters); a letter that
cannot be written, or a case that cannot take the record (restricted, changed meanwhile), stores
nothing and downloads nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Blueprint, abort, flash, render_template, request, send_file

from ehdocs.access import letters as producing
from ehdocs.access import policy
from ehdocs.access.policy import rule
from ehdocs.access.sessions import current
from ehdocs.case.stamps import now_local
from ehdocs.errors import ConflictError, EhdocsError, InvalidCaseError, RestrictedError
from ehdocs.fields import Invalid
from ehdocs.fields.dates import date_from_parts
from ehdocs.render import letters
from ehdocs.render.options import FORMATS
from ehdocs.storage import StoredCase, get_storage
from ehdocs.web.views.cases import MIMETYPES, load

bp = Blueprint("letters", __name__, url_prefix="/cases/<int:case_id>/letters")
PREVIEW, PRODUCE = "preview", "produce"
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word (DOCX)"}
ASK_PREFIX = "ask-"
DATE_PARTS = ("day", "month", "year")
RESTRICTED = (
    "This case is restricted, so no letter can be produced from it: producing one records "
    "correspondence on the case. The data protection officer's reason: {reason}"
)


@bp.get("")
@rule(policy.LETTER, audit="letter.choose")
def choose(case_id: int) -> str:
    stored = load(case_id)
    return render_template(
        "letters/choose.html",
        stored=stored,
        types=list(letters.load_letter_types().values()),
        error=None,
    )


@bp.route("/<kind>", methods=["GET", "POST"])
@rule(policy.LETTER, audit="letter.view", audit_post="letter.produce")
def write(case_id: int, kind: str) -> Any:
    stored = load(case_id)
    types = letters.load_letter_types()
    if kind not in types:
        abort(404)
    letter = types[kind]
    if request.method == "GET":
        return _page(stored, letter, {"version": str(stored.version)}, {})
    values = _read(letter)
    if not values["version"].isdigit():
        abort(400)
    errors = _check(stored, letter, values)
    if errors:
        return _page(stored, letter, values, errors), 400
    asked = _asked(letter, values)
    today = dt.date.today()
    try:
        ctx = letters.letter_context(
            stored.case, letter, values["to"], today, asked, values["paragraph"] or None
        )
    except EhdocsError as exc:
        return _page(stored, letter, values, {"main-content": str(exc)}), 400
    if request.form.get("action") != PRODUCE:
        return _page(stored, letter, values, {}, preview=ctx)
    try:
        made = producing.produce(
            get_storage().cases,
            stored,
            kind,
            values["to"],
            values["format"],
            int(values["version"]),
            current(),
            now_local(),
            asked,
            values["paragraph"] or None,
        )
    except RestrictedError as exc:
        message = RESTRICTED.format(reason=exc.reason)
        return _page(stored, letter, values, {"main-content": message}, preview=ctx), 409
    except ConflictError as exc:  # changed since the page was opened: check it again
        fresh = get_storage().cases.get(case_id)
        values = {**values, "version": str(fresh.version)}
        message = f"{exc} Check the letter again and produce it."
        return _page(fresh, letter, values, {"main-content": message}), 409
    except (EhdocsError, InvalidCaseError) as exc:
        return _page(stored, letter, values, {"main-content": str(exc)}, preview=ctx), 400
    flash(f"{letter.title}: produced and recorded on the case as a letter sent.", "success")
    return send_file(
        io.BytesIO(made.data),
        mimetype=MIMETYPES[values["format"]],
        as_attachment=True,
        download_name=made.name,
    )


def _read(letter: letters.LetterType) -> dict[str, str]:
    form = request.form
    values = {
        "to": form.get("to", ""),
        "format": form.get("format", ""),
        "paragraph": form.get("paragraph", "").strip() if letter.paragraph else "",
        "version": form.get("version", ""),
    }
    for ask in letter.asks:
        name = ASK_PREFIX + ask.id
        if ask.kind == "date":
            for part in DATE_PARTS:
                values[f"{name}-{part}"] = form.get(f"{name}-{part}", "").strip()
        else:
            values[name] = form.get(name, "").strip()
    return values


def _asked(letter: letters.LetterType, values: dict[str, str]) -> dict[str, str]:
    out = {}
    for ask in letter.asks:
        name = ASK_PREFIX + ask.id
        if ask.kind == "date":
            day, month, year = (values[f"{name}-{p}"] for p in DATE_PARTS)
            out[ask.id] = f"{day}/{month}/{year}" if day or month or year else ""
        else:
            out[ask.id] = values[name]
    return out


def _check(
    stored: StoredCase, letter: letters.LetterType, values: dict[str, str]
) -> dict[str, str]:
    """Each field's problem, in the order of the page, saying what to do."""
    errors: dict[str, str] = {}
    ids = [r.id for r in letters.recipients(stored.case, letter)]
    if values["to"] not in ids:
        errors["to"] = "Select who the letter is to"
    for ask in letter.asks:
        name = ASK_PREFIX + ask.id
        given = _asked(letter, values)[ask.id]
        if not given and ask.required:
            errors[name + ("-day" if ask.kind == "date" else "")] = f"Enter {_what(ask.label)}"
        elif given and ask.kind == "date":
            try:  # the date boxes' own rules and messages, as on every other page
                date_from_parts({p: values[f"{name}-{p}"] for p in DATE_PARTS}, ask.label)
            except Invalid as exc:
                example = ", like 25 12 2026" if str(exc).endswith("real date") else ""
                errors[name + "-day"] = f"{exc}{example}"
    if values["format"] not in FORMATS:
        errors["format"] = "Select PDF or Word"
    return errors


def _what(label: str) -> str:
    """ "Date of the meeting" -> "the date of the meeting"; "Where the meeting is" as it is."""
    lower = label[:1].lower() + label[1:]
    return f"the {lower}" if lower.split(" ")[0] in ("date", "time", "name") else lower


def _page(
    stored: StoredCase,
    letter: letters.LetterType,
    values: dict[str, str],
    errors: dict[str, str],
    preview: letters.LetterContext | None = None,
) -> str:
    return render_template(
        "letters/write.html",
        stored=stored,
        letter=letter,
        recipients=letters.recipients(stored.case, letter),
        values=values,
        errors=errors,
        preview=preview,
        formats=FORMAT_LABELS,
        ask_prefix=ASK_PREFIX,
        preview_action=PREVIEW,
        produce_action=PRODUCE,
    )

"""Producing a letter from a stored case: rendered, then recorded on the case as correspondence
(ehdocs.case.correspondence) and audited, in one transaction, or not at all.

The letter is rendered before anything is saved: a letter that cannot be written (a missing
date, a recipient the letter cannot go to) stores nothing. The record goes through the store's
one validation path, its stale-save check and its restriction check (a restricted case refuses
the letter, since producing one records correspondence). The audit entry names the letter type,
the format and the recipient's place in the list of those it may go to: never a name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy.orm import Session

from ehdocs.access import audit
from ehdocs.access.sessions import Principal
from ehdocs.case.correspondence import SentLetter, with_letter
from ehdocs.case.model import Case
from ehdocs.render import letters
from ehdocs.storage.store import CaseStore, StoredCase

FAMILY_ROLE = "family"  # how a letter to the family names its recipient's part in the case


@dataclass(frozen=True)
class Produced:
    data: bytes
    name: str  # the file name: case, letter, recipient's id, date; never a name
    context: letters.LetterContext
    saved: StoredCase | None  # None: not recorded (`ehdocs letter` without --record)


def sent_letter(ctx: letters.LetterContext, fmt: str, produced_by: str) -> SentLetter:
    """What the case records of a letter produced from `ctx`."""
    family = ctx.type.to == FAMILY_ROLE
    role = FAMILY_ROLE if family else ", ".join(ctx.recipient.lines)
    return SentLetter(ctx.title, ctx.recipient.name, role, fmt, produced_by, family)


def write(
    case: Case,
    kind: str,
    to: str,
    fmt: str,
    today: dt.date,
    asked: Mapping[str, str] | None = None,
    paragraph: str | None = None,
) -> Produced:
    """The letter rendered, not recorded. Raises EhdocsError saying what to fix."""
    letter = letters.letter_type(kind)
    ctx = letters.letter_context(case, letter, to, today, asked, paragraph)
    data = letters.render_letter(case, ctx, fmt)
    return Produced(data, letters.letter_file_name(case, ctx, fmt, today), ctx, None)


def produce(
    store: CaseStore,
    stored: StoredCase,
    kind: str,
    to: str,
    fmt: str,
    expected_version: int,
    who: Principal | None,
    now: dt.datetime,
    asked: Mapping[str, str] | None = None,
    paragraph: str | None = None,
) -> Produced:
    """Render the letter and record it on the stored case, with its audit entry, in the save's
    transaction. Raises EhdocsError (the letter cannot be written), RestrictedError,
    ConflictError (a stale page) and InvalidCaseError; nothing is stored when it raises."""
    made = write(stored.case, kind, to, fmt, now.date(), asked, paragraph)
    by = who.name if who is not None else "ehdocs"
    raw = with_letter(stored.raw, store.formset, sent_letter(made.context, fmt, by), now)
    place = [r.id for r in letters.recipients(stored.case, made.context.type)].index(to) + 1

    def audited(db: Session, saved_id: int, version: int | None, new_version: int) -> None:
        audit.append(
            db,
            "letter.produce",
            case_id=saved_id,
            detail=(
                f"letter={kind}; format={fmt}; recipient {place}; version {version}->{new_version}"
            )[: audit.MAX_DETAIL],
            principal=who,
            actor=who.email if who is not None else "ehdocs",
        )
        if has_request_context():
            g.change_audited = True  # this entry is the letter's: no second one

    saved = store.save(stored.id, raw, expected_version, also=audited)
    return Produced(made.data, made.name, made.context, saved)

"""The daily reminder (`ehdocs remind`): each worker gets one e-mail listing the timescale items
of the cases allocated to them that are overdue, or due by the next working day.

Read from `case_due_items` (kept current on every save) in one query. The e-mail names cases by
reference only: no family name, no address, no case content, and the worker is not named either,
since the message crosses the mail system. A worker is sent at most one reminder a day
(`reminders_sent`): the job can run twice, or again after a mail failure, and only those not yet
reminded get their e-mail. Disabled accounts get nothing. Each e-mail sent leaves an audit
entry (who, how many items; nothing else)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.access import audit
from ehdocs.case.due import DUE, LABELS, OVERDUE
from ehdocs.case.timescales import add_working_days
from ehdocs.fields import format_date
from ehdocs.storage.models import CaseDueItem, CaseRow, ReminderSent, User

SUBJECT = "Early Help: timescales due on your cases"
ACTOR = "ehdocs remind"
KEPT_DAYS = 30  # how long the record of who was reminded is kept


@dataclass(frozen=True)
class Line:
    reference: str
    item: str  # a key of ehdocs.case.due.LABELS
    due_on: dt.date

    @property
    def label(self) -> str:
        return LABELS.get(self.item, self.item.replace("_", " ").capitalize())


@dataclass
class Reminder:
    user_id: int
    email: str
    overdue: list[Line] = field(default_factory=list)
    due: list[Line] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.due)


@dataclass
class Sent:
    sent: list[Reminder] = field(default_factory=list)
    already: list[Reminder] = field(default_factory=list)  # reminded earlier today
    failed: list[tuple[Reminder, str]] = field(default_factory=list)


def horizon(today: dt.date) -> dt.date:
    """The last day whose items count as due now: the next working day (a Friday's reminder
    covers the weekend and Monday)."""
    return add_working_days(today, 1)


def due_reminders(db: Session, today: dt.date) -> list[Reminder]:
    """Per active worker with allocated cases: their items overdue or due by `horizon(today)`,
    the most overdue first."""
    rows = db.execute(
        select(User.id, User.email, CaseRow.reference, CaseDueItem.item, CaseDueItem.due_on)
        .join(CaseRow, CaseRow.allocated_to == User.id)
        .join(CaseDueItem, CaseDueItem.case_id == CaseRow.id)
        .where(
            User.disabled.is_(False),
            CaseDueItem.status.in_((DUE, OVERDUE)),
            CaseDueItem.met_on.is_(None),
            CaseDueItem.due_on <= horizon(today),
        )
        .order_by(User.id, CaseDueItem.due_on, CaseRow.reference, CaseDueItem.item)
    ).all()
    reminders: dict[int, Reminder] = {}
    for user_id, email, reference, item, due_on in rows:
        reminder = reminders.setdefault(user_id, Reminder(user_id, email))
        line = Line(reference, item, due_on)
        (reminder.overdue if due_on < today else reminder.due).append(line)
    return list(reminders.values())


def message(
    reminder: Reminder, today: dt.date, sender: str, service: str, link: str | None
) -> EmailMessage:
    """The reminder: the same subject for everyone, case references and timescales only."""
    mail = EmailMessage()
    mail["Subject"] = SUBJECT
    mail["From"] = sender
    mail["To"] = reminder.email
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    lines = ["Hello,", ""]
    until = format_date(horizon(today))
    lines.append(f"These timescales on the cases allocated to you are overdue, or due by {until}.")
    if reminder.overdue:
        lines += ["", f"Overdue ({len(reminder.overdue)}):"]
        lines += [
            f"- Case {line.reference}: {line.label}, was due {format_date(line.due_on)}"
            for line in reminder.overdue
        ]
    if reminder.due:
        lines += ["", f"Due ({len(reminder.due)}):"]
        lines += [
            f"- Case {line.reference}: {line.label}, due {format_date(line.due_on)}"
            for line in reminder.due
        ]
    lines += [""]
    if link:
        lines += [f"See them on My work: {link}", ""]
    else:
        lines += [f"Sign in to {service} and open My work to see them.", ""]
    lines += [
        "If a timescale was met late, record the reason on the case so the report shows it.",
        "",
        f"This is an automatic e-mail from {service}. Please do not reply to it.",
    ]
    mail.set_content("\n".join(lines) + "\n")
    return mail


def send_reminders(
    sessions: sessionmaker[Session],
    today: dt.date,
    send: Callable[[EmailMessage], None],
    build: Callable[[Reminder], EmailMessage],
    only: Sequence[Reminder] | None = None,
) -> Sent:
    """Send each worker's reminder once for `today`. A worker's day is claimed in the database
    before the e-mail goes and released if it fails, so two runs never both send and a failed
    send is tried again by the next run."""
    result = Sent()
    with sessions() as db:
        reminders = list(only) if only is not None else due_reminders(db, today)
    for reminder in reminders:
        claim = ReminderSent(user_id=reminder.user_id, on_date=today, items=reminder.count)
        with sessions() as db:
            try:
                with db.begin():
                    db.add(claim)
            except IntegrityError:
                result.already.append(reminder)
                continue
        try:
            send(build(reminder))
        except Exception as exc:  # noqa: BLE001 - any mail failure: release the claim, go on
            with sessions.begin() as db:
                db.execute(delete(ReminderSent).where(ReminderSent.id == claim.id))
            result.failed.append((reminder, _why(exc)))
            continue
        audit.record(
            "reminder.sent",
            actor=ACTOR,
            detail=f"to user {reminder.user_id}: {reminder.count} item(s)",
            sessions=sessions,
        )
        result.sent.append(reminder)
    with sessions.begin() as db:
        cutoff = today - dt.timedelta(days=KEPT_DAYS)
        db.execute(delete(ReminderSent).where(ReminderSent.on_date < cutoff))
    return result


def _why(exc: Exception) -> str:
    """A mail failure in words, for the person running the job (no message content)."""
    name = type(exc).__name__
    if isinstance(exc, ConnectionRefusedError):
        return "the mail server refused the connection"
    if isinstance(exc, TimeoutError):
        return "the mail server did not answer in time"
    return f"the mail server did not take it ({name})"

"""Taking in what partners send the hub: receive, keep, read, check, reply.

    receive   the file (or a message with no form) is stored by its content and a submission
              row is written; the same content again is the same submission, never a second;
    read      each file is parsed in a sandboxed parser process (ehdocs.ingest.sandbox);
    check     what was read goes through the one validation path (validate_case), as a draft
              case would if the hub accepted it now, so the problems shown are the real ones;
    reply     the sender is told it arrived, or what is missing and how to fix it.

Every step is recorded in the database before the next starts, so a run killed at any point
and started again carries on where it stopped: nothing lost, nothing doubled.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.case.seal import SealKeys
from ehdocs.case.timescales import hub_decision_due, of_profile, uk_date
from ehdocs.errors import EhdocsError
from ehdocs.fields import field_type
from ehdocs.fields.base import Invalid
from ehdocs.fields.dates import UK
from ehdocs.fillable.errors import FillableFormError
from ehdocs.fillable.raw import name_references
from ehdocs.ingest import cases, online, recover, sealed
from ehdocs.ingest.also import added_boxes
from ehdocs.ingest.mail import NO_FORM, Received, read_message
from ehdocs.ingest.parse import kind_of
from ehdocs.ingest.sandbox import MAX_FILE_BYTES, ParserPool
from ehdocs.ingest.trust import Trust, of_message
from ehdocs.schema import roles
from ehdocs.schema.model import FormDefinition, FormSet
from ehdocs.storage.blobs import BlobStore, sha256
from ehdocs.storage.models import Submission, now
from ehdocs.validation import validate_case

log = logging.getLogger("ehdocs.ingest")
SOURCES = ("upload", "file", "mbox", "imap", "smtp", "partner")
ONLINE_MEDIA = "json"  # a form filled in online: its answers as JSON, not a file to parse
READ_BATCH = 32
REPLY_WINDOW = dt.timedelta(hours=1)  # at most one reply per address in this time


@dataclass(frozen=True)
class Receipt:
    reference: str
    new: bool  # False: this content had been received before


@dataclass(frozen=True)
class Outcome:
    reference: str
    status: str  # ready | refused
    form: str | None
    problems: int
    reason: str | None


def deadline(
    received: dt.datetime, formset: FormSet, requested: dt.date | None = None
) -> dt.datetime:
    """When the hub's decision is due (stored in UTC): by the end of the UK day the case will
    count it due on (ehdocs.case.timescales.hub_decision_due), from the date of request the
    form gives, as the case and the performance report count it; from the day the request
    arrived when the form gives none (or a date after it arrived)."""
    arrived = uk_date(received)
    start = requested if requested is not None and requested <= arrived else arrived
    day = hub_decision_due(start, of_profile(formset.profile))
    end = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=UK)
    return end.astimezone(dt.UTC).replace(tzinfo=None)


def requested_on(raw: Mapping[str, Any], form: str, formset: FormSet) -> dt.date | None:
    """The date the request was made, as the case will read it (the `received` milestone of
    the submission's document), or None when the form has none or it is not a real date."""
    try:
        definition = formset.form(form)
    except EhdocsError:
        return None
    doc = next((d for d in raw.get("documents") or [] if d.get("form") == form), None)
    events = [e for e in definition.events if e.role == roles.RECEIVED]
    fdef = definition.field_at(events[0].date) if events else None
    if doc is None or fdef is None:
        return None
    value: Any = doc.get("data") or {}
    for part in events[0].date.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    try:
        parsed = field_type(fdef.type).parse(value, fdef) if value not in (None, "") else None
    except Invalid:
        return None
    return parsed if isinstance(parsed, dt.date) else None


def question_label(form: FormDefinition, path: str) -> str | None:
    """The label of the question at a path, with its row: `children.children[1].child` ->
    "Child or young person (row 2)"; None for a path the form does not have."""
    fdef = form.field_at(re.sub(r"\[\d+\]", "", path))
    if fdef is None:
        return None
    row = re.search(r"\[(\d+)\]", path)
    return f"{fdef.label} (row {int(row.group(1)) + 1})" if row else fdef.label


_REFERENCE = re.compile(r"\bHUB-[0-9A-F]{8}\b", re.IGNORECASE)


def reference_for(digest: str) -> str:
    return f"HUB-{digest[:8].upper()}"


class Ingestor:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        formset: FormSet,
        blobs: BlobStore,
        pool: ParserPool | None = None,
        mailer: Any = None,
        clock: Callable[[], dt.datetime] = now,
        authserv_id: str | None = None,
        seal: SealKeys | None = None,
    ) -> None:
        """`authserv_id`: the council's mail server's id in the Authentication-Results headers
        it adds (the only ones trusted; see ehdocs.ingest.trust)."""
        self.authserv_id = authserv_id
        self.automatic: Counter[str] = Counter()  # automatic e-mails ignored, by reason
        self.sessions = sessions
        self.formset = formset
        self.blobs = blobs
        self._pool = pool
        self._own_pool = pool is None
        self.mailer = mailer
        self.clock = clock
        self.seal = seal  # without the service's keys no embedded case data is trusted

    @property
    def pool(self) -> ParserPool:
        if self._pool is None:
            self._pool = ParserPool()
        return self._pool

    def close(self) -> None:
        if self._own_pool and self._pool is not None:
            self._pool.close()
            self._pool = None

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    # -- receive ------------------------------------------------------------------------

    def receive_file(
        self,
        data: bytes,
        *,
        source: str,
        name: str | None = None,
        sender: str | None = None,
        message_id: str | None = None,
        received_at: dt.datetime | None = None,
        refusal: str | None = None,
        media: str | None = None,
        verified: bool = False,
        trust: Trust | None = None,
        forwarded: tuple[str | None, str | None] | None = None,
        answers: str | None = None,
        reply: Mapping[str, Any] | None = None,
    ) -> Receipt:
        """Keep one received file and record it as a submission (or find it already there).
        `verified`: the sender proved they own the address (a partner's single-use link).
        `trust`: where a reply may go and why (ehdocs.ingest.trust); without it, only to a
        verified sender. `answers`: the reference of the submission the e-mail answers;
        `reply`: an e-mail with no form answering it (its subject and text), kept as a reply
        shown on that submission, never queued nor answered."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        digest = sha256(data)
        found = self._find(digest)
        if found:
            self._sent_again(found, received_at or self.clock(), trust)
            return Receipt(found, False)
        self.blobs.put(data)  # on disk before the row that points at it
        return self._record(
            digest,
            len(data),
            media or kind_of(data) or "other",
            source=source,
            name=name,
            sender=sender,
            message_id=message_id,
            received_at=received_at,
            refusal=refusal,
            verified=verified,
            trust=trust,
            forwarded=forwarded,
            answers=answers,
            reply=reply,
        )

    def receive_partner(self, extracted: dict[str, Any], sender: str) -> Receipt:
        """A notification a partner filled in online and sent, from the address their link
        was sent to. It is kept and checked like any form (its answers are the file), so it
        waits in the hub's queue exactly as a form sent by e-mail does."""
        data = json.dumps(extracted, ensure_ascii=False, sort_keys=True).encode()
        receipt = self.receive_file(
            data, source="partner", sender=sender, media=ONLINE_MEDIA, verified=True
        )
        if receipt.new:
            self._conclude(receipt.reference, extracted)
        return receipt

    def receive_big_file(self, path: Path, *, source: str, name: str | None = None) -> Receipt:
        """A file over the size limit: kept whole (streamed, never held in memory) and
        refused without being read."""
        digest, size = self.blobs.put_file(path)
        found = self._find(digest)
        if found:
            return Receipt(found, False)
        return self._record(
            digest,
            size,
            "other",
            source=source,
            name=name,
            refusal=(
                f"This file is too big to be a filled form ({size // (1024 * 1024)} MB; the "
                f"limit is {MAX_FILE_BYTES // (1024 * 1024)} MB). Send only the form, without "
                "pictures or scans attached to it"
            ),
        )

    def _sent_again(self, reference: str, when: dt.datetime, trust: Trust | None) -> None:
        """The same file again after its submission was handled: recorded on the submission
        (how often, when) and answered again, under the same reply rules as the first time."""
        with self._session() as session:
            row = session.scalar(select(Submission).where(Submission.reference == reference))
            if row is None or row.handled_at is None:
                return  # still being dealt with: the first reply stands
            row.sent_again = (row.sent_again or 0) + 1
            row.sent_again_at = when
            if trust is not None:
                row.replied_at = None
                row.reply_to = trust.address if trust.trusted else None
                row.reply_trust = trust.how if trust.trusted else None
                row.reply_note = None if trust.trusted else trust.why
        log.info("%s sent again after it was handled", reference)

    def _find(self, digest: str) -> str | None:
        with self._session() as session:
            found: str | None = session.scalar(
                select(Submission.reference).where(Submission.sha256 == digest)
            )
            return found

    def _record(
        self,
        digest: str,
        size: int,
        media: str,
        *,
        source: str,
        name: str | None = None,
        sender: str | None = None,
        message_id: str | None = None,
        received_at: dt.datetime | None = None,
        refusal: str | None = None,
        verified: bool = False,
        trust: Trust | None = None,
        forwarded: tuple[str | None, str | None] | None = None,
        answers: str | None = None,
        reply: Mapping[str, Any] | None = None,
    ) -> Receipt:
        when = received_at or self.clock()
        if trust is None:
            trust = (
                Trust(
                    sender,
                    "link",
                    f"Sent to {sender}: the sender signed in with a link sent to this address",
                )
                if verified and sender
                else Trust(None, None, "Not sent: nobody the hub can trust to reply to")
            )
        row = Submission(
            reference=reference_for(digest),
            sha256=digest,
            size=size,
            media=media,
            original_name=name,
            source=source,
            sender=sender,
            message_id=message_id,
            received_at=when,
            deadline_at=deadline(when, self.formset),
            status="reply" if reply is not None else "refused" if refusal else "received",
            reason=None if reply is not None else refusal,
            verified_sender=verified,
            reply_to=trust.address if trust.trusted else None,
            reply_trust=trust.how if trust.trusted else None,
            reply_note=None if trust.trusted else trust.why,
            forwarded_by=forwarded[0] if forwarded else None,
            original_sender=forwarded[1] if forwarded else None,
            answers_reference=answers,
        )
        if reply is not None:  # shown on the submission it answers; the hub never replies to it
            row.extracted = json.dumps(dict(reply), ensure_ascii=False)
            row.reply_to = None
            row.reply_note = (
                f"Not sent: this e-mail answers {answers} and is shown on it (the hub does not "
                "reply to replies)"
            )
        try:
            with self._session() as session:
                session.add(row)
        except IntegrityError:  # received at the same moment by another process
            return Receipt(reference_for(digest), False)
        log.info("received %s (%s, %d bytes)", row.reference, source, size)
        return Receipt(row.reference, True)

    def receive_message(self, raw: bytes, *, source: str) -> list[Receipt]:
        """Every form attached to one e-mail; an e-mail with none is kept as it is, so the hub
        can see it and the sender is told."""
        message = read_message(raw, self.authserv_id)
        if message.automatic:
            # Never answered (no loops with auto-responders) nor queued; logged without who
            # sent it or what it said.
            self.automatic[message.automatic] += 1
            log.info(
                "ignored an automatic e-mail (%s); %d so far in this run",
                message.automatic,
                sum(self.automatic.values()),
            )
            return []
        when = self.clock()
        # When the council's server received it, not when this run took it in (a poll after a
        # weekend must not move the decision deadline); never a time still to come.
        if message.received_at is not None and message.received_at <= when:
            when = message.received_at
        forwarded = (
            (message.forwarded_by, message.original_sender) if message.forwarded_by else None
        )
        trust = of_message(
            message.authenticated,
            message.from_address,
            message.reply_address,
            partner_domains=self.formset.profile.partner_domains,
            hub_address=self.hub_address,
        )
        answers = self.answered(message)
        if not message.attachments:
            reply = (
                {
                    "kind": "reply",
                    "subject": message.subject,
                    "text": message.text,
                    "others": message.others,
                }
                if answers is not None and message.problem == NO_FORM
                else None
            )
            return [
                self.receive_file(
                    raw,
                    source=source,
                    sender=message.sender,
                    message_id=message.message_id,
                    received_at=when,
                    refusal=message.problem,
                    media="message",
                    trust=trust,
                    forwarded=forwarded,
                    answers=answers,
                    reply=reply,
                )
            ]
        return [
            self.receive_file(
                attachment.data,
                source=source,
                name=attachment.name,
                sender=message.sender,
                message_id=message.message_id,
                received_at=when,
                trust=trust,
                forwarded=forwarded,
                answers=answers,
            )
            for attachment in message.attachments
        ]

    def answered(self, message: Received) -> str | None:
        """The reference of the submission an e-mail answers, or None: a reply to the hub's
        own message (its Message-ID carries the reference), a message in the thread of the one
        a submission came in (In-Reply-To or References), else a hub reference quoted in the
        subject. Only a submission that exists (and is not itself a reply) is answered."""
        hub_domain = (self.hub_address or "").rpartition("@")[2].lower()
        wanted: list[str] = []
        for ident in message.answers:
            local, _, domain = ident.strip("<>").rpartition("@")
            if hub_domain and domain.lower() == hub_domain:
                wanted.extend(r.upper() for r in _REFERENCE.findall(local))
        with self._session() as session:
            if message.answers:
                wanted.extend(
                    session.scalars(
                        select(Submission.reference)
                        .where(
                            Submission.message_id.in_(message.answers),
                            Submission.status != "reply",
                        )
                        .order_by(Submission.id)
                    )
                )
            wanted.extend(r.upper() for r in _REFERENCE.findall(message.subject or ""))
            for reference in dict.fromkeys(wanted):
                found = session.scalar(
                    select(Submission.reference).where(
                        Submission.reference == reference, Submission.status != "reply"
                    )
                )
                if found:
                    return str(found)
        return None

    # -- read and check -----------------------------------------------------------------

    def count(self) -> int:
        with self._session() as session:
            return int(session.scalar(select(func.count(Submission.id))) or 0)

    def pending(self) -> list[str]:
        with self._session() as session:
            return list(
                session.scalars(
                    select(Submission.reference)
                    .where(Submission.status == "received")
                    .order_by(Submission.id)
                )
            )

    def process_pending(self, progress: Callable[[int], None] | None = None) -> list[Outcome]:
        """Read and check every submission not yet read (also those a killed run left)."""
        references = self.pending()
        outcomes: list[Outcome] = []
        for start in range(0, len(references), READ_BATCH):
            batch = references[start : start + READ_BATCH]
            outcomes.extend(self._process(batch))
            if progress is not None:
                progress(len(batch))
        return outcomes

    def process(self, references: Iterable[str]) -> list[Outcome]:
        return self._process(list(references))

    def _process(self, references: list[str]) -> list[Outcome]:
        loaded: list[tuple[str, bytes | None, str]] = []
        with self._session() as session:
            for reference in references:
                row = session.scalar(select(Submission).where(Submission.reference == reference))
                if row is None or row.status != "received":
                    continue
                loaded.append((reference, self.blobs.get(row.sha256), row.media))
        # Answers filled in online are read as they are; only files go to the parsers.
        files = [(r, d) for r, d, media in loaded if media != ONLINE_MEDIA]
        parsed = iter(self.pool.parse_many(data or b"" for _, data in files) if files else [])
        outcomes = []
        for reference, data, media in loaded:
            if media == ONLINE_MEDIA:
                result = json.loads(data) if data else {}
            else:
                result = next(parsed)
            if data is None:
                result = {
                    "kind": "refused",
                    "reason": "The received file was lost before it could be read",
                }
            outcomes.append(self._conclude(reference, result))
        return outcomes

    def _conclude(self, reference: str, result: dict[str, Any]) -> Outcome:
        result = recover.resolve(sealed.resolve(result, self.seal), self.formset)
        status, form, reason = "ready", None, None
        problems: list[dict[str, str]] = []
        extracted: dict[str, Any] | None = None
        requested: dt.date | None = None
        if result.get("kind") == "refused":
            status, reason = "refused", str(result.get("reason"))
        else:
            try:
                extracted, form, problems, requested = self.check(result)
            except (FillableFormError, EhdocsError) as exc:
                status, reason = "refused", str(exc)
        with self._session() as session:
            received = session.scalar(
                select(Submission.received_at).where(Submission.reference == reference)
            )
            due = (
                {"deadline_at": deadline(received, self.formset, requested)}
                if requested is not None and received is not None
                else {}
            )
            session.execute(
                update(Submission)
                .where(Submission.reference == reference, Submission.status == "received")
                .values(
                    status=status,
                    kind=result.get("kind") if status == "ready" else _refused_kind(result),
                    form=form,
                    extracted=json.dumps(extracted, ensure_ascii=False) if extracted else None,
                    problems=json.dumps(problems, ensure_ascii=False),
                    reason=reason,
                    updated_at=now(),
                    **due,
                )
            )
        return Outcome(reference, status, form, len(problems), reason)

    def check(
        self, result: dict[str, Any]
    ) -> tuple[dict[str, Any], str, list[dict[str, str]], dt.date | None]:
        """(what to keep, the document's form name, its problems, the date of request it gives)
        for a parsed file."""
        extracted = dict(result)
        if result["kind"] in ("form", online.KIND):
            if result["kind"] == "form":
                filled = cases.filled_form(result)
                refs = name_references(filled, self.formset)
                extracted["references"] = [asdict(r) for r in refs]
                extracted["also"] = [*result.get("also", []), *added_boxes(filled, self.formset)]
            raw, _ = cases.new_case(self.formset, "HUB-CHECK", self.clock().date(), extracted)
            form = str(result["form"])
        else:
            raw = dict(result["case"])
            document = next(
                (d for d in raw.get("documents", []) if d.get("id") == result.get("document")),
                None,
            )
            form = str(document.get("form")) if document else "case"
        doc_ids = [d.get("id") for d in raw.get("documents", []) if d.get("form") == form]
        outcome = validate_case(raw, self.formset, complete=doc_ids[-1:])
        problems = [self.describe(p, form) for p in outcome.problems]
        return extracted, form, problems, requested_on(raw, form, self.formset)

    def describe(self, problem: Any, form_name: str) -> dict[str, str]:
        """A problem with where it is in words: the question's label, not a path."""
        where = "The form"
        try:
            form = self.formset.form(form_name)
        except EhdocsError:
            form = None
        if problem.document is None:
            where = "The people named on the form"
        elif form is not None and problem.path:
            section = form.section(problem.path.split(".")[0].split("[")[0])
            label = question_label(form, problem.path)
            if section and label and label != section.title:
                where = f"{section.title}: {label}"
            else:
                where = label or (section.title if section else where)
        return {"where": where, "message": problem.message, "path": problem.path}

    def statuses(self, references: list[str]) -> list[Outcome]:
        """Where each submission is now (for summaries)."""
        found: dict[str, Outcome] = {}
        with self._session() as session:
            for start in range(0, len(references), 500):
                chunk = references[start : start + 500]
                for row in session.scalars(
                    select(Submission).where(Submission.reference.in_(chunk))
                ):
                    problems = len(json.loads(row.problems or "[]"))
                    found[row.reference] = Outcome(
                        row.reference, row.status, row.form, problems, row.reason
                    )
        return [found[r] for r in references if r in found]

    # -- reply --------------------------------------------------------------------------

    @property
    def hub_address(self) -> str | None:
        """The hub's own address: never replied to (no loops with ourselves)."""
        address = getattr(self.mailer, "sender", None) or self.formset.profile.contact.get(
            "hub_email"
        )
        return str(address) if address else None

    def reply_pending(self) -> int:
        """Tell each sender not yet told what happened to their form. Returns how many.

        Only to the submission's trusted reply address (ehdocs.ingest.trust), never the hub's
        own, and at most one reply per address an hour; each submission records why a reply
        was or was not sent."""
        if self.mailer is None:
            return 0
        with self._session() as session:
            rows = session.scalars(
                select(Submission).where(
                    Submission.reply_to.is_not(None),
                    Submission.replied_at.is_(None),
                    Submission.status.in_(("ready", "refused", "accepted", "dismissed")),
                )
            ).all()
        sent = 0
        hub = (self.hub_address or "").lower()
        for row in rows:
            address = str(row.reply_to)
            if address.lower() == hub:
                self._note(row.id, "Not sent: that is the hub's own address")
                continue
            with self._session() as session:  # claim it: two runs never both reply
                recent = session.scalar(
                    select(func.count(Submission.id)).where(
                        func.lower(Submission.reply_to) == address.lower(),
                        Submission.replied_at >= self.clock() - REPLY_WINDOW,
                        Submission.reply_note.like("Sent %"),
                    )
                )
                if recent:
                    session.execute(
                        update(Submission)
                        .where(Submission.id == row.id, Submission.replied_at.is_(None))
                        .values(
                            reply_to=None,
                            reply_note=(
                                "Not sent: the hub replied to this address less than an hour "
                                "ago (at most one reply an hour to any address)"
                            ),
                        )
                    )
                    continue
                claimed = session.execute(  # type: ignore[attr-defined]
                    update(Submission)
                    .where(Submission.id == row.id, Submission.replied_at.is_(None))
                    .values(replied_at=self.clock())
                ).rowcount
            if not claimed:
                continue
            try:
                self.mailer.send_reply(row, self.formset)
            except Exception as exc:  # the mail server is down: try again next run
                log.warning("reply for %s not sent: %s", row.reference, type(exc).__name__)
                with self._session() as session:
                    session.execute(
                        update(Submission).where(Submission.id == row.id).values(replied_at=None)
                    )
                continue
            self._note(row.id, _sent_note(row))
            sent += 1
        return sent

    def _note(self, submission_id: int, note: str) -> None:
        with self._session() as session:
            values: dict[str, Any] = {"reply_note": note}
            if note.startswith("Not sent"):
                values["reply_to"] = None
            session.execute(update(Submission).where(Submission.id == submission_id).values(values))

    def run(self, progress: Callable[[int], None] | None = None) -> list[Outcome]:
        outcomes = self.process_pending(progress)
        self.reply_pending()
        return outcomes


_TRUST_WHY = {
    "signed-in": "the signed-in account that uploaded it",
    "link": "the sender signed in with a link sent to this address",
    "dmarc": "the council's mail server confirmed the sender's domain (DMARC passed)",
    "dkim": "the council's mail server confirmed the sender's domain (DKIM signature)",
    "spf": "the council's mail server confirmed the sender's domain (SPF)",
    "partner": "the address is a partner agency's",
}


def _refused_kind(result: dict[str, Any]) -> str | None:
    """A picture that is not a form the hub could read is kept for a person, not refused."""
    return recover.PICTURE if result.get("needs_person") else None


def _sent_note(row: Submission) -> str:
    why = _TRUST_WHY.get(str(row.reply_trust), "")
    return f"Sent to {row.reply_to}" + (f": {why}" if why else "")

"""E-mail messages -> the files attached to them, with who sent them.

Messages are untrusted: size and part counts are limited, header parsing errors are tolerated,
and attachments are recognised by their content (a PDF starts with %PDF-, a Word file is a ZIP
package), never by their names. A forwarded message attached to another is looked into as well.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from typing import Any

from ehdocs.ingest.parse import kind_of
from ehdocs.ingest.trust import authentication, domain_of

MAX_MESSAGE_BYTES = 40 * 1024 * 1024
MAX_PARTS = 100
# A picture inline in the text (a logo in a signature) is smaller than a photo of a page
MIN_PHOTO_BYTES = 60_000
MAX_PICTURES = 20
NO_FORM = (
    "We could not find a form attached to your e-mail. Attach the filled-in form as "
    "the PDF or Word file you saved, or a clear photo or scan of each page of the "
    "paper form, and send it again"
)
_ADDRESS = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z0-9-]{2,63}$")


@dataclass(frozen=True)
class Attachment:
    name: str | None
    data: bytes


@dataclass(frozen=True)
class Received:
    sender: str | None  # where a reply goes: Reply-To, else From
    message_id: str | None
    date: dt.datetime | None
    attachments: list[Attachment] = field(default_factory=list)
    problem: str | None = None  # why nothing could be taken from it
    others: int = 0  # attachments that are not PDF or Word files
    from_address: str | None = None  # the From address (what DMARC authenticates)
    reply_address: str | None = None  # the Reply-To address, if any
    authenticated: str | None = None  # dmarc | dkim | spf: how our mail server confirmed From
    # When the council's mail server received it: the topmost Received header's date (the one
    # our server added), else the Date header; None when neither can be read.
    received_at: dt.datetime | None = None
    # Why it is an automatic message (an auto-reply, an out-of-office, a bounce) that must never
    # be answered or queued; None for a message a person sent.
    automatic: str | None = None
    # A forwarded message (Fwd:/FW: subject, or a message attached): who forwarded it, and
    # the original sender (the attached message's From, else the first "From:" line quoted).
    forwarded_by: str | None = None
    original_sender: str | None = None
    # What a person wrote: the subject, and the text (the plain text part, else the HTML part
    # as text); the Message-IDs it answers (In-Reply-To, then References).
    subject: str | None = None
    text: str | None = None
    answers: tuple[str, ...] = ()


def read_message(raw: bytes, authserv_id: str | None = None) -> Received:
    """The forms attached to one e-mail, with who sent it. `authserv_id`: the council's mail
    server's, whose topmost Authentication-Results header is trusted (ehdocs.ingest.trust)."""
    if len(raw) > MAX_MESSAGE_BYTES:
        return Received(
            None,
            None,
            None,
            problem=(
                f"Your e-mail was too big to take in (the limit is "
                f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MB). Send the form on its own"
            ),
        )
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:
        return Received(None, None, None, problem="Your e-mail could not be read")
    sender = _sender(message)
    from_address = _address(message, "From")
    who: dict[str, Any] = {
        "from_address": from_address,
        "reply_address": _address(message, "Reply-To"),
        "authenticated": authentication(
            message, authserv_id, domain_of(from_address) if from_address else ""
        ),
    }
    message_id = _header(message, "Message-ID")
    date = _date(message)
    who["received_at"] = _received(message) or date
    who["automatic"] = automatic(message)
    if who["automatic"]:
        return Received(sender, message_id, date, **who)
    who.update(_forwarding(message, from_address))
    who["subject"] = _header(message, "Subject")
    who["text"] = body_text(message)
    who["answers"] = answered_ids(message)
    attachments: list[Attachment] = []
    pictures: list[Attachment] = []
    others = 0
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            return Received(
                sender,
                message_id,
                date,
                problem=(
                    f"Your e-mail has too many parts (more than {MAX_PARTS}). Send the form "
                    "on its own"
                ),
                **who,
            )
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        disposition = part.get_content_disposition()
        try:
            data = part.get_payload(decode=True)
        except Exception:
            data = None
        if not isinstance(data, bytes) or not data:
            continue
        kind = kind_of(data)
        if kind == "image":  # a photo of the paper form, or a logo in a signature
            if disposition == "attachment" or len(data) >= MIN_PHOTO_BYTES:
                pictures.append(Attachment(_filename(part), data))
            else:
                others += 1
        elif kind is not None:
            attachments.append(Attachment(_filename(part), data))
        elif disposition == "attachment" or part.get_content_maintype() not in ("text",):
            others += 1
    if not attachments:  # photos or scans of the paper form are read when there is no file
        attachments = pictures[:MAX_PICTURES]
    else:
        others += len(pictures)
    problem = None if attachments else NO_FORM
    return Received(sender, message_id, date, attachments, problem, others, **who)


MAX_TEXT = 20000  # characters of a message's text kept for the hub to read
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")


def answered_ids(message: Message) -> tuple[str, ...]:
    """The Message-IDs a message answers, as written (with their angle brackets): In-Reply-To
    first, then References from the newest back (a mail client that drops In-Reply-To keeps
    References)."""
    found: list[str] = []
    for name in ("In-Reply-To", "References"):
        try:
            value = message.get(name)
        except Exception:
            value = None
        ids = [f"<{m}>" for m in _MESSAGE_ID.findall(str(value or "")[:8000])]
        found.extend(reversed(ids) if name == "References" else ids)
    return tuple(dict.fromkeys(found))[:50]


def body_text(message: Message) -> str | None:
    """What the sender wrote, as plain text: the text/plain part, else the text/html part with
    its markup taken out (scripts, styles and comments dropped; never rendered as HTML)."""
    if not isinstance(message, EmailMessage):
        return None
    try:
        part = message.get_body(("plain", "html"))
        content = part.get_content() if part is not None else None
    except Exception:
        return None
    if not isinstance(content, str):
        return None
    if part is not None and part.get_content_subtype() == "html":
        content = html_to_text(content[: MAX_TEXT * 5])
    lines = [line.rstrip() for line in content.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    text = "".join(c for c in text if c.isprintable() or c in "\n\t")
    return text[:MAX_TEXT] or None


class _Text(HTMLParser):
    """HTML -> its text, for reading only: tags dropped, block ends made line breaks."""

    _BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    _SKIPPED = {"script", "style", "head", "title", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_FORWARD_SUBJECT = re.compile(r"^\s*(?:re:\s*)*(?:fwd?|fw)\s*:", re.IGNORECASE)
_QUOTED_FROM = re.compile(r"^[>\s]*From:\s*(.+)$", re.MULTILINE | re.IGNORECASE)


def _forwarding(message: Message, from_address: str | None) -> dict[str, str | None]:
    attached = None
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            break
        if part.get_content_type() == "message/rfc822":
            try:
                inner = part.get_payload()
                if isinstance(inner, list):
                    inner = inner[0] if inner else None
                elif not isinstance(inner, Message):  # sent encoded (base64): parse it
                    data = part.get_payload(decode=True)
                    inner = (
                        email.message_from_bytes(data, policy=email.policy.default)
                        if isinstance(data, bytes)
                        else None
                    )
            except Exception:
                inner = None
            attached = inner if isinstance(inner, Message) else None
            break
    subject = _header(message, "Subject") or ""
    if attached is None and not _FORWARD_SUBJECT.match(subject) and not _has_rfc822(message):
        return {}
    original = _address(attached, "From") if isinstance(attached, Message) else None
    if original is None:
        body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
        try:
            text = body.get_content() if body is not None else ""
        except Exception:
            text = ""
        for line in _QUOTED_FROM.findall(str(text)[:20000]):
            for _display, address in email.utils.getaddresses([line.strip()]):
                if is_address(address):
                    original = address
                    break
            if original:
                break
    return {"forwarded_by": from_address, "original_sender": original}


def _has_rfc822(message: Message) -> bool:
    return any(p.get_content_type() == "message/rfc822" for p in message.walk())


_BULK = {"bulk", "auto_reply", "junk", "list"}
_NULL_SENDERS = {"mailer-daemon", "postmaster"}


def automatic(message: Message) -> str | None:
    """Why a message was sent by a machine rather than a person (RFC 3834 Auto-Submitted,
    Precedence, a null envelope sender, a delivery report, the X-Autoreply family), or None."""
    submitted = (_header(message, "Auto-Submitted") or "").split(";")[0].strip().lower()
    if submitted and submitted != "no":
        return f"auto-submitted ({submitted[:30]})"
    precedence = (_header(message, "Precedence") or "").strip().lower()
    if precedence in _BULK:
        return f"precedence {precedence}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _header(message, name):
            return name.lower()
    return_path = _header(message, "Return-Path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "null sender"
    from_address = _address(message, "From") or ""
    if from_address.partition("@")[0].lower() in _NULL_SENDERS:
        return "null sender"
    try:
        content_type = message.get_content_type()
    except Exception:
        content_type = ""
    if content_type == "multipart/report":
        return "delivery or read report"
    return None


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:
        return None
    if value is None:
        return None
    return str(value).strip()[:255] or None


def _sender(message: Message) -> str | None:
    return _address(message, "Reply-To") or _address(message, "From")


def _address(message: Message, name: str) -> str | None:
    value = _header(message, name)
    if not value:
        return None
    for _display, address in email.utils.getaddresses([value]):
        if is_address(address):
            return address
    return None


def is_address(text: str) -> bool:
    """Whether the text is one plain e-mail address (name@domain.tld)."""
    return bool(_ADDRESS.match(text))


def _date(message: Message) -> dt.datetime | None:
    return _parse_date(_header(message, "Date"))


def _received(message: Message) -> dt.datetime | None:
    """The date the topmost Received header gives (after its last ';'): servers prepend theirs,
    so the topmost is the council's own server's, whatever the sender wrote below it."""
    try:
        values = message.get_all("Received") or []
    except Exception:
        return None
    if not values:
        return None
    top = str(values[0])
    if ";" not in top:
        return None
    return _parse_date(top.rpartition(";")[2].strip())


def _parse_date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    if not name:
        return None
    cleaned = "".join(c for c in str(name) if c.isprintable())
    return cleaned.replace("/", "_").replace("\\", "_")[:255] or None


def is_message(data: bytes) -> bool:
    """Whether a file looks like one e-mail message (RFC 5322 headers first)."""
    head = data[:4096].lstrip()
    return bool(re.match(rb"^[A-Za-z][A-Za-z0-9-]{0,60}:[ \t]", head)) and (
        b"\nFrom:" in b"\n" + head or b"\nfrom:" in b"\n" + head.lower()
    )


__all__ = [
    "NO_FORM",
    "Attachment",
    "EmailMessage",
    "Received",
    "is_address",
    "is_message",
    "read_message",
]

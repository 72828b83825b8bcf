"""Replies to the people who send forms to the hub, by SMTP.

A reply says the form arrived, or what is missing and how to fix it. Its subject is the same
for everyone but for the hub's reference, and its body holds no personal data: the hub's
reference for the submission, the name of the form, and the questions that need an answer
(their labels, from the form's definition — never what was typed). The message is a reply to
theirs (In-Reply-To), so their mail program shows it beside what they sent; an answer to it is
matched to the submission by its Message-ID or the reference in the subject.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ehdocs.errors import EhdocsError, MailConfigError
from ehdocs.schema.model import FormSet

SUBJECT = "Your form to the Early Help Hub"
LINK_SUBJECT = "Your sign-in link for the Early Help Hub"
MAX_LISTED = 30


class Mailer:
    """Sends replies through one SMTP server: smtp://host:port (plain, for a relay on the same
    host or network), smtp://…?starttls=1, or smtps://host:port; user:password@ if needed."""

    def __init__(self, url: str, sender: str, timeout: float = 20.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailConfigError(
                f"The mail server address must look like smtp://host:port or smtps://host:port, "
                f"not {parts.scheme or 'nothing'}://…"
            )
        self.host = parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)

    def send_reply(self, submission: Any, formset: FormSet) -> None:
        self.send(reply_message(submission, formset, self.sender))

    def send_link(self, to: str, url: str, formset: FormSet) -> None:
        self.send(link_message(to, url, formset, self.sender))


def link_message(to: str, url: str, formset: FormSet, sender: str) -> EmailMessage:
    """A partner's single-use sign-in link. Nothing in it but the link: the same subject for
    everyone, and no personal data (the address it goes to is the one that asked)."""
    hub = formset.profile.contact.get("hub_name", "the Early Help Hub")
    message = EmailMessage()
    message["Subject"] = LINK_SUBJECT
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    lines = [
        "Hello,",
        "",
        f"Use this link to fill in a request for early help and send it to {hub}:",
        "",
        url,
        "",
        "The link works once, for one hour. If it has expired, ask for a new one on the "
        "page where you asked for this one.",
        "",
        "If you did not ask for this link, you can ignore this e-mail.",
        "",
        hub,
    ]
    message.set_content("\n".join(lines) + "\n")
    return message


def reply_message(submission: Any, formset: FormSet, sender: str) -> EmailMessage:
    profile = formset.profile
    hub = profile.contact.get("hub_name", "the Early Help Hub")
    message = EmailMessage()
    # The reference in the subject and the Message-ID: an answer to this reply (from any mail
    # program, even one that drops In-Reply-To) is matched to the submission
    # (ehdocs.ingest.service.Ingestor.answered).
    message["Subject"] = f"{SUBJECT} ({submission.reference})"
    message["From"] = sender
    message["To"] = submission.reply_to  # trusted (ehdocs.ingest.trust), never just claimed
    message["Message-ID"] = make_msgid(
        idstring=submission.reference, domain=sender.rpartition("@")[2] or None
    )
    if submission.message_id:
        message["In-Reply-To"] = submission.message_id
        message["References"] = submission.message_id
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: no auto-reply loops
    message.set_content(reply_text(submission, formset, hub))
    return message


def reply_text(submission: Any, formset: FormSet, hub: str) -> str:
    title = "form"
    if submission.form:
        try:
            title = formset.form(submission.form).title
        except EhdocsError:
            title = "form"
    upload = submission.source == "upload"
    what = "the file you uploaded" if upload else "your e-mail"
    again = "upload it again" if upload else "send it again"
    lines = ["Hello,", ""]
    reference = f"Our reference: {submission.reference}"
    if submission.status == "refused":
        lines += [
            f"We received {what}, but we could not take in what you sent. {reference}.",
            "",
            "Why: " + str(submission.reason or "the file could not be read"),
            "",
            f"Please fix this and {again}. If you need help, reply to this e-mail and "
            "quote the reference.",
        ]
    else:
        problems = json.loads(submission.problems or "[]")
        lines += [f"We have received your {title}. {reference}."]
        if problems:
            lines += [
                "",
                "Some answers are missing or need correcting. The hub will look at your "
                "request, but it may be delayed until these are fixed:",
                "",
            ]
            for problem in problems[:MAX_LISTED]:
                lines.append(f"- {problem['where']}: {problem['message']}")
            if len(problems) > MAX_LISTED:
                lines.append(f"- and {len(problems) - MAX_LISTED} more")
            lines += [
                "",
                f"Fill these in on the same form, save it and {again}, quoting the reference.",
            ]
        else:
            lines += ["", f"{hub} will look at it and tell you what will happen next."]
    lines += [
        "",
        "If you think a child is at risk of significant harm, do not wait: call children's "
        "social care now.",
        "",
        hub,
        "",
        "This is an automatic reply. Do not send personal details about the family by "
        "unsecured e-mail.",
    ]
    phone = profile_phone(formset)
    if phone:
        lines.insert(-4, f"Children's social care: {phone}")
    return "\n".join(lines) + "\n"


def profile_phone(formset: FormSet) -> str | None:
    phone = formset.profile.contact.get("social_care_phone")
    return str(phone) if phone else None

"""The one hierarchy of errors ehdocs raises on purpose; each carries a message for a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class EhdocsError(Exception):
    """Base of every error that is reported to a user as a message, never a traceback."""

    exit_code = 1


# -- configuration --------------------------------------------------------------------------


class ConfigError(EhdocsError):
    """The service's settings (EHDOCS_*, DATABASE_URL) are missing, unsafe or malformed."""

    exit_code = 2


class MailConfigError(ConfigError):
    """The settings for sending replies to senders are incomplete or malformed."""


# -- schemas, profiles and case files -------------------------------------------------------


@dataclass(frozen=True)
class SchemaProblem:
    """One mistake in a schema or profile file, with where it is."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class SchemaError(EhdocsError):
    """Form schemas or a council profile are wrong; holds every problem found."""

    exit_code = 3

    def __init__(self, problems: list[SchemaProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ProfileNotFoundError(EhdocsError):
    """A named council profile does not exist."""

    exit_code = 3


class CaseFileError(EhdocsError):
    """A case file cannot be read at all: missing, empty, not JSON, not a case."""

    exit_code = 4


class UnknownDocumentError(EhdocsError):
    """A command named a document that the active profile does not define."""

    exit_code = 2


# -- stored cases ---------------------------------------------------------------------------


class DiagramError(EhdocsError):
    """A diagram came out as something no viewer can draw: a fault of ehdocs, never shown as its
    text alternative in the picture's place."""

    exit_code = 70


class TemplateProblem(EhdocsError):
    """A document template (ours or a council's override) cannot be used: which file, where and
    what is wrong. `ehdocs templates check` lists every such problem at once."""


class RenderTooLarge(EhdocsError):
    """Producing a document or pack passed its time limit (EHDOCS_RENDER_TIMEOUT) or memory cap
    (EHDOCS_RENDER_MEMORY_MB): it was stopped, and nothing of it kept. The web answers 503."""

    exit_code = 8
    http_status = 503


class NotFoundError(EhdocsError):
    """There is no stored case with this id or reference."""


class ConflictError(EhdocsError):
    """Someone else saved the case after this page was opened."""


class RestrictedError(ConflictError):
    """The case is restricted by the data protection officer (ehdocs.storage.restrictions):
    it can be read but not changed, by any way in. A ConflictError, so every page that shows a
    refused save shows this one too, what was typed kept."""

    exit_code = 9
    http_status = 409

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"This case is restricted by the data protection officer: {reason.rstrip(' .')}; it "
            "can be read but not changed"
        )
        self.reason = reason


class AlreadySavedError(EhdocsError):
    """A new-record form sent again (Back, then Save): its record was made the first time."""

    def __init__(self, record_id: str) -> None:
        super().__init__(f"This form was already saved, as record {record_id}")
        self.record_id = record_id


class InvalidCaseError(EhdocsError):
    """A case was refused by validation: nothing was stored. `problems` are the
    ehdocs.validation.Problem instances (this module sits below every package, so it names
    none of their types)."""

    def __init__(self, problems: list[Any]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


# -- what partners send the hub -------------------------------------------------------------


class SourceError(EhdocsError):
    """A place to take submissions from cannot be read: a missing path, a mailbox that refuses
    the login or is away, an address to listen on that is taken."""

    exit_code = 6


class SubmissionError(EhdocsError):
    """What was sent cannot go into the case chosen: a second copy of a document a case has only
    one of, or a copy that holds no document."""


# -- the audit trail --------------------------------------------------------------------------


class AttachmentError(EhdocsError):
    """A file that cannot be attached to a case record, with what to do instead."""

    http_status = 400


class AuditError(EhdocsError):
    """An audit entry could not be written (or was refused, e.g. a detail long enough to hold
    case content): what it would have recorded must not happen either."""

    exit_code = 7


# -- partners without an account ------------------------------------------------------------


class LinkRefused(EhdocsError):
    """A sign-in link that cannot be used: `reason` is "used", "expired" or "invalid"."""

    MESSAGES = {
        "used": "This link has already been used",
        "expired": "This link has expired: ask for a new one",
        "invalid": "This link is not valid",
    }

    def __init__(self, reason: str, email: str | None = None) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason
        self.email = email


class ShareRefused(EhdocsError):
    """A shared copy's link or code that cannot be used: `reason` says why, in words for the
    person who opened it (never whether a case exists or what it is)."""

    MESSAGES = {
        "invalid": "This link is not valid. Check you copied all of it from the e-mail",
        "revoked": "This link has been withdrawn by the person who sent it. Ask them for a new one",
        "expired": "This link has expired. Ask the person who sent it for a new one",
        "used_up": "This link has been used as many times as it allows. Ask the person who sent "
        "it for a new one",
        "locked": "This link is locked after too many wrong codes. Ask the person who sent it "
        "for a new one",
        "too_many_codes": "Too many codes have been sent for this link. Ask the person who sent "
        "it for a new one",
        "wrong_code": "The code is not right. Check the latest e-mail with a code and try again",
        "code_expired": "The code has expired. Ask for a new code",
    }

    def __init__(self, reason: str) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason


class TooManyLinks(EhdocsError):
    """More links asked for, from one address or one computer, than the limits allow."""


# -- single sign-on -----------------------------------------------------------------------


class SignInRefused(EhdocsError):
    """Single sign-on gave no usable account. `reason` goes to the audit trail and never holds
    personal data; `actor` is who tried, when the provider told us."""

    status = 403
    message = "Your account is not set up for this service: ask your administrator."

    def __init__(self, reason: str, actor: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.actor = actor


class NotSetUp(SignInRefused):
    """The person's groups give no role here (or their e-mail belongs to another account)."""


class AccountDisabled(SignInRefused):
    message = "Your account has been disabled: ask your administrator."


class ProviderAnswerRefused(SignInRefused):
    """The answer from the identity provider failed a check (state, code, id_token)."""

    status = 400
    message = "We could not check your sign-in with your council account. Try again."


class ProviderUnavailable(SignInRefused):
    status = 503
    message = "Your council's sign-in service is not answering. Try again in a few minutes."


# -- accounts ---------------------------------------------------------------------------------


class AccountError(EhdocsError):
    """An account cannot be made or changed as asked: an address already used, no such
    account, an unknown role, a password the policy refuses, a demo account in production."""

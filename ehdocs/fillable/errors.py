"""Errors about blank and filled forms; each message is for the person who sent the file."""

from __future__ import annotations

from ehdocs.errors import EhdocsError


class FillableFormError(EhdocsError):
    """Base of every problem with a blank or returned fillable form."""

    exit_code = 5


class UnreadableFormError(FillableFormError):
    """The file cannot be read as a form: not a PDF or DOCX, damaged, too big, or refused
    (encrypted, JavaScript, XFA, macros, external links)."""


class UnknownFormError(FillableFormError):
    """The file is a form, but not one of ours, or of a document this profile does not define."""


class FormMismatchError(FillableFormError):
    """The file was made from a different version of the form's definition."""


class UnsupportedSchemaError(FillableFormError):
    """A schema cannot be turned into a fillable form (its ids break the field naming)."""


class MissingFieldsError(FormMismatchError):
    """Answer boxes of the form are gone: the program that saved it removed or renamed them."""


class NoFieldsError(UnknownFormError):
    """A PDF with no answer boxes: printed to PDF, flattened or scanned. `ident` is the form
    identity it still carries (embedded or in its document information), if any; what its
    pages show may still be read (ehdocs.fillable.read_flat)."""

    def __init__(self, message: str, ident: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.ident = ident

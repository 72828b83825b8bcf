"""The one hierarchy of errors ehdocs raises on purpose; each carries a message for a person."""

from __future__ import annotations

from dataclasses import dataclass


class EhdocsError(Exception):
    """Base of every error that is reported to a user as a message, never a traceback."""

    exit_code = 1


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

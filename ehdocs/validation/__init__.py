"""One validation path for every way in: raw data to case data, or problems as data."""

from ehdocs.validation.case import (
    ValidationResult,
    document_label,
    dump_case,
    records_asked_for,
    validate_case,
)
from ehdocs.validation.problems import Problem

__all__ = [
    "Problem",
    "ValidationResult",
    "document_label",
    "dump_case",
    "records_asked_for",
    "validate_case",
]

"""One validation path for every way in: raw data to case data, or problems as data."""

from ehdocs.validation.case import ValidationResult, validate_case
from ehdocs.validation.problems import Problem

__all__ = ["Problem", "ValidationResult", "validate_case"]

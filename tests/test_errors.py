"""The one hierarchy of errors (ehdocs.errors, as pypdf's errors.py): every error ehdocs raises
for a person to read is defined there (fillable's form errors are a branch of it), with the
exit code the CLI gives for it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import ehdocs
from ehdocs import errors
from ehdocs.fillable import errors as fillable_errors

ERROR_MODULES = {errors.__name__, fillable_errors.__name__}


def _modules() -> list[str]:
    found = []
    for info in pkgutil.walk_packages(ehdocs.__path__, prefix="ehdocs."):
        if ".migrations" not in info.name:  # Alembic scripts run only inside a migration
            found.append(info.name)
    return found


def test_every_ehdocs_error_is_defined_in_the_hierarchy() -> None:
    elsewhere = []
    for name in _modules():
        module = importlib.import_module(name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, errors.EhdocsError) and value.__module__ not in ERROR_MODULES:
                elsewhere.append(f"{value.__module__}.{value.__qualname__}")
    assert not elsewhere, f"define these in ehdocs/errors.py: {sorted(set(elsewhere))}"


@pytest.mark.parametrize(
    ("error", "exit_code"),
    [
        (errors.ConfigError, 2),
        (errors.MailConfigError, 2),
        (errors.SourceError, 6),
        (errors.NotFoundError, 1),
        (errors.ConflictError, 1),
        (errors.SubmissionError, 1),
        (errors.AuditError, 7),
        (errors.RenderTooLarge, 8),
    ],
)
def test_exit_codes(error: type[errors.EhdocsError], exit_code: int) -> None:
    assert issubclass(error, errors.EhdocsError)
    assert error.exit_code == exit_code


def test_bad_mail_settings_are_bad_settings() -> None:
    assert issubclass(errors.MailConfigError, errors.ConfigError)


def test_an_invalid_case_names_its_first_problems() -> None:
    problems = [f"problem {n}" for n in range(7)]
    error = errors.InvalidCaseError(problems)
    assert error.problems == problems
    assert str(error) == "; ".join(problems[:5])

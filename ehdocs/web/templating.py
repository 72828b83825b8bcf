"""Undefined template variables: strict in our templates, forgiving in GOV.UK Frontend's macros.

A missing variable in one of our pages must fail a test, not print a blank (STYLE.md), so our
templates get StrictUndefined's behaviour. GOV.UK Frontend's Jinja port tests optional
parameters by their truth (`{% if params.classes %}`), which StrictUndefined refuses, so a value
those macros look up and do not find stays a forgiving ChainableUndefined. Which one a value is
depends on the template that looked it up.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import FrameType
from typing import Any

import govuk_frontend_jinja
import jinja2
from jinja2.runtime import Macro

_JINJA = str(Path(jinja2.__file__).parent)
_FORGIVING = str(Path(govuk_frontend_jinja.__file__).parent)


def _looked_up_by_govuk_frontend() -> bool:
    """Whether the template code that asked for the missing value is GOV.UK Frontend's."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_JINJA):
            # A macro's own missing arguments (its `caller`) belong to the macro's template.
            macro = frame.f_locals.get("self")
            if isinstance(macro, Macro):
                return macro._func.__code__.co_filename.startswith(_FORGIVING)
        elif filename != __file__:
            return filename.startswith(_FORGIVING)  # the first template (or Python) frame
        frame = frame.f_back
    return False


class StrictInOurTemplates(jinja2.ChainableUndefined):
    """StrictUndefined for values our templates look up; ChainableUndefined for GOV.UK's."""

    __slots__ = ("_forgiving",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._forgiving = _looked_up_by_govuk_frontend()
        super().__init__(*args, **kwargs)

    def _check(self) -> None:
        if not self._forgiving:
            self._fail_with_undefined_error()

    def __str__(self) -> str:
        self._check()
        return super().__str__()

    def __bool__(self) -> bool:
        self._check()
        return super().__bool__()

    def __iter__(self) -> Any:
        self._check()
        return super().__iter__()

    def __len__(self) -> int:
        self._check()
        return super().__len__()

    def __contains__(self, item: Any) -> bool:
        self._check()
        return False

    def __eq__(self, other: Any) -> bool:
        self._check()
        return super().__eq__(other)

    def __ne__(self, other: Any) -> bool:
        self._check()
        return super().__ne__(other)

    def __hash__(self) -> int:
        self._check()
        return super().__hash__()

    def __getattr__(self, name: str) -> Any:
        if name[:2] == "__" or name == "_forgiving":
            raise AttributeError(name)
        self._check()
        return super().__getattr__(name)

    def __getitem__(self, name: str) -> Any:
        self._check()
        return super().__getitem__(name)

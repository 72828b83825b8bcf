"""Read YAML keeping line and column of every key and item, so mistakes point at their place."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from ehdocs.errors import SchemaError, SchemaProblem


def read_yaml(path: Path, display: str) -> Any:
    """Parse one YAML file; a syntax error becomes a SchemaError at its position."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SchemaError([SchemaProblem(display, 1, 1, "file not found")]) from None
    except UnicodeDecodeError:
        raise SchemaError([SchemaProblem(display, 1, 1, "file is not UTF-8 text")]) from None
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = (exc.problem or exc.context or "invalid YAML").strip()
        raise SchemaError([SchemaProblem(display, line, col, f"YAML syntax: {what}")]) from None
    if data is None:
        raise SchemaError([SchemaProblem(display, 1, 1, "file is empty (expected a mapping)")])
    return data


@dataclass
class Reporter:
    """Collects problems while a file is checked, so one run reports all of them."""

    problems: list[SchemaProblem] = field(default_factory=list)

    def at(self, where: Where, message: str) -> None:
        self.problems.append(SchemaProblem(where.file, where.line, where.column, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SchemaError(self.problems)


@dataclass(frozen=True)
class Where:
    """A place in a YAML file."""

    file: str
    line: int
    column: int

    @staticmethod
    def of(file: str, node: Any, key: str | int | None = None, value: bool = False) -> Where:
        """Position of a mapping key (or its value), a sequence item, or the node itself."""
        lc = getattr(node, "lc", None)
        try:
            if lc is not None and key is not None:
                if isinstance(node, CommentedSeq):
                    line, col = lc.item(key)
                elif value:
                    line, col = lc.value(key)
                else:
                    line, col = lc.key(key)
                return Where(file, line + 1, col + 1)
            if lc is not None:
                return Where(file, lc.line + 1, lc.col + 1)
        except (KeyError, IndexError, TypeError):
            pass
        return Where(file, 1, 1)


def is_map(node: Any) -> bool:
    return isinstance(node, CommentedMap | dict)


def is_seq(node: Any) -> bool:
    return isinstance(node, CommentedSeq | list)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def type_name(value: Any) -> str:
    if is_map(value):
        return "a mapping"
    if is_seq(value):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "nothing"
    return "text"


class Display:
    """File names in messages: relative to the working directory where that is shorter."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def __call__(self, path: Path) -> str:
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)

"""Validation problems as data: which document, which field path, and a message for a person."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    document: str | None  # "notification", "review r2"… or None for the case itself
    path: str  # field path inside the document, or inside the case
    message: str

    def __str__(self) -> str:
        where = f"{self.document}: " if self.document else ""
        return f"{where}{self.path or '(case)'}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "path": self.path, "message": self.message}


def flatten(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested {field: {0: {sub: [msg]}}} to [(path, msg)]: path like a[0].b."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                out.extend(flatten(value, prefix))
                continue
            path = (
                f"{prefix}[{key}]"
                if isinstance(key, int)
                else (f"{prefix}.{key}" if prefix else str(key))
            )
            for sub_path, msg in flatten(value, path):
                out.append((sub_path, _plain_english(msg, str(key))))
    elif isinstance(messages, list | tuple):
        for item in messages:
            out.extend(flatten(item, prefix))
    else:
        out.append((prefix, str(messages)))
    return out


def _plain_english(message: str, key: str) -> str:
    # marshmallow's own words, where our field classes did not already give better ones.
    if message == "Unknown field.":
        return f"'{key}' is not a known field here: check the spelling, or remove it"
    if message == "Missing data for required field.":
        return f"'{key}' is missing: add it"
    if message in ("Invalid input type.", "Invalid type."):
        return "This must be a set of answers (a JSON object), not a single value"
    if message == "Not a valid list.":
        return "This must be a list"
    return message

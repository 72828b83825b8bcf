"""Form field names from schema paths, and back.

A PDF field name may not contain "." (PDF's hierarchy separator), so the parts of a path are
joined with "__":

    referrer.date                   ->  referrer__date
    children.children[0].child      ->  children__children__0__child
    reason.presenting_needs, option "domestic_abuse"
                                    ->  reason__presenting_needs__domestic_abuse

Ids are `[a-z][a-z0-9_]*`, so a name splits back unambiguously as long as no id contains
"__" or ends in "_"; the field map checks every name it makes round-trips (`parse_name`) and
refuses a schema that breaks this rather than guessing. DOCX content controls use the same names
as their tags.
"""

from __future__ import annotations

import re

SEPARATOR = "__"
_ROW = re.compile(r"\[(\d+)\]")
_PATH_PART = re.compile(r"^([a-z][a-z0-9_]*)(?:\[(\d+)\])?$")


def field_name(path: str, option: str | None = None) -> str:
    """The field name of a path (with row indexes), and of one option of it if given."""
    parts: list[str] = []
    for part in path.split("."):
        match = _PATH_PART.match(part)
        if match is None:
            raise ValueError(f"not a field path: {path!r}")
        parts.append(match.group(1))
        if match.group(2) is not None:
            parts.append(match.group(2))
    if option is not None:
        parts.append(option)
    return SEPARATOR.join(parts)


def parse_name(name: str) -> tuple[str, str | None]:
    """(path, option segment or None) of a field name; ValueError if it is not one of ours."""
    parts = name.split(SEPARATOR)
    if len(parts) < 2 or not all(parts):
        raise ValueError(f"not an ehdocs field name: {name!r}")
    path = f"{parts[0]}.{parts[1]}"
    i = 2
    while i + 1 < len(parts) and parts[i].isdigit():
        path += f"[{int(parts[i])}].{parts[i + 1]}"
        i += 2
    rest = parts[i:]
    if len(rest) > 1:
        raise ValueError(f"not an ehdocs field name: {name!r}")
    for part in path.split("."):
        if _PATH_PART.match(part) is None:
            raise ValueError(f"not an ehdocs field name: {name!r}")
    return path, (rest[0] if rest else None)


def row_path(path: str) -> str:
    """A path without its row indexes: the field definition's path."""
    return _ROW.sub("", path)

"""Check YAML mappings against small key specs, reporting each mistake at its line and column."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from ehdocs.schema.yamlsrc import Reporter, Where, did_you_mean, is_map, type_name

ID = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}
TEXT = {"type": "string", "minLength": 1}
BOOL = {"type": "boolean"}
PATH = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"}
ANY: dict[str, Any] = {}


@dataclass(frozen=True)
class Key:
    schema: Mapping[str, Any]
    required: bool = False


def describe(schema: Mapping[str, Any]) -> str:
    """Say in words what a small JSON Schema expects."""
    if "enum" in schema:
        return "one of: " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "boolean":
        return "true or false"
    if kind == "integer":
        low = schema.get("minimum")
        return "a whole number" + (f" of at least {low}" if low is not None else "")
    if kind == "number":
        return "a number"
    if kind == "string" and schema is ID:
        return "an id of lower-case letters, digits and _, starting with a letter"
    if kind == "string" and schema is PATH:
        return "a field path such as section.field"
    if kind == "string":
        return "text"
    if kind == "array":
        return "a list"
    if kind == "object":
        return "a mapping"
    return "a valid value"


def check_value(value: Any, schema: Mapping[str, Any]) -> bool:
    return not any(Draft202012Validator(schema).iter_errors(value))


def check_mapping(
    node: Any,
    file: str,
    spec: Mapping[str, Key],
    rep: Reporter,
    what: str,
    where: Where | None = None,
) -> bool:
    """Report unknown keys, missing required keys and values of the wrong kind. True if clean."""
    if not is_map(node):
        place = where or Where.of(file, node)
        rep.at(place, f"{what} must be a mapping of keys (got {type_name(node)})")
        return False
    before = len(rep.problems)
    for key in node:
        if key not in spec:
            rep.at(
                Where.of(file, node, key),
                f"unknown key '{key}' in {what}{did_you_mean(str(key), spec)}"
                f" (expected one of: {', '.join(spec)})",
            )
            continue
        schema = spec[key].schema
        if schema and not check_value(node[key], schema):
            rep.at(
                Where.of(file, node, key, value=True),
                f"'{key}' must be {describe(schema)} (got {_shown(node[key])})",
            )
    for key, rule in spec.items():
        if rule.required and key not in node:
            rep.at(where or Where.of(file, node), f"{what} is missing '{key}'")
    return len(rep.problems) == before


def _shown(value: Any) -> str:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return repr(value) if len(str(value)) < 40 else type_name(value)
    return type_name(value)

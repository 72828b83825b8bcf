"""Conditions in schemas (visible_if, required_if, rules): parsed once, evaluated on case data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Resolves a condition's field path to the current value (None when unanswered).
Lookup = Callable[[str], Any]


@dataclass(frozen=True)
class Condition:
    op: str  # equals | in | answered | all | any | not
    field: str | None = None
    values: tuple[Any, ...] = ()
    parts: tuple[Condition, ...] = ()

    def holds(self, lookup: Lookup) -> bool:
        if self.op == "all":
            return all(p.holds(lookup) for p in self.parts)
        if self.op == "any":
            return any(p.holds(lookup) for p in self.parts)
        if self.op == "not":
            return not self.parts[0].holds(lookup)
        assert self.field is not None
        value = lookup(self.field)
        if self.op == "answered":
            return is_answered(value) == bool(self.values[0])
        if isinstance(value, list):  # a multiple choice answer matches if any choice does
            return any(v in self.values for v in value)
        return value in self.values

    def field_paths(self) -> list[str]:
        if self.field is not None:
            return [self.field]
        return [p for part in self.parts for p in part.field_paths()]


def is_answered(value: Any) -> bool:
    return value not in (None, "", [], {})


def parse_condition(node: Any, report: Callable[[str], None]) -> Condition | None:
    """Build a Condition from its YAML mapping; report() gets a message for each mistake."""
    if not isinstance(node, dict):
        report('a condition must be a mapping such as {field: section.field, equals: "yes"}')
        return None
    keys = set(node)
    for op in ("all", "any"):
        if keys == {op}:
            if not isinstance(node[op], list) or not node[op]:
                report(f"'{op}' takes a list of conditions")
                return None
            parts = [parse_condition(p, report) for p in node[op]]
            if any(p is None for p in parts):
                return None
            return Condition(op, parts=tuple(p for p in parts if p is not None))
    if keys == {"not"}:
        inner = parse_condition(node["not"], report)
        return Condition("not", parts=(inner,)) if inner else None
    if "field" not in keys or not isinstance(node["field"], str):
        report("a condition needs 'field' (the path of the field it tests)")
        return None
    tests = keys - {"field"}
    if len(tests) != 1 or not tests <= {"equals", "in", "answered"}:
        report("a condition needs exactly one of 'equals', 'in' or 'answered' beside 'field'")
        return None
    (test,) = tests
    value = node[test]
    if test == "in":
        if not isinstance(value, list) or not value:
            report("'in' takes a list of values")
            return None
        return Condition("in", node["field"], tuple(_norm(v) for v in value))
    if test == "answered":
        if not isinstance(value, bool):
            report("'answered' takes true or false")
            return None
        return Condition("answered", node["field"], (value,))
    return Condition("in", node["field"], (_norm(value),))


def _norm(value: Any) -> Any:
    # YAML 1.2 keeps yes/no as strings, but a bare true/false would never match stored "yes"/"no".
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value

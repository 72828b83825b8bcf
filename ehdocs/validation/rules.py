"""Rules that need more than one field: visibility, requirement, limits, date order, document rules.

They run on typed values (after each field's own type check). Completing a document checks
everything here; every save of a draft checks the upper limits (too long, too many rows, a
date of something that happened after today), so nothing over a limit is ever stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ehdocs.fields import field_type
from ehdocs.schema.conditions import Lookup, is_answered
from ehdocs.schema.model import AUDIENCES, FieldDef, FormDefinition, Stop

Rows = Mapping[str, Mapping[str, Any]]  # group path -> the row being checked


def lookup_in(
    data: Mapping[str, Any],
    rows: Rows,
    field_at: Callable[[str], FieldDef | None] | None = None,
) -> Lookup:
    """Resolve `section.field` (or `section.group.field` within the current row) to a value.

    With `field_at`, a field hidden by its own condition reads as unanswered: a value left
    behind in a hidden field must not drive other conditions.
    """
    resolving: set[str] = set()

    def raw(path: str) -> Any:
        group, _, field = path.rpartition(".")
        if group in rows:
            return rows[group].get(field)
        node: Any = data
        for part in path.split("."):
            if not isinstance(node, Mapping):
                return None
            node = node.get(part)
        return node

    def lookup(path: str) -> Any:
        value = raw(path)
        fdef = field_at(path) if field_at and value is not None else None
        if fdef is None or fdef.visible_if is None or path in resolving:
            return value
        resolving.add(path)  # a condition that refers back to itself cannot loop
        try:
            return value if fdef.visible_if.holds(lookup) else None
        finally:
            resolving.discard(path)

    return lookup


def visible(field: FieldDef, lookup: Lookup) -> bool:
    return field.visible_if is None or field.visible_if.holds(lookup)


def check_fields(
    fields: tuple[FieldDef, ...],
    container: Mapping[str, Any],
    data: Mapping[str, Any],
    prefix: str,
    field_at: Callable[[str], FieldDef | None],
    rows: Rows | None = None,
    draft: bool = False,
) -> Iterator[tuple[str, str]]:
    """(path, message) for every rule broken by the answers in `container` (`draft`: only
    the upper limits, too long or too many rows)."""
    rows = rows or {}
    lookup = lookup_in(data, rows, field_at)
    for field in fields:
        if not visible(field, lookup):
            continue
        ftype = field_type(field.type)
        value = container.get(field.id)
        path = f"{prefix}.{field.id}" if prefix else field.id
        if not is_answered(value):
            needed = field.required or (field.required_if and field.required_if.holds(lookup))
            if needed and not draft:
                yield path, ftype.message(field, "required")
            continue
        for message in ftype.ceilings(value, field) if draft else ftype.limits(value, field):
            yield path, message
        if ftype.is_group:
            for i, row in enumerate(value or []):
                yield from check_fields(
                    field.fields,
                    row,
                    data,
                    f"{path}[{i}]",
                    field_at,
                    {**rows, field.path: row},
                    draft,
                )
            continue
        if not draft:
            yield from _date_order(field, value, lookup, path, field_at)


def _date_order(
    field: FieldDef,
    value: Any,
    lookup: Lookup,
    path: str,
    field_at: Callable[[str], FieldDef | None],
) -> Iterator[tuple[str, str]]:
    ftype = field_type(field.type)
    for key, broken in (("on_or_after", lambda a, b: a < b), ("on_or_before", lambda a, b: a > b)):
        other_path = field.param(key)
        if not other_path:
            continue
        other = lookup(other_path)
        if other is not None and broken(value, other):
            other_field = field_at(other_path)
            name = other_field.name_for_errors if other_field else other_path
            yield path, ftype.message(field, key, other=name)


def left_empty(
    form: FormDefinition, section_id: str, data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(path, message) for each list on a section that must have a row and has none (the
    children of a notification): said when the section is saved, not only at completion."""
    answers = data.get(section_id) or {}
    lookup = lookup_in(data, {}, form.field_at)
    section = next(s for s in form.sections if s.id == section_id)
    problems = []
    for field in section.fields:
        ftype = field_type(field.type)
        if not ftype.is_group or not visible(field, lookup) or is_answered(answers.get(field.id)):
            continue
        if field.required or (field.required_if and field.required_if.holds(lookup)):
            problems.append((field.path, ftype.message(field, "required")))
    return problems


def check_draft(form: FormDefinition, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The upper limits of what a draft shows, checked at every save."""
    problems: list[tuple[str, str]] = []
    for section in form.sections:
        answers = data.get(section.id) or {}
        problems.extend(
            check_fields(section.fields, answers, data, section.id, form.field_at, draft=True)
        )
    return problems


def check_document(
    form: FormDefinition, data: Mapping[str, Any], completed_by: str = "professional"
) -> list[tuple[str, str]]:
    """Every field rule and document rule, for completing a document.

    `completed_by` is the audience completing it: a section for a wider audience (the hub's
    own section, when a practitioner completes a notification) is checked only once something
    in it is answered, because that audience completes it later.
    """
    problems: list[tuple[str, str]] = []
    for section in form.sections:
        answers = data.get(section.id) or {}
        later = AUDIENCES.index(section.audience) > AUDIENCES.index(completed_by)
        if later and not any(is_answered(v) for v in answers.values()):
            continue
        problems.extend(check_fields(section.fields, answers, data, section.id, form.field_at))
    lookup = lookup_in(data, {}, form.field_at)
    for rule in form.rules:
        if (rule.when is None or rule.when.holds(lookup)) and not rule.require.holds(lookup):
            problems.append((rule.path, rule.message))
    stop = stop_for(form, data)
    if stop is not None:
        problems.append((stop.path, f"{stop.title}. {stop.text}"))
    return problems


def stop_for(
    form: FormDefinition, data: Mapping[str, Any], section_id: str | None = None
) -> Stop | None:
    """The first of the form's stops that the answers in `data` trigger (only those asked on
    the section `section_id`, if named): the document must not go on."""
    lookup = lookup_in(data, {}, form.field_at)
    for stop in form.stops:
        if section_id is not None and stop.path.split(".")[0] != section_id:
            continue
        if stop.when.holds(lookup):
            return stop
    return None

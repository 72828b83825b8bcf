"""Tiny field definitions for testing the field types directly, one feature at a time."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from ehdocs.fields import FieldType, Invalid, field_type
from ehdocs.schema.model import FieldDef, Option


def fdef(
    type_name: str,
    label: str = "Answer",
    *,
    options: tuple[Option, ...] = (),
    messages: dict[str, str] | None = None,
    fields: tuple[FieldDef, ...] = (),
    **params: Any,
) -> FieldDef:
    return FieldDef(
        id="answer",
        type=type_name,
        label=label,
        path="section.answer",
        options=options,
        messages=MappingProxyType(messages or {}),
        params=MappingProxyType(params),
        fields=fields,
    )


def parse(field: FieldDef, raw: Any) -> Any:
    return field_type(field.type).parse(raw, field)


def refused(field: FieldDef, raw: Any) -> str:
    """The message a raw value is refused with (fails the test if it is accepted)."""
    try:
        value = parse(field, raw)
    except Invalid as error:
        return str(error)
    raise AssertionError(f"{raw!r} was accepted as {value!r}")


def limits(field: FieldDef, value: Any) -> list[str]:
    return field_type(field.type).limits(value, field)


def ftype(field: FieldDef) -> FieldType:
    return field_type(field.type)


class Names:
    """A DisplayContext with two people and a professional."""

    def __init__(self, family: bool = False) -> None:
        self.family = family

    def person_name(self, person_id: str) -> str:
        return {"c1": "Riley Hancock", "a1": "Sam Hancock"}.get(person_id, person_id)

    def professional_name(self, professional_id: str) -> str:
        return {"pr1": "Dana Patel (school nurse)"}.get(professional_id, professional_id)


def display(field: FieldDef, value: Any, family: bool = False) -> str:
    return ftype(field).display(value, field, Names(family))

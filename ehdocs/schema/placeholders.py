"""The one place the definitions' texts take the council's values.

A text in the definitions may name a profile value: `{contact.social_care_phone}`,
`{profile.name}`. `fill` replaces them; `fill_forms` runs it over every text a reader sees
(notices, titles, descriptions, labels, hints, option labels, messages, event texts, stops)
once, when the FormSet is loaded for a council, so every face (section pages, check pages,
PDFs, fillable forms, e-mails) shows the same filled text and none can forget to. A value the
profile does not give reads as a plain phrase (FALLBACK), never as the raw placeholder;
`missing` names them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from ehdocs.schema.model import FormDefinition, Profile, RecordDef

PLACEHOLDER = re.compile(r"\{(contact|profile)\.(\w+)\}")
# The texts a reader sees, by attribute name, on forms, sections, fields, options, events, rules.
TEXT_ATTRS = (
    "title",
    "family_title",
    "notice",
    "description",
    "label",
    "family_label",
    "hint",
    "error_name",
    "text",
    "family_text",
    "message",
)
# Attributes holding further definitions whose texts are filled too.
NESTED_ATTRS = ("sections", "fields", "options", "events", "rules", "stops")
# What a text says when the default (no profile folder) council has no such value.
FALLBACK = {
    "social_care_phone": "your council's children's social care number",
    "out_of_hours_phone": "your council's out of hours number",
    "hub_phone": "your council's early help number",
    "hub_email": "your council's early help e-mail address",
    "hub_name": "the Early Help Hub",
}

T = TypeVar("T")


def _value(profile: Profile, kind: str, key: str) -> str | None:
    if kind == "profile":
        value = getattr(profile, key, None)
        return value if isinstance(value, str) else None
    return profile.contact.get(key)


def fill(text: str, profile: Profile) -> str:
    """`text` with every `{contact.…}` / `{profile.…}` replaced by the profile's value."""

    def value(match: re.Match[str]) -> str:
        kind, key = match.groups()
        found = _value(profile, kind, key)
        if found is not None:
            return str(found)
        return FALLBACK.get(key, match.group(0))

    return PLACEHOLDER.sub(value, text)


def missing(texts: Iterable[str], profile: Profile) -> list[str]:
    """The placeholders used in `texts` that the profile gives no value for, e.g. 'contact.x'."""
    names: dict[str, None] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text):
            if _value(profile, *match.groups()) is None:
                names[f"{match.group(1)}.{match.group(2)}"] = None
    return list(names)


def texts_of(node: Any) -> Iterable[str]:
    """Every reader-facing text in a definition and the definitions inside it."""
    for attr in TEXT_ATTRS:
        value = getattr(node, attr, None)
        if isinstance(value, str):
            yield value
    messages = getattr(node, "messages", None)
    if isinstance(messages, Mapping):
        yield from (v for v in messages.values() if isinstance(v, str))
    for attr in NESTED_ATTRS:
        for child in getattr(node, attr, ()) or ():
            yield from texts_of(child)


def _fill_node(node: T, profile: Profile) -> T:
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    names = {f.name for f in dataclasses.fields(node)}
    changes: dict[str, Any] = {}
    for attr in TEXT_ATTRS:
        value = getattr(node, attr, None) if attr in names else None
        if isinstance(value, str) and "{" in value:
            changes[attr] = fill(value, profile)
    messages = getattr(node, "messages", None) if "messages" in names else None
    if isinstance(messages, Mapping) and any("{" in str(v) for v in messages.values()):
        changes["messages"] = MappingProxyType(
            {k: fill(v, profile) if isinstance(v, str) else v for k, v in messages.items()}
        )
    for attr in NESTED_ATTRS:
        children = getattr(node, attr, None) if attr in names else None
        if isinstance(children, tuple) and children:
            filled = tuple(_fill_node(child, profile) for child in children)
            if any(a is not b for a, b in zip(filled, children, strict=True)):
                changes[attr] = filled
    return dataclasses.replace(node, **changes) if changes else node


def fill_forms(forms: Mapping[str, FormDefinition], profile: Profile) -> dict[str, FormDefinition]:
    return {name: _fill_node(form, profile) for name, form in forms.items()}


def fill_records(records: Mapping[str, RecordDef], profile: Profile) -> dict[str, RecordDef]:
    return {name: _fill_node(record, profile) for name, record in records.items()}

"""The field map of a blank form: every form field, by name, with the schema path it fills.

Built from the same definitions as every other face of a document. A blank PDF or DOCX carries
the map's SHA-256 digest, so a returned file is read with exactly the definition it was made
from: any change to what the fields are or mean (a field added, an option renamed, a version
bump) changes the digest.

A single child written by name (a `person` field with role `child`, not `multiple`) has a
second entry on the same path, the date of birth box (`…__child__date_of_birth`), so the hub
can match the child to a case.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from ehdocs.fields import FieldType, field_type, row_label
from ehdocs.fillable.errors import UnsupportedSchemaError
from ehdocs.fillable.names import field_name, parse_name
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet, SectionDef
from ehdocs.schema.versions import definition

FORMATS = ("pdf", "docx")
DEFAULT_BLANK_ROWS = 3
# The box after a single child's name: the hub matches a child by date of birth and name.
DATE_OF_BIRTH = "date_of_birth"  # the option segment of its field name: name__date_of_birth
DATE_OF_BIRTH_TYPE = "person_date_of_birth"  # its entry's type (not a schema field type)

# A radio state is a PDF name: option values that are plain tokens are used as they are.
_STATE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
# An option's part of a checkbox name: plain tokens that keep the name splittable.
_SEGMENT = re.compile(r"^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class Choice:
    """One option of a radio group, drop-down or set of checkboxes."""

    state: str  # PDF: the radio state name or drop-down text; DOCX: the list item's value
    value: str  # the option value in case data
    label: str


@dataclass(frozen=True)
class FieldEntry:
    """One form field (PDF AcroForm field or DOCX content control)."""

    name: str  # the field name, and the DOCX tag
    path: str  # schema path with row indexes: children.children[0].child
    type: str  # the schema field type, or DATE_OF_BIRTH_TYPE for a child's date of birth
    widget: str  # text | multiline | date | checkbox | radio | select
    choices: tuple[Choice, ...] = ()  # radio states or drop-down entries
    value: str | None = None  # a checkbox: the option value it stands for
    label: str = ""  # the accessible name (/TU, the control's title); not part of the digest
    role: str | None = None  # a person question's role (child, adult); for matching names

    def canonical(self) -> list[object]:
        """What the digest covers: everything that decides how a value is read back."""
        return [
            self.name,
            self.path,
            self.type,
            self.widget,
            [[c.state, c.value] for c in self.choices],
            self.value,
        ]

    @property
    def is_date_of_birth(self) -> bool:
        return self.type == DATE_OF_BIRTH_TYPE

    @property
    def field_type(self) -> FieldType:
        """The type of the field it fills (a date of birth box has none: it fills no field)."""
        return field_type(self.type)


@dataclass(frozen=True, eq=False)
class FieldMap:
    """Every field of one document's blank form in one format, in page order."""

    form: str
    version: int
    title: str
    format: str
    entries: tuple[FieldEntry, ...]
    by_name: Mapping[str, FieldEntry] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", MappingProxyType({e.name: e for e in self.entries}))

    def __iter__(self) -> Iterator[FieldEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, name: str) -> FieldEntry:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    @cached_property
    def digest(self) -> str:
        canonical = {
            "format": "ehdocs-field-map",
            "form": self.form,
            "version": self.version,
            "widgets": self.format,
            "fields": [e.canonical() for e in self.entries],
        }
        text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def on_blank_form(audience: str) -> bool:
    """Hub-only sections and fields are filled by the hub, never by the partners."""
    return audience != "hub"


def blank_sections(form: FormDefinition) -> list[SectionDef]:
    return [s for s in form.sections if on_blank_form(s.audience)]


def blank_fields(fields: tuple[FieldDef, ...]) -> list[FieldDef]:
    return [f for f in fields if on_blank_form(f.audience)]


def blank_rows(group: FieldDef) -> int:
    rows = int(group.param("blank_rows", DEFAULT_BLANK_ROWS))
    most = group.param("max_rows")
    return min(rows, int(most)) if most else rows


def field_map(
    formset: FormSet, form_name: str, format: str = "pdf", version: int | None = None
) -> FieldMap:
    """The field map of a document's blank form ("pdf" or "docx" widgets); of an earlier
    `version` of the form (kept in form_schemas/versions/), to read a blank form made then."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    form = definition(formset, form_name, version)
    entries: list[FieldEntry] = []
    for section in blank_sections(form):
        for fdef in blank_fields(section.fields):
            entries.extend(_entries(fdef, f"{section.id}.{fdef.id}", format, ""))
    _check_names(entries, form)
    return FieldMap(form.form, form.version, form.title, format, tuple(entries))


def _entries(fdef: FieldDef, path: str, format: str, prefix: str) -> Iterator[FieldEntry]:
    label = f"{prefix}{fdef.label}"
    ftype = field_type(fdef.type)
    if ftype.is_group:
        for i in range(blank_rows(fdef)):
            row_prefix = f"{prefix}{row_label(fdef, i)}: "
            for child in blank_fields(fdef.fields):
                yield from _entries(child, f"{path}[{i}].{child.id}", format, row_prefix)
        return
    kind = ftype.fill_widget(fdef, format)
    name = field_name(path)
    if kind == "checkboxes":
        choices = options_of(fdef)
        segments = _option_segments(choices)
        for choice, segment in zip(choices, segments, strict=True):
            yield FieldEntry(
                field_name(path, segment),
                path,
                fdef.type,
                "checkbox",
                value=choice.value,
                label=f"{label}: {choice.label}",
            )
    elif kind == "radio":
        yield FieldEntry(name, path, fdef.type, "radio", _radio_choices(fdef), label=label)
    elif kind == "select":
        yield FieldEntry(
            name, path, fdef.type, "select", _select_choices(fdef, format), label=label
        )
    else:
        role = fdef.param("role") if ftype.is_reference else None
        yield FieldEntry(name, path, fdef.type, kind, label=label, role=role)
        if ftype.asks_date_of_birth(fdef):
            yield FieldEntry(
                field_name(path, DATE_OF_BIRTH),
                path,
                DATE_OF_BIRTH_TYPE,
                "date" if format == "docx" else "text",
                label=f"{label}: date of birth",
            )


def options_of(fdef: FieldDef) -> list[Choice]:
    """The options of a choice-like field, with labels as the form shows them."""
    return [Choice(value, value, label) for value, label in field_type(fdef.type).options(fdef)]


def _radio_choices(fdef: FieldDef) -> tuple[Choice, ...]:
    choices = options_of(fdef)
    plain = all(_STATE.match(c.value) and c.value != "Off" for c in choices)
    return tuple(
        Choice(c.value if plain else f"o{i}", c.value, c.label) for i, c in enumerate(choices)
    )


def _select_choices(fdef: FieldDef, format: str) -> tuple[Choice, ...]:
    """PDF drop-downs hold the option labels (their export value is the text shown, so every
    viewer and filler shows a label, never a code); DOCX list items keep value and label.
    Labels are made unique, as the text shown is what comes back."""
    choices = options_of(fdef)
    labels = [c.label for c in choices]
    if len(set(labels)) != len(labels):  # two options read alike: tell them apart
        choices = [Choice(c.state, c.value, f"{c.label} ({c.value})") for c in choices]
    if format == "docx":
        return tuple(choices)
    return tuple(Choice(c.label, c.value, c.label) for c in choices)


def _option_segments(choices: list[Choice]) -> list[str]:
    values = [c.value for c in choices]
    if all(_SEGMENT.match(v) for v in values) and len(set(values)) == len(values):
        return values
    return [str(i) for i in range(len(values))]


def _check_names(entries: list[FieldEntry], form: FormDefinition) -> None:
    seen: set[str] = set()
    for entry in entries:
        path, _ = parse_name(entry.name) if _parses(entry.name) else ("", None)
        if path != entry.path or entry.name in seen:
            raise UnsupportedSchemaError(
                f"The {form.title} cannot be made into a fillable form: the field "
                f"'{entry.path}' does not get a name of its own (ids used in fillable forms "
                "must not contain '__' or end with '_')"
            )
        seen.add(entry.name)


def _parses(name: str) -> bool:
    try:
        parse_name(name)
    except ValueError:
        return False
    return True

"""Filled form values -> the raw document data every other way in produces.

`{"section": {"field": value, "group": [{...}, ...]}}`, as strings and simple shapes that the
one validation path (ehdocs.validation.validate_case) turns into case data:

- text as typed (Windows and Mac line ends become "\\n"); blank answers are left out;
- dates "27/03/2026" become {"day", "month", "year"} (the date parts the validator checks);
  partial dates "03/2019", "2019", "~2019" the same, with "approximate"; anything else is
  passed on as typed, for the validator to explain;
- radio buttons and drop-downs become their option values, checkboxes a list of values, and a
  yes/no asked as two DOCX checkboxes "yes" or "no";
- a group's rows in order, leaving out rows with nothing in them.

Each field type reads its own boxes back (`from_filled`, `from_ticked` in ehdocs.fields).

A blank form has no case, so people and professionals are written as names. They are never put
in the data as ids: each comes back as a NameReference (where it goes, what was written) for
ingestion to match against the case, and `to_raw_document(..., resolve=...)` puts in the ids
a matcher found. A single child's name has a date of birth box after it: what is typed there
goes on the child's NameReference and never into the data (it belongs to the person record).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ehdocs.errors import UnknownDocumentError
from ehdocs.fillable.errors import FormMismatchError, MissingFieldsError, UnknownFormError
from ehdocs.fillable.fieldmap import FieldEntry, FieldMap, field_map
from ehdocs.fillable.filled import FilledForm, RawValue
from ehdocs.schema.migrations import migrate_data, path_in
from ehdocs.schema.model import FormSet
from ehdocs.schema.versions import definition

_ROW = re.compile(r"^(.*?)\[(\d+)\]\.(.+)$")
_NAMES_SPLIT = re.compile(r"\s*(?:\n|;)\s*")


@dataclass(frozen=True)
class NameReference:
    """A person or professional written by name on a blank form, to be matched to the case.

    `date_of_birth` is what was typed in the date of birth box after a single child's name
    (stripped; None when the box was left blank, and for every other question, which has no
    such box): the hub matches a child by the same date of birth and a similar name. It is
    passed on as typed, not checked or parsed here, and it is never put in the raw document
    data: a date of birth belongs to the person record, which the hub creates or matches, not
    to the document."""

    path: str  # where the id goes in the raw document data: children.children[0].child
    field: str  # the form field it was written in
    kind: str  # "person" or "professional"
    role: str | None  # for people: "child" or "adult" when the question asks for one
    multiple: bool  # the question takes several (the names are one per line)
    text: str  # as written
    date_of_birth: str | None = None  # a single child's: as typed in the box after the name

    @property
    def names(self) -> tuple[str, ...]:
        if not self.multiple:
            return (self.text.strip(),)
        return tuple(n for n in _NAMES_SPLIT.split(self.text.strip()) if n)


Resolver = Callable[[NameReference], str | list[str] | None]


def checked_field_map(filled: FilledForm, formset: FormSet) -> FieldMap:
    """The field map the filled form was made from, or a clear error why it cannot be read."""
    try:
        form = formset.form(filled.form)
    except UnknownDocumentError:
        known = ", ".join(f.title for f in formset.forms_in_order())
        raise UnknownFormError(
            f"This form is for a document called '{filled.form}', which this service does not "
            f"use. The documents are: {known}"
        ) from None
    if 0 < filled.version < form.version and _kept(formset, filled):
        # A blank form of an earlier version: read with the map it was made from, then its
        # answers are migrated (to_raw_document).
        fmap = field_map(formset, filled.form, filled.format, filled.version)
    else:
        fmap = field_map(formset, filled.form, filled.format)
    if fmap.version != filled.version:
        newer = "a newer" if filled.version > form.version else "an older"
        raise FormMismatchError(
            f"This {form.title} form is version {filled.version}, {newer} version than the "
            f"one this service uses (version {form.version}). Download a new blank form, "
            "copy the answers into it and send it again"
        )
    if filled.digest != fmap.digest:
        raise FormMismatchError(
            f"This {form.title} form was made from a different definition of the form than "
            "the one this service now uses (its questions or options have changed). Download "
            "a new blank form, copy the answers into it and send it again"
        )
    missing = [e for e in fmap if e.name not in filled.values]
    if missing:
        # Never read a form with answer boxes gone as if they were left empty.
        raise MissingFieldsError(
            f"This {form.title} form has lost {len(missing)} of its {len(fmap)} answer boxes "
            f"(for example ‘{missing[0].label}’): the program used to fill it in changed it. "
            "Fill in a new blank form in Microsoft Word or a PDF reader such as Adobe Acrobat "
            "Reader, and send it again"
        )
    return fmap


def to_raw_document(
    filled: FilledForm, formset: FormSet, resolve: Resolver | None = None
) -> dict[str, Any]:
    """The raw document data of a filled form, for validate_case like any other input.

    `resolve` may turn each NameReference into a case id (or ids); unresolved references are
    left out of the data (see name_references)."""
    data, references = _read(filled, formset)
    if resolve is not None:
        for ref in references:
            found = resolve(ref)
            if found:
                _put(data, ref.path, found)
    return data


def name_references(filled: FilledForm, formset: FormSet) -> list[NameReference]:
    """The people and professionals written by name, with where their ids belong."""
    return _read(filled, formset)[1]


def _kept(formset: FormSet, filled: FilledForm) -> bool:
    try:
        definition(formset, filled.form, filled.version)
    except UnknownDocumentError:
        return False
    return True


def _read(filled: FilledForm, formset: FormSet) -> tuple[dict[str, Any], list[NameReference]]:
    """The answers as the current version of the form holds them: a form of an earlier
    version is read with its own map, then migrated as a draft would be."""
    fmap = checked_field_map(filled, formset)
    data, references = _convert(filled, fmap)
    form = formset.form(filled.form)
    if fmap.version == form.version:
        return data, references
    moved = []
    for ref in references:
        path = path_in(ref.path, form, fmap.version)
        if path is not None:  # a question a later version removed is not matched
            moved.append(replace(ref, path=path))
    return migrate_data(data, form, fmap.version).data, moved


def _convert(filled: FilledForm, fmap: FieldMap) -> tuple[dict[str, Any], list[NameReference]]:
    # Collect by path first: a choices field (and a DOCX yes/no) is several checkboxes.
    answers: dict[str, Any] = {}
    refs: dict[str, tuple[FieldEntry, str]] = {}
    births: dict[str, str] = {}  # a child's date of birth, by the path of the child's name
    for entry in fmap:
        raw = filled.values.get(entry.name)
        if entry.is_date_of_birth:  # for the NameReference, never for the data
            text = _text(raw)
            if text is not None:
                births[entry.path] = text.strip()
            continue
        if entry.widget == "checkbox":
            if raw is True and entry.value is not None:
                answers.setdefault(entry.path, []).append(entry.value)
            continue
        if entry.field_type.is_reference:
            text = _text(raw)
            if text is not None:
                refs[entry.path] = (entry, text)
            continue
        value = _value(entry, raw)
        if value is not None:
            answers[entry.path] = value
    ticked = {e.path: e.field_type for e in fmap if e.widget == "checkbox"}
    for path, ftype in ticked.items():
        if path in answers:
            answers[path] = ftype.from_ticked(answers[path])
    # Rows are numbered as they come back, without the empty ones.
    used = set(answers) | set(refs) | set(births)
    renumber = _renumbering(used)
    data: dict[str, Any] = {}
    for path in sorted(used, key=_order_key(fmap)):
        if path in answers:
            _put(data, renumber(path), answers[path])
    # A row with only a name in it is still a row; so is one with only a date of birth (the
    # validator then asks for the name the row lacks, rather than the row silently vanishing).
    for path in set(refs) | set(births):
        _touch_row(data, renumber(path))
    references = [
        NameReference(
            path=renumber(path),
            field=entry.name,
            kind=entry.type,
            role=entry.role,
            multiple=entry.widget == "multiline",
            text=text,
            date_of_birth=births.get(path),
        )
        for path, (entry, text) in sorted(refs.items(), key=lambda kv: _order_key(fmap)(kv[0]))
    ]
    return data, references


def _order_key(fmap: FieldMap) -> Callable[[str], int]:
    order: dict[str, int] = {}
    for i, entry in enumerate(fmap):
        order.setdefault(entry.path, i)
    return lambda path: order.get(path, len(order))


def _renumbering(paths: set[str]) -> Callable[[str], str]:
    """Row indexes as they will be in the data: each group's used rows, counted from 0."""
    rows: dict[str, set[int]] = {}
    for path in paths:
        match = _ROW.match(path)
        if match:
            rows.setdefault(match.group(1), set()).add(int(match.group(2)))
    new_index = {
        group: {old: new for new, old in enumerate(sorted(indexes))}
        for group, indexes in rows.items()
    }

    def renumber(path: str) -> str:
        match = _ROW.match(path)
        if not match:
            return path
        group, index, rest = match.group(1), int(match.group(2)), match.group(3)
        return f"{group}[{new_index[group][index]}].{rest}"

    return renumber


def put_answer(data: dict[str, Any], path: str, value: Any) -> None:
    """Put a value at a path (section.field or section.group[i].field) of raw document data."""
    _put(data, path, value)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    match = _ROW.match(path)
    if match:
        row = _touch_row(data, path)
        row[match.group(3)] = value
        return
    section, _, field = path.partition(".")
    data.setdefault(section, {})[field] = value


def _touch_row(data: dict[str, Any], path: str) -> dict[str, Any]:
    """The row a path (section.group[i].field) is in, made if it is not there yet."""
    match = _ROW.match(path)
    if match is None:
        section = path.partition(".")[0]
        node: dict[str, Any] = data.setdefault(section, {})
        return node
    section, _, group = match.group(1).partition(".")
    index = int(match.group(2))
    rows = data.setdefault(section, {}).setdefault(group, [])
    while len(rows) <= index:
        rows.append({})
    row: dict[str, Any] = rows[index]
    return row


def _text(raw: RawValue) -> str | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _value(entry: FieldEntry, raw: RawValue) -> Any:
    text = _text(raw)
    if text is None:
        return None
    if entry.widget in ("radio", "select"):
        text = _option(entry, text)
    return entry.field_type.from_filled(text)


def _option(entry: FieldEntry, text: str) -> str:
    """A radio state or drop-down text -> the option value (by state, value or label)."""
    stripped = text.strip()
    for test in (
        lambda c: c.state == stripped,
        lambda c: c.value == stripped,
        lambda c: c.label.casefold() == stripped.casefold(),
    ):
        for choice in entry.choices:
            if test(choice):
                return choice.value
    return stripped  # not an option: the validator says so, in the field's own words

"""marshmallow schemas generated from the definitions: no schema is written by hand per document."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, ClassVar

import marshmallow as ma

from ehdocs.fields import REGISTRY, Invalid, field_type
from ehdocs.schema.model import FieldDef, FormDefinition, RecordDef
from ehdocs.validation.rules import check_document, check_draft, check_fields
from ehdocs.validation.types import ID_FIELD, AnswersSchema


class TypedField(ma.fields.Field):
    """One schema field of any registered type: parsing and dumping belong to the type."""

    def __init__(self, definition: FieldDef, **kwargs: Any) -> None:
        super().__init__(allow_none=True, **kwargs)
        self.definition = definition
        self.ftype = REGISTRY[definition.type]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return self.ftype.parse(value, self.definition)
        except Invalid as exc:
            raise ma.ValidationError(str(exc)) from None

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else self.ftype.to_json(value)


class GroupField(ma.fields.List):
    """A repeating group: a list of rows, each checked by the row's generated schema."""

    def __init__(self, definition: FieldDef, row_schema: type[ma.Schema]) -> None:
        group = field_type("group")
        super().__init__(
            ma.fields.Nested(row_schema, error_messages={"type": _ROW_NOT_OBJECT}),
            allow_none=True,
            error_messages={"invalid": group.message(definition, "invalid")},
        )


_ROW_NOT_OBJECT = "Each row must be a set of answers (a JSON object)"


def schema_fields(fields: tuple[FieldDef, ...], name: str) -> dict[str, ma.fields.Field]:
    out: dict[str, ma.fields.Field] = {}
    for field in fields:
        if field.fields:
            row = AnswersSchema.from_dict(
                schema_fields(field.fields, f"{name}_{field.id}"), name=f"{name}_{field.id}_row"
            )
            out[field.id] = GroupField(field, row)
        else:
            out[field.id] = TypedField(field)
    return out


class DocumentDataSchema(AnswersSchema):
    """Base of each document's generated data schema: a draft is held to the upper limits
    (length, rows) of what it shows, a document being completed to every rule."""

    form_definition: ClassVar[FormDefinition]
    complete: ClassVar[bool]
    completed_by: ClassVar[str]
    stored: ClassVar[bool] = False

    @ma.validates_schema(skip_on_field_errors=False)
    def _rules(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        problems: dict[str, list[str]] = {}
        if self.complete:
            found = check_document(self.form_definition, data, self.completed_by)
        elif self.stored:
            found = []  # a stored draft met its limits when saved; the next save checks again
        else:
            found = check_draft(self.form_definition, data)
        for path, message in found:
            problems.setdefault(path, []).append(message)
        if problems:
            raise ma.ValidationError(problems)


@lru_cache(maxsize=64)
def document_data_schema(
    form: FormDefinition, complete: bool, completed_by: str = "professional", stored: bool = False
) -> ma.Schema:
    """The schema for one document's `data`, leniently for drafts or fully for completion
    (by `completed_by`: see `check_document`). `stored`: a draft read back from the store is
    checked for types only, not upper limits (see `validate_case`)."""
    sections: dict[str, Any] = {}
    for section in form.sections:
        schema = AnswersSchema.from_dict(
            schema_fields(section.fields, section.id), name=f"{form.form}_{section.id}"
        )
        sections[section.id] = ma.fields.Nested(
            schema,
            allow_none=True,
            error_messages={
                "type": f"Section '{section.title}' must be a set of answers (a JSON object)"
            },
        )
    attrs = {
        **sections,
        "form_definition": form,
        "complete": complete,
        "completed_by": completed_by,
        "stored": stored,
    }
    cls = type(f"{form.form.title()}Data", (DocumentDataSchema,), attrs)
    return cls()


class RecordSchema(AnswersSchema):
    """Base of each case record's schema (person, household…): records are always checked fully."""

    record_definition: ClassVar[RecordDef]

    @ma.validates_schema(skip_on_field_errors=False)
    def _rules(self, data: Mapping[str, Any], **kwargs: Any) -> None:
        record = self.record_definition
        scope = {record.name: data}
        problems: dict[str, list[str]] = {}

        def field_at(path: str) -> FieldDef | None:
            return record.child(path.split(".", 1)[-1])

        for path, message in check_fields(record.fields, data, scope, "", field_at):
            problems.setdefault(path, []).append(message)
        if problems:
            raise ma.ValidationError(problems)


@lru_cache(maxsize=64)
def record_schema(record: RecordDef) -> type[ma.Schema]:
    # Conditions in case.yaml name siblings as `person.field`: check_fields resolves them
    # against {record name: the record}.
    attrs: dict[str, Any] = {
        "id": ID_FIELD(),
        **schema_fields(record.fields, record.name),
        "record_definition": record,
    }
    return type(f"{record.name.title()}Record", (RecordSchema,), attrs)

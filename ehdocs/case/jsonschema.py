"""The JSON Schema (draft 2020-12) of the case format, generated from the definitions."""

from __future__ import annotations

from typing import Any

from ehdocs.case.model import FORMAT, FORMAT_VERSION
from ehdocs.fields import field_type
from ehdocs.fields.types import ID_PATTERN
from ehdocs.schema.model import FieldDef, FormSet

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def case_json_schema(formset: FormSet) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    properties: dict[str, Any] = {
        "format": {"const": FORMAT},
        "format_version": {"type": "integer", "minimum": 1, "maximum": FORMAT_VERSION},
        "profile": {"type": "string", "description": "The council profile the case was made with"},
        "reference": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9/_-]{2,39}$"},
        "family_name": {"type": "string", "maxLength": 200},
        "index_person": {
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "The child the work is about",
        },
        "created": {"type": "string", "format": "date"},
    }
    for record in formset.records.values():
        defs[f"record_{record.name}"] = _object(record.fields, record.title, with_id=True)
        properties[record.key] = {
            "type": "array",
            "items": {"$ref": f"#/$defs/record_{record.name}"},
        }
    documents = []
    for form in formset.forms_in_order():
        sections = {
            s.id: {**_object(s.fields, s.title), "x-ehdocs-audience": s.audience}
            for s in form.sections
        }
        defs[f"document_{form.form}"] = {
            "title": form.title,
            "type": "object",
            "required": ["id", "form", "status"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": ID_PATTERN},
                "form": {"const": form.form},
                "form_version": {"type": "integer", "minimum": 1, "maximum": form.version},
                "status": {"enum": ["draft", "completed"]},
                "updated": {"type": "string"},
                "carried": {"type": "array", "items": {"$ref": "#/$defs/carried_mark"}},
                # answers a later version of the form removed (ehdocs.schema.migrations)
                "history": {"type": "array", "items": {"type": "object"}},
                "data": {"type": "object", "additionalProperties": False, "properties": sections},
            },
        }
        documents.append({"$ref": f"#/$defs/document_{form.form}"})
    properties["documents"] = {"type": "array", "items": {"oneOf": documents}}
    defs["carried_mark"] = {
        "title": "An answer carried forward from an earlier document or the case records",
        "type": "object",
        "required": ["into"],
        "additionalProperties": False,
        "properties": {
            "into": {"type": "string"},
            "form": {"type": "string"},
            "document": {"type": "string"},
            "date": {"type": ["string", "null"]},
            "records": {"type": "string"},
            "left_out": {"type": "integer", "minimum": 1},
            "digest": {"type": "string"},
        },
    }
    return {
        "$schema": DIALECT,
        "$id": f"urn:ehdocs:case:{FORMAT_VERSION}:{formset.profile.slug}",
        "title": f"ehdocs case ({formset.profile.name})",
        "type": "object",
        "required": ["format", "format_version", "reference"],
        "additionalProperties": False,
        "properties": properties,
        "$defs": defs,
    }


def _object(fields: tuple[FieldDef, ...], title: str, with_id: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"id": {"type": "string", "pattern": ID_PATTERN}} if with_id else {}
    for field in fields:
        props[field.id] = _field(field)
    schema: dict[str, Any] = {
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "properties": props,
    }
    if with_id:
        schema["required"] = ["id"]
    return schema


def _field(field: FieldDef) -> dict[str, Any]:
    schema: dict[str, Any]
    if field.fields:
        schema = {"type": "array", "items": _object(field.fields, field.label)}
    else:
        schema = field_type(field.type).json_schema(field)
    schema = {"anyOf": [schema, {"type": "null"}]}  # an unanswered question is null or absent
    schema["title"] = field.label
    if field.hint:
        schema["description"] = field.hint
    schema["x-ehdocs-type"] = field.type
    schema["x-ehdocs-audience"] = field.audience
    return schema

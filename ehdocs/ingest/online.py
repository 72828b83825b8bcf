"""A notification filled in online by a partner with no case: its answers as typed, turned
into what ingestion keeps for a filled blank form.

With no case to choose from, people and professionals are written by name (and a single
child's date of birth beside the name), as on a blank form. The names are taken out of the
answers as NameReferences, for the hub to match against a case exactly as it does for a form
sent by e-mail; the date of birth never goes into the document's data.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from ehdocs.fields import field_type
from ehdocs.fillable.raw import NameReference, put_answer
from ehdocs.schema import roles
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet, SectionDef

KIND = "online"
DATE_OF_BIRTH = ":date_of_birth"  # key suffix of a child's date of birth beside the name


def partner_form(formset: FormSet) -> FormDefinition | None:
    """The request partners send the hub: the document with a section the hub fills in."""
    return next((f for f in formset.forms_in_order() if f.section_by_role(roles.HUB)), None)


def partner_sections(form: FormDefinition) -> list[SectionDef]:
    """The sections a partner fills: all but the hub's own."""
    hub = form.section_by_role(roles.HUB)
    return [s for s in form.sections if hub is None or s.id != hub.id]


def extracted(form: FormDefinition, answers: Mapping[str, Any], profile: str) -> dict[str, Any]:
    """What a submission keeps of an online notification: the answers without the names, and
    the names as references (the same shape a filled blank form's references have)."""
    sections = {s.id for s in partner_sections(form)}
    data = {k: copy.deepcopy(v) for k, v in answers.items() if k in sections}
    references: list[NameReference] = []
    for section in partner_sections(form):
        values = data.get(section.id)
        if isinstance(values, dict):
            _take_names(section.fields, values, section.id, references)
    return {
        "kind": KIND,
        "form": form.form,
        "version": form.version,
        "profile": profile,
        "data": data,
        "references": [asdict(r) for r in references],
    }


def _take_names(
    fields: tuple[FieldDef, ...], values: dict[str, Any], prefix: str, out: list[NameReference]
) -> None:
    for fdef in fields:
        path = f"{prefix}.{fdef.id}"
        value = values.get(fdef.id)
        if fdef.fields:
            for i, row in enumerate(value if isinstance(value, list) else []):
                if isinstance(row, dict):
                    _take_names(fdef.fields, row, f"{path}[{i}]", out)
            continue
        if not field_type(fdef.type).is_reference:
            continue
        text = values.pop(fdef.id, None)
        born = values.pop(fdef.id + DATE_OF_BIRTH, None)
        if not isinstance(text, str) or not text.strip():
            continue
        out.append(
            NameReference(
                path=path,
                field=path,
                kind=fdef.type,
                role=fdef.param("role"),
                multiple=bool(fdef.param("multiple")),
                text=text.strip(),
                date_of_birth=born.strip() if isinstance(born, str) and born.strip() else None,
            )
        )


def document_data(extracted: Mapping[str, Any], resolve: Any) -> dict[str, Any]:
    """The raw document data, with the ids `resolve` finds for the names put in."""
    data: dict[str, Any] = copy.deepcopy(dict(extracted.get("data") or {}))
    for item in extracted.get("references") or []:
        found = resolve(NameReference(**item))
        if found:
            put_answer(data, item["path"], found)
    return data

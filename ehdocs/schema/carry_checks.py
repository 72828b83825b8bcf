"""Checks of the `carry_forward:` declarations (ehdocs.schema.carry) across a loaded form set:
every carry names real fields of compatible types, earlier in the process."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ehdocs.schema.carry import CarryDef
from ehdocs.schema.model import FieldDef, FormDefinition, RecordDef
from ehdocs.schema.yamlsrc import Reporter, Where, did_you_mean

# Types a value may move between unchanged.
_SAME_VALUES = ({"text", "long_text"},)


def check(
    forms: Mapping[str, FormDefinition], records: Mapping[str, RecordDef], rep: Reporter
) -> None:
    """Every declared carry names real fields of compatible types, earlier in the process."""
    by_key = {r.key: r for r in records.values()}
    for form in forms.values():
        for carry in form.carry_forward:
            file, _, line = carry.source_line.rpartition(":")
            where = Where(file, int(line or 1), 1)

            def say(message: str, carry: CarryDef = carry, where: Where = where) -> None:
                rep.at(where, f"carry_forward into '{carry.into}': {message}")

            target = form.field_at(carry.into)
            if target is None:
                say(f"'{carry.into}' is not a field of form '{form.form}' (expected section.field)")
                continue
            if carry.from_records:
                record = by_key.get(carry.path)
                if record is None:
                    say(
                        f"there are no case records '{carry.path}'"
                        f"{did_you_mean(carry.path, by_key)}"
                    )
                    continue
                _check_records(carry, target, record, say)
                continue
            source_form = forms.get(carry.source)
            if source_form is None:
                say(f"there is no form '{carry.source}'{did_you_mean(carry.source, forms)}")
                continue
            if source_form.order > form.order:
                say(f"the {source_form.title} comes after the {form.title} in the process")
            source = source_form.field_at(carry.path)
            if source is None:
                say(f"'{carry.path}' is not a field of form '{carry.source}'")
                continue
            if carry.take or carry.where:
                say("'take' and 'where' are for records only")
            _check_values(carry, target, source.fields if source.fields else None, source, say)


def _check_records(carry: CarryDef, target: FieldDef, record: RecordDef, say: Any) -> None:
    for answer in carry.where:
        if record.child(answer) is None:
            say(f"where: the {record.title} records have no field '{answer}'")
    if target.fields:
        if carry.take:
            say("'take' fills a single field; a group takes 'fields'")
        _check_values(carry, target, record.fields, None, say, id_type=record.name)
        return
    if not carry.take:
        say(f"say which field of the {record.title} record to take, in 'take' (for example id)")
        return
    _check_one(carry.take, target, record.child(carry.take), record.name, say)


def _check_values(
    carry: CarryDef,
    target: FieldDef,
    source_rows: tuple[FieldDef, ...] | None,
    source: FieldDef | None,
    say: Any,
    id_type: str | None = None,
) -> None:
    if not target.fields:  # a single field from a single field
        if source_rows is not None or source is None:
            say("a group can only be carried into a group")
        else:
            _check_one(source.id, target, source, None, say)
        return
    if source_rows is None:
        say("a group can only be filled from a group or from records")
        return
    mapping = carry.fields or {
        f.id: f.id for f in target.fields if any(s.id == f.id for s in source_rows)
    }
    if not mapping:
        say("the two groups share no field: say which to carry, in 'fields'")
    for here, there in mapping.items():
        row_field = target.child(here)
        if row_field is None:
            say(f"fields: '{here}' is not a field of '{target.path}'")
            continue
        _check_one(
            there, row_field, next((s for s in source_rows if s.id == there), None), id_type, say
        )


def _check_one(
    name: str, target: FieldDef, source: FieldDef | None, id_type: str | None, say: Any
) -> None:
    if name == "id" and id_type is not None:
        if target.type != id_type:
            say(f"a {id_type} record's id goes into a {id_type} field, not a {target.type} field")
        return
    if source is None:
        say(f"there is no field '{name}' to carry into '{target.id}'")
        return
    if not compatible(source, target):
        say(
            f"'{source.id}' is a {source.type} field and cannot fill '{target.id}', "
            f"a {target.type} field"
        )


def compatible(source: FieldDef, target: FieldDef) -> bool:
    """Whether a stored answer of `source` is a valid answer of `target` as it is."""
    if source.type != target.type and not any(
        {source.type, target.type} <= same for same in _SAME_VALUES
    ):
        return False
    if bool(source.param("multiple")) != bool(target.param("multiple")):
        return False
    longest, room = source.param("max_length"), target.param("max_length")
    if room is not None and (longest is None or longest > room):
        return False
    if target.options and source.options:
        return {o.value for o in source.options} <= {o.value for o in target.options}
    return True


__all__ = ["check", "compatible"]

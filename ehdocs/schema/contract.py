"""Check that the definitions (after any council profile) still hold what the code reads.

The roles, record fields and option values are listed in schema/roles.py. A role the base
schemas declare must still be declared, once, after the profile: a profile that removes or
renames something the code reads is refused here instead of breaking a rule nobody sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ehdocs.schema import roles
from ehdocs.schema.model import FieldDef, FormDefinition, Option, RecordDef, SectionDef
from ehdocs.schema.yamlsrc import Reporter, Where


def where_of(source: str) -> Where:
    """`file:line` of a definition as a place for a message."""
    file, _, line = source.rpartition(":")
    return Where(file, int(line) if line.isdigit() else 1, 1)


def declared_roles(forms: Mapping[str, FormDefinition]) -> set[str]:
    """Every event, section and field role the documents declare."""
    found = {e.role for f in forms.values() for e in f.events if e.role}
    found |= {s.role for f in forms.values() for s in f.sections if s.role}
    found |= {fd.used_as for _, _, fd in _role_fields(forms) if fd.used_as}
    return found


def check_roles(
    forms: Mapping[str, FormDefinition], required: set[str], missing_at: Where, rep: Reporter
) -> None:
    """Each role declared at most once (and, if `required`, exactly once) in the right place."""
    events = [(e.role, e.source) for f in forms.values() for e in f.events if e.role]
    sections = [(s.role, s.source) for f in forms.values() for s in f.sections if s.role]
    fields = [(fd.used_as, fd.source) for _, _, fd in _role_fields(forms) if fd.used_as]
    for what, declared in (("event", events), ("section", sections), ("field", fields)):
        seen: dict[str, str] = {}
        for role, source in declared:
            if role in seen:
                rep.at(
                    where_of(source),
                    f"the {what} role '{role}' is also declared at {seen[role]}: ehdocs reads one",
                )
            seen.setdefault(str(role), source)
        key = "used_as" if what == "field" else "role"
        for role in sorted(required - set(seen)):
            if role in _roles_of(what):
                rep.at(
                    missing_at,
                    f"no {what} is declared with '{key}: {role}' any more: ehdocs reads it, so"
                    " keep it (relabel it instead of removing it)",
                )
    for form, section, fd in _role_fields(forms):
        if fd.used_as is None:
            continue
        types, section_role = roles.FIELD_ROLES[fd.used_as]
        if fd.type not in types:
            rep.at(
                where_of(fd.source),
                f"a field used as '{fd.used_as}' must be of type {' or '.join(types)}"
                f" (got {fd.type})",
            )
        if section.role != section_role:
            rep.at(
                where_of(fd.source),
                f"a field used as '{fd.used_as}' must be in the section with 'role:"
                f" {section_role}' (it is in '{form.form}.{section.id}')",
            )


def check_categories(options: tuple[Option, ...], missing_at: Where, rep: Reporter) -> None:
    """Every person category says which kind of person it is; every kind has a category."""
    for option in options:
        if option.role is None:
            rep.at(
                where_of(option.source) if option.source else missing_at,
                f"person category '{option.value}' needs a 'role' (one of:"
                f" {', '.join(roles.CATEGORY_ROLES)}): ehdocs tells children from adults by it",
            )
    present = {o.role for o in options}
    for role in roles.CATEGORY_ROLES:
        if role not in present:
            place = where_of(options[0].source) if options and options[0].source else missing_at
            rep.at(
                place,
                f"no person category has 'role: {role}': ehdocs needs one for its rules about"
                " children and adults",
            )


def check_core_records(records: Mapping[str, RecordDef], file: str, rep: Reporter) -> None:
    """The record fields and option values ehdocs reads by name are all still there."""
    for name, core in roles.CORE_RECORD_FIELDS.items():
        record = records.get(name)
        if record is None:
            rep.at(Where(file, 1, 1), f"case.yaml must define the record '{name}'")
            continue
        for field_id, type_name in core.items():
            field = record.child(field_id)
            if field is None or field.type != type_name:
                rep.at(
                    Where(file, 1, 1),
                    f"record '{name}' must keep field '{field_id}' of type "
                    f"'{type_name}': ehdocs reads it",
                )
    for record in records.values():
        for field in record.iter_fields():
            if field.used_as:
                rep.at(
                    where_of(field.source),
                    f"'used_as: {field.used_as}' belongs on a document's field, not a record's",
                )
    for path, values in roles.CORE_VALUES.items():
        name, _, field_id = path.partition(".")
        field = records[name].child(field_id) if name in records else None
        if field is None:
            continue  # reported above
        have = {o.value for o in field.options}
        place = where_of(field.options[0].source) if field.options else where_of(field.source)
        for value in values:
            if value not in have:
                rep.at(
                    place,
                    f"the options of '{path}' must keep the value '{value}': ehdocs reads it"
                    " (relabel it instead of renaming it)",
                )


def _role_fields(
    forms: Mapping[str, FormDefinition],
) -> Iterator[tuple[FormDefinition, SectionDef, FieldDef]]:
    for form in forms.values():
        for section in form.sections:
            for fd in _walk(section.fields):
                yield form, section, fd


def _walk(fields: tuple[FieldDef, ...]) -> Iterator[FieldDef]:
    for f in fields:
        yield f
        yield from _walk(f.fields)


def _roles_of(what: str) -> tuple[str, ...]:
    if what == "event":
        return roles.EVENT_ROLES
    if what == "section":
        return roles.SECTION_ROLES
    return tuple(roles.FIELD_ROLES)

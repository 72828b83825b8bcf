"""Load form_schemas/ and a council profile into one checked, frozen FormSet.

Every mistake found is reported with file:line:column; loading stops only after the whole
set has been checked, so a schema author sees all problems at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ehdocs.fields import REGISTRY
from ehdocs.schema import profile as profiles
from ehdocs.schema.checks import BOOL, ID, PATH, TEXT, Key, check_mapping, check_value, describe
from ehdocs.schema.conditions import Condition, parse_condition
from ehdocs.schema.model import (
    AUDIENCES,
    DocumentRule,
    FieldDef,
    Follows,
    FormDefinition,
    FormEvent,
    FormSet,
    Option,
    Profile,
    RecordDef,
    SectionDef,
)
from ehdocs.schema.yamlsrc import Reporter, Where, did_you_mean, is_map, is_seq, read_yaml

SPECIAL_FILES = {"lists.yaml", "case.yaml"}

FIELD_KEYS: dict[str, Key] = {
    "id": Key(ID, required=True),
    "type": Key({"type": "string"}, required=True),
    "label": Key(TEXT, required=True),
    "family_label": Key(TEXT),
    "hint": Key(TEXT),
    "error_name": Key(TEXT),
    "audience": Key({"enum": list(AUDIENCES)}),
    "required": Key(BOOL),
    "visible_if": Key({"type": "object"}),
    "required_if": Key({"type": "object"}),
    "messages": Key({"type": "object", "additionalProperties": {"type": "string"}}),
}
SECTION_KEYS = {
    "id": Key(ID, required=True),
    "title": Key(TEXT, required=True),
    "family_title": Key(TEXT),
    "audience": Key({"enum": list(AUDIENCES)}),
    "description": Key(TEXT),
    "variant": Key(ID),
    "fields": Key({"type": "array", "minItems": 1}, required=True),
}
FORM_KEYS = {
    "form": Key(ID, required=True),
    "version": Key({"type": "integer", "minimum": 1}, required=True),
    "title": Key(TEXT, required=True),
    "family_title": Key(TEXT),
    "order": Key({"type": "integer", "minimum": 1}, required=True),
    "repeatable": Key(BOOL),
    "process_date": Key(PATH),
    "follows": Key({"type": "array"}),
    "notice": Key(TEXT),
    "sections": Key({"type": "array", "minItems": 1}, required=True),
    "rules": Key({"type": "array"}),
    "allowed_after_consent_withdrawn": Key(BOOL),
    "events": Key({"type": "array"}),
    "people_details": Key(BOOL),
    "diagrams": Key(
        {"type": "array", "items": {"enum": ["genogram", "ecomap", "scales"]}, "uniqueItems": True}
    ),
}
EVENT_KEYS = {
    "id": Key(ID, required=True),
    "date": Key(PATH, required=True),
    "text": Key(TEXT, required=True),
    "family_text": Key(TEXT),
}
FOLLOWS_KEYS = {"form": Key(ID, required=True), "which": Key({"enum": ["latest", "earliest"]})}
RULE_KEYS = {
    "when": Key({"type": "object"}),
    "require": Key({"type": "object"}, required=True),
    "path": Key(PATH, required=True),
    "message": Key(TEXT, required=True),
}
OPTION_KEYS = {
    "value": Key({"type": "string", "minLength": 1}, required=True),
    "label": Key(TEXT, required=True),
    "family_label": Key(TEXT),
}
RECORD_KEYS = {
    "title": Key(TEXT, required=True),
    "key": Key(ID, required=True),
    "fields": Key({"type": "array", "minItems": 1}, required=True),
}
# Fields the code reads by name (summaries, rules, diagrams): a profile may relabel them,
# never remove them or change their type.
CORE_RECORD_FIELDS: Mapping[str, Mapping[str, str]] = {
    "person": {
        "given_name": "text",
        "family_name": "text",
        "category": "choice",
        "gender": "choice",
        "date_of_birth": "partial_date",
        "life_status": "choice",
        "date_of_death": "partial_date",
        "contact_details_confidential": "yes_no",
    },
    "relationship": {
        "kind": "choice",
        "person_a": "person",
        "person_b": "person",
        "parent_type": "choice",
        "partnership_status": "choice",
        "start": "partial_date",
        "end": "partial_date",
    },
    "household": {"members": "person"},
    "professional": {"name": "text", "role": "text", "agency": "text"},
    "consent": {
        "given_by": "person",
        "date": "date",
        "withdrawn_date": "date",
        "not_shared_with": "person",
    },
    "chronology_event": {"date": "partial_date", "event": "long_text", "family_visible": "yes_no"},
    "outcome_score": {"area": "choice", "date": "date", "score": "scale"},
}


def default_schema_dir() -> Path:
    env = os.environ.get("EHDOCS_SCHEMA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "form_schemas"


def load_formset(profile: str | Path | None = None, schema_dir: Path | None = None) -> FormSet:
    """The FormSet for a profile (a name under form_schemas/profiles, or a folder path)."""
    base = (schema_dir or default_schema_dir()).resolve()
    folder = profiles.resolve_folder(profile, base)
    return _load_cached(base, folder, _fingerprint(base, folder))


def _fingerprint(*folders: Path | None) -> tuple[tuple[str, int], ...]:
    # Re-read when any YAML file changes, so a long-running service sees edits.
    stamps = []
    for folder in folders:
        if folder and folder.is_dir():
            for path in sorted(folder.glob("*.yaml")):
                stamps.append((str(path), path.stat().st_mtime_ns))
    return tuple(stamps)


@lru_cache(maxsize=16)
def _load_cached(base: Path, folder: Path | None, _stamp: object) -> FormSet:
    rep = Reporter()
    display = _Display(base)
    profile_tree = profiles.read_profile(folder, display, rep) if folder else None
    lists = _load_lists(base / "lists.yaml", display(base / "lists.yaml"), rep)
    if profile_tree is not None:
        lists.update(profiles.list_overrides(profile_tree, rep))
    records = _load_records(base / "case.yaml", display(base / "case.yaml"), lists, rep)
    forms = _load_forms(base, display, lists, rep)
    rep.raise_if_any()  # an overlay on a broken base would only add confusing messages
    prof = Profile(name="Default council", slug="default", folder=None)
    if profile_tree is not None:
        prof = profiles.build_profile(profile_tree, forms, rep)
        forms, records = profiles.apply(profile_tree, forms, records, lists, rep)
    _check_forms(forms, display, rep)  # before variants are chosen, so every variant is checked
    forms = {name: _choose_variant(f, prof.variants.get(name)) for name, f in forms.items()}
    _check_core_records(records, rep, display(base / "case.yaml"))
    rep.raise_if_any()
    return FormSet(
        profile=prof,
        lists=MappingProxyType(lists),
        records=MappingProxyType(records),
        forms=MappingProxyType(dict(sorted(forms.items(), key=lambda kv: kv[1].order))),
    )


class _Display:
    """File names in messages: relative to the working directory where that is shorter."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def __call__(self, path: Path) -> str:
        try:
            return os.path.relpath(path)
        except ValueError:
            return str(path)


# -- lists ----------------------------------------------------------------------------------


def _load_lists(path: Path, file: str, rep: Reporter) -> dict[str, tuple[Option, ...]]:
    tree = read_yaml(path, file)
    if not check_mapping(
        tree, file, {"lists": Key({"type": "object"}, required=True)}, rep, "lists.yaml"
    ):
        return {}
    return {
        str(name): build_options(
            tree["lists"][name], file, rep, Where.of(file, tree["lists"], name)
        )
        for name in tree["lists"]
    }


def build_options(node: Any, file: str, rep: Reporter, where: Where) -> tuple[Option, ...]:
    if not is_seq(node) or not node:
        rep.at(where, "an option list must be a non-empty list of {value, label} mappings")
        return ()
    options: list[Option] = []
    seen: set[str] = set()
    for i, item in enumerate(node):
        here = Where.of(file, node, i)
        if isinstance(item, int | float) and not isinstance(item, bool) or isinstance(item, str):
            rep.at(here, 'an option must be a mapping such as {value: "1", label: "Universal"}')
            continue
        if not check_mapping(item, file, OPTION_KEYS, rep, "an option", here):
            if is_map(item) and isinstance(item.get("value"), int | float):
                rep.at(here, 'option values are text: put the value in quotes, such as "1"')
            continue
        if item["value"] in seen:
            rep.at(here, f"option value '{item['value']}' appears twice in this list")
        seen.add(item["value"])
        options.append(Option(str(item["value"]), str(item["label"]), item.get("family_label")))
    return tuple(options)


# -- fields -----------------------------------------------------------------------------------


class FieldBuilder:
    """Builds FieldDefs from YAML nodes; used for base files and for profile additions alike."""

    def __init__(self, lists: Mapping[str, tuple[Option, ...]], rep: Reporter) -> None:
        self.lists = lists
        self.rep = rep

    def fields(self, nodes: Any, file: str, parent: str, audience: str) -> tuple[FieldDef, ...]:
        built: list[FieldDef] = []
        seen: set[str] = set()
        for i, node in enumerate(nodes):
            field = self.field(node, file, parent, audience, Where.of(file, nodes, i))
            if field is None:
                continue
            if field.id in seen:
                self.rep.at(
                    Where.of(file, node, "id", value=True),
                    f"field id '{field.id}' is used twice in '{parent}'",
                )
            seen.add(field.id)
            built.append(field)
        return tuple(built)

    def field(
        self, node: Any, file: str, parent: str, audience: str, where: Where
    ) -> FieldDef | None:
        rep = self.rep
        if not is_map(node):
            rep.at(where, "a field must be a mapping with at least id, type and label")
            return None
        type_name = node.get("type")
        ftype = REGISTRY.get(str(type_name)) if isinstance(type_name, str) else None
        if type_name is not None and ftype is None:
            rep.at(
                Where.of(file, node, "type", value=True),
                f"unknown field type '{type_name}'{did_you_mean(str(type_name), REGISTRY)}"
                f" (expected one of: {', '.join(sorted(REGISTRY))})",
            )
        spec = dict(FIELD_KEYS)
        if ftype is not None:
            spec.update({k: Key(v) for k, v in ftype.keys.items()})
        if not check_mapping(node, file, spec, rep, f"field '{node.get('id', '?')}'", where):
            return None
        if ftype is None:
            return None
        path = f"{parent}.{node['id']}"
        own_audience = node.get("audience", audience)
        if AUDIENCES.index(own_audience) < AUDIENCES.index(audience):
            rep.at(
                Where.of(file, node, "audience", value=True),
                f"a field cannot be shown to '{own_audience}' inside a '{audience}' section"
                " or group",
            )
        params = {
            k: _plain(node[k]) for k in ftype.keys if k in node and k not in ("options", "fields")
        }
        options: tuple[Option, ...] = ()
        if ftype.uses_options:
            options = self.options(node, file, where)
        children: tuple[FieldDef, ...] = ()
        if ftype.is_group:
            if not is_seq(node.get("fields")) or not node.get("fields"):
                rep.at(where, f"group '{node['id']}' needs 'fields' (the questions in each row)")
            else:
                children = self.fields(node["fields"], file, path, own_audience)
        field = FieldDef(
            id=str(node["id"]),
            type=ftype.name,
            label=str(node["label"]),
            path=path,
            audience=own_audience,
            family_label=node.get("family_label"),
            hint=node.get("hint"),
            error_name=node.get("error_name"),
            required=bool(node.get("required", False)),
            visible_if=self.condition(node, "visible_if", file, parent),
            required_if=self.condition(node, "required_if", file, parent),
            messages=MappingProxyType(
                {str(k): str(v) for k, v in node.get("messages", {}).items()}
            ),
            options=options,
            params=MappingProxyType(params),
            fields=children,
            source=f"{file}:{where.line}",
        )
        ftype.check(field, lambda msg: rep.at(where, f"field '{field.id}': {msg}"))
        return field

    def options(self, node: Any, file: str, where: Where) -> tuple[Option, ...]:
        ref = node.get("options")
        if ref is None:
            self.rep.at(where, f"field '{node['id']}' needs 'options' (a list name or a list)")
            return ()
        if isinstance(ref, str):
            if ref not in self.lists:
                self.rep.at(
                    Where.of(file, node, "options", value=True),
                    f"option list '{ref}' is not defined in lists.yaml"
                    f"{did_you_mean(ref, self.lists)}",
                )
                return ()
            return self.lists[ref]
        return build_options(ref, file, self.rep, Where.of(file, node, "options", value=True))

    def condition(self, node: Any, key: str, file: str, parent: str) -> Condition | None:
        if key not in node:
            return None
        where = Where.of(file, node, key, value=True)
        cond = parse_condition(_plain(node[key]), lambda msg: self.rep.at(where, f"{key}: {msg}"))
        return absolute_condition(cond, parent) if cond else None


def absolute_condition(cond: Condition, parent: str) -> Condition:
    """Bare field names in a condition name siblings: make them full paths once, at load."""
    if cond.field is not None:
        full = cond.field if "." in cond.field else f"{parent}.{cond.field}"
        return replace(cond, field=full)
    return replace(cond, parts=tuple(absolute_condition(p, parent) for p in cond.parts))


def _plain(value: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists."""
    if is_map(value):
        return {str(k): _plain(v) for k, v in value.items()}
    if is_seq(value):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


# -- case records -----------------------------------------------------------------------------


def _load_records(
    path: Path, file: str, lists: Mapping[str, tuple[Option, ...]], rep: Reporter
) -> dict[str, RecordDef]:
    tree = read_yaml(path, file)
    if not check_mapping(
        tree, file, {"records": Key({"type": "object"}, required=True)}, rep, "case.yaml"
    ):
        return {}
    builder = FieldBuilder(lists, rep)
    records: dict[str, RecordDef] = {}
    for name, node in tree["records"].items():
        where = Where.of(file, tree["records"], name)
        if not check_mapping(node, file, RECORD_KEYS, rep, f"record '{name}'", where):
            continue
        fields = builder.fields(node["fields"], file, str(name), "family")
        records[str(name)] = RecordDef(str(name), str(node["title"]), str(node["key"]), fields)
    return records


def _check_core_records(records: Mapping[str, RecordDef], rep: Reporter, file: str) -> None:
    for name, core in CORE_RECORD_FIELDS.items():
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


# -- documents --------------------------------------------------------------------------------


def _load_forms(
    base: Path, display: _Display, lists: Mapping[str, tuple[Option, ...]], rep: Reporter
) -> dict[str, FormDefinition]:
    forms: dict[str, FormDefinition] = {}
    for path in sorted(base.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        file = display(path)
        form = build_form(read_yaml(path, file), file, lists, rep)
        if form is None:
            continue
        if form.form in forms:
            rep.at(
                Where(file, 1, 1),
                f"form '{form.form}' is also defined in {forms[form.form].source}",
            )
        forms[form.form] = form
    return forms


def build_form(
    tree: Any, file: str, lists: Mapping[str, tuple[Option, ...]], rep: Reporter
) -> FormDefinition | None:
    if not check_mapping(tree, file, FORM_KEYS, rep, "a form file"):
        return None
    builder = FieldBuilder(lists, rep)
    sections: list[SectionDef] = []
    for i, node in enumerate(tree["sections"]):
        where = Where.of(file, tree["sections"], i)
        if not check_mapping(node, file, SECTION_KEYS, rep, "a section", where):
            continue
        if any(s.id == node["id"] and s.variant == node.get("variant") for s in sections):
            rep.at(
                Where.of(file, node, "id", value=True), f"section id '{node['id']}' is used twice"
            )
        audience = node.get("audience", "family")
        sections.append(
            SectionDef(
                id=str(node["id"]),
                title=str(node["title"]),
                fields=builder.fields(node["fields"], file, str(node["id"]), audience),
                audience=audience,
                family_title=node.get("family_title"),
                description=node.get("description"),
                variant=node.get("variant"),
            )
        )
    return FormDefinition(
        form=str(tree["form"]),
        version=int(tree["version"]),
        title=str(tree["title"]),
        order=int(tree["order"]),
        sections=tuple(sections),
        family_title=tree.get("family_title"),
        repeatable=bool(tree.get("repeatable", False)),
        process_date=tree.get("process_date"),
        follows=_follows(tree.get("follows", []), file, rep),
        notice=tree.get("notice"),
        rules=_rules(tree.get("rules", []), file, builder),
        allowed_after_consent_withdrawn=bool(tree.get("allowed_after_consent_withdrawn", False)),
        events=_events(tree.get("events", []), file, rep),
        people_details=bool(tree.get("people_details", False)),
        diagrams=tuple(str(d) for d in tree.get("diagrams", [])),
        source=file,
    )


def _follows(nodes: Any, file: str, rep: Reporter) -> tuple[Follows, ...]:
    out = []
    for i, node in enumerate(nodes):
        if check_mapping(
            node, file, FOLLOWS_KEYS, rep, "a 'follows' entry", Where.of(file, nodes, i)
        ):
            out.append(Follows(str(node["form"]), str(node.get("which", "latest"))))
    return tuple(out)


def _events(nodes: Any, file: str, rep: Reporter) -> tuple[FormEvent, ...]:
    out = []
    for i, node in enumerate(nodes):
        if check_mapping(node, file, EVENT_KEYS, rep, "an event", Where.of(file, nodes, i)):
            out.append(
                FormEvent(
                    str(node["id"]), str(node["date"]), str(node["text"]), node.get("family_text")
                )
            )
    return tuple(out)


def _rules(nodes: Any, file: str, builder: FieldBuilder) -> tuple[DocumentRule, ...]:
    out = []
    for i, node in enumerate(nodes):
        if not check_mapping(
            node, file, RULE_KEYS, builder.rep, "a rule", Where.of(file, nodes, i)
        ):
            continue
        require = builder.condition(node, "require", file, "")
        if require is None:
            continue
        out.append(
            DocumentRule(
                builder.condition(node, "when", file, ""),
                require,
                str(node["path"]),
                str(node["message"]),
            )
        )
    return tuple(out)


def _choose_variant(form: FormDefinition, chosen: str | None) -> FormDefinition:
    variants = list(dict.fromkeys(s.variant for s in form.sections if s.variant))
    if not variants:
        return form
    keep = chosen or variants[0]
    return replace(form, sections=tuple(s for s in form.sections if s.variant in (None, keep)))


def _check_forms(forms: Mapping[str, FormDefinition], display: _Display, rep: Reporter) -> None:
    """Cross-references inside and between documents: paths, dates, follows."""
    for form in forms.values():
        where = Where(form.source, 1, 1)
        if form.process_date:
            _check_path(form, form.process_date, "process_date", ("date",), where, rep)
        for event in form.events:
            _check_path(form, event.date, f"event '{event.id}'", ("date",), where, rep)
        for follow in form.follows:
            if follow.form not in forms:
                rep.at(
                    where,
                    f"follows: there is no form '{follow.form}'{did_you_mean(follow.form, forms)}",
                )
        for rule in form.rules:
            _check_path(form, rule.path, "rule path", None, where, rep)
            for cond in (rule.when, rule.require):
                for path in cond.field_paths() if cond else []:
                    _check_path(form, path, "rule", None, where, rep)
        for field in form.iter_fields():
            place = _where_of_source(field.source)
            for cond in (field.visible_if, field.required_if):
                for path in cond.field_paths() if cond else []:
                    _check_path(form, path, f"condition of '{field.id}'", None, place, rep)
            for key in ("on_or_after", "on_or_before"):
                if field.param(key):
                    _check_path(
                        form, field.param(key), f"'{key}' of '{field.id}'", ("date",), place, rep
                    )


def _where_of_source(source: str) -> Where:
    file, _, line = source.rpartition(":")
    return Where(file, int(line) if line.isdigit() else 1, 1)


def _check_path(
    form: FormDefinition,
    path: str,
    what: str,
    types: tuple[str, ...] | None,
    where: Where,
    rep: Reporter,
) -> None:
    field = form.field_at(path)
    if field is None:
        rep.at(
            where, f"{what}: '{path}' is not a field of form '{form.form}' (expected section.field)"
        )
    elif types and field.type not in types:
        rep.at(where, f"{what}: '{path}' is a {field.type} field (expected {' or '.join(types)})")


__all__ = [
    "FieldBuilder",
    "absolute_condition",
    "build_options",
    "check_value",
    "describe",
    "load_formset",
]

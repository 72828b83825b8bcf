"""Load form_schemas/ and a council profile into one checked, frozen FormSet.

Every mistake found is reported with file:line:column; loading stops only after the whole
set has been checked, so a schema author sees all problems at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ehdocs.schema import carry, carry_checks, contract, migrations, placeholders, roles
from ehdocs.schema import profile as profiles
from ehdocs.schema.builder import FieldBuilder, build_options
from ehdocs.schema.checks import BOOL, ID, PATH, TEXT, Key, check_mapping
from ehdocs.schema.model import (
    AUDIENCES,
    DocumentRule,
    FieldDef,
    Follows,
    FormDefinition,
    FormEvent,
    FormMigration,
    FormSet,
    Option,
    Profile,
    RecordChronology,
    RecordDef,
    SectionDef,
    SectionPage,
    Stop,
)
from ehdocs.schema.yamlsrc import Display, Reporter, Where, did_you_mean, read_yaml

SPECIAL_FILES = {"lists.yaml", "case.yaml"}

SECTION_KEYS = {
    "id": Key(ID, required=True),
    "title": Key(TEXT, required=True),
    "family_title": Key(TEXT),
    "audience": Key({"enum": list(AUDIENCES)}),
    "description": Key(TEXT),
    "variant": Key(ID),
    "role": Key({"enum": list(roles.SECTION_ROLES)}),
    "taf_edit": Key(BOOL),
    "record": Key({"enum": list(roles.SECTION_RECORDS)}),
    "pages": Key({"type": "array", "minItems": 2}),
    "fields": Key({"type": "array", "minItems": 1}, required=True),
}
FORM_KEYS = {
    "form": Key(ID, required=True),
    "version": Key({"type": "integer", "minimum": 1}, required=True),
    "title": Key(TEXT, required=True),
    "family_title": Key(TEXT),
    "title_plural": Key(BOOL),  # "these TAF review minutes", not "this"
    "order": Key({"type": "integer", "minimum": 1}, required=True),
    "repeatable": Key(BOOL),
    "process_date": Key(PATH),
    "follows": Key({"type": "array"}),
    "notice": Key(TEXT),
    "sections": Key({"type": "array", "minItems": 1}, required=True),
    "rules": Key({"type": "array"}),
    "stops": Key({"type": "array"}),
    "allowed_after_consent_withdrawn": Key(BOOL),
    "events": Key({"type": "array"}),
    "people_details": Key(BOOL),
    "diagrams": Key(
        {"type": "array", "items": {"enum": ["genogram", "ecomap", "scales"]}, "uniqueItems": True}
    ),
    "carry_forward": Key({"type": "array"}),
    "migrations": Key({"type": "array"}),  # schema/migrations.py
}
EVENT_KEYS = {
    "id": Key(ID, required=True),
    "date": Key(PATH, required=True),
    "text": Key(TEXT, required=True),
    "family_text": Key(TEXT),
    "role": Key({"enum": list(roles.EVENT_ROLES)}),
}
FOLLOWS_KEYS = {"form": Key(ID, required=True), "which": Key({"enum": ["latest", "earliest"]})}
RULE_KEYS = {
    "when": Key({"type": "object"}),
    "require": Key({"type": "object"}, required=True),
    "path": Key(PATH, required=True),
    "message": Key(TEXT, required=True),
}
PAGE_KEYS = {
    "title": Key(TEXT, required=True),
    "fields": Key({"type": "array", "minItems": 1, "items": ID}, required=True),
}
STOP_KEYS = {
    "when": Key({"type": "object"}, required=True),
    "path": Key(PATH, required=True),
    "title": Key(TEXT, required=True),
    "text": Key(TEXT, required=True),
}
RECORD_KEYS = {
    "title": Key(TEXT, required=True),
    "key": Key(ID, required=True),
    "audience": Key({"enum": list(AUDIENCES)}),
    "family_if": Key({"type": "object"}),
    "chronology": Key({"type": "object"}),
    "fields": Key({"type": "array", "minItems": 1}, required=True),
}
RECORD_CHRONOLOGY_KEYS = {
    "date": Key(ID, required=True),
    "time": Key(ID),
    "text": Key(TEXT, required=True),
    "family_text": Key(TEXT),
    "source": Key(TEXT),
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
    display = Display(base)
    profile_tree = profiles.read_profile(folder, display, rep) if folder else None
    lists = _load_lists(base / "lists.yaml", display(base / "lists.yaml"), rep)
    if profile_tree is not None:
        lists.update(profiles.list_overrides(profile_tree, rep))
    case_file = display(base / "case.yaml")
    records = _load_records(base / "case.yaml", case_file, lists, rep)
    forms = _load_forms(base, display, lists, rep)
    rep.raise_if_any()  # an overlay on a broken base would only add confusing messages
    base_roles = contract.declared_roles({n: _choose_variant(f, None) for n, f in forms.items()})
    prof = Profile(name="Default council", slug="default", folder=None)
    missing_at = Where(case_file, 1, 1)
    if profile_tree is not None:
        prof = profiles.build_profile(profile_tree, forms, rep)
        forms, records = profiles.apply(profile_tree, forms, records, lists, rep)
        missing_at = Where(profile_tree.file, 1, 1)
    carry_checks.check(forms, records, rep)
    _check_forms(forms, display, rep)  # before variants are chosen, so every variant is checked
    forms = {name: _choose_variant(f, prof.variants.get(name)) for name, f in forms.items()}
    # What the code reads: the roles the base declares must survive the profile.
    contract.check_roles(forms, base_roles, missing_at, rep)
    contract.check_core_records(records, case_file, rep)
    person = records.get(roles.PERSON)
    category = person.child(roles.CATEGORY) if person else None
    if category is not None:
        contract.check_categories(category.options, missing_at, rep)
    rep.raise_if_any()
    # Every text a reader sees takes the council's values here, once (schema/placeholders.py).
    forms = placeholders.fill_forms(forms, prof)
    records = placeholders.fill_records(records, prof)
    return FormSet(
        profile=prof,
        lists=MappingProxyType(lists),
        records=MappingProxyType(records),
        forms=MappingProxyType(dict(sorted(forms.items(), key=lambda kv: kv[1].order))),
        schema_dir=base,
        profile_folder=folder,
    )


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
        audience = node.get("audience", "family")
        fields = builder.fields(node["fields"], file, str(name), audience)
        records[str(name)] = RecordDef(
            str(name),
            str(node["title"]),
            str(node["key"]),
            fields,
            audience=audience,
            family_if=builder.condition(node, "family_if", file, str(name)),
            chronology=_record_chronology(node, fields, file, rep, where),
        )
    return records


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _record_chronology(
    node: Any, fields: tuple[FieldDef, ...], file: str, rep: Reporter, where: Where
) -> RecordChronology | None:
    """A record's `chronology:`: which of its fields date an entry, and the entry's words."""
    spec = node.get("chronology")
    if spec is None:
        return None
    here = Where.of(file, node, "chronology", value=True)
    if not check_mapping(spec, file, RECORD_CHRONOLOGY_KEYS, rep, "chronology", here):
        return None
    ids = {f.id: f for f in fields}
    for key in ("date", "time"):
        if key in spec and spec[key] not in ids:
            rep.at(here, f"chronology {key}: the record has no field '{spec[key]}'")
    for key in ("text", "family_text", "source"):
        for used in _PLACEHOLDER.findall(str(spec.get(key) or "")):
            if used not in ids:
                rep.at(here, f"chronology {key}: the record has no field '{used}'")
    return RecordChronology(
        date=str(spec["date"]),
        text=str(spec["text"]),
        time=spec.get("time"),
        family_text=spec.get("family_text"),
        source=spec.get("source"),
    )


# -- documents --------------------------------------------------------------------------------


def _load_forms(
    base: Path, display: Display, lists: Mapping[str, tuple[Option, ...]], rep: Reporter
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
                role=node.get("role"),
                taf_edit=bool(node.get("taf_edit", False)),
                record=node.get("record"),
                pages=_pages(node, file, rep),
                source=f"{file}:{where.line}",
            )
        )
    return FormDefinition(
        form=str(tree["form"]),
        version=int(tree["version"]),
        title=str(tree["title"]),
        order=int(tree["order"]),
        sections=tuple(sections),
        family_title=tree.get("family_title"),
        title_plural=bool(tree.get("title_plural", False)),
        repeatable=bool(tree.get("repeatable", False)),
        process_date=tree.get("process_date"),
        follows=_follows(tree.get("follows", []), file, rep),
        notice=tree.get("notice"),
        rules=_rules(tree.get("rules", []), file, builder),
        stops=_stops(tree.get("stops", []), file, builder),
        allowed_after_consent_withdrawn=bool(tree.get("allowed_after_consent_withdrawn", False)),
        events=_events(tree.get("events", []), file, rep),
        people_details=bool(tree.get("people_details", False)),
        diagrams=tuple(str(d) for d in tree.get("diagrams", [])),
        carry_forward=carry.parse(tree.get("carry_forward", []), file, rep),
        migrations=_migrations(tree, file, rep),
        source=file,
    )


def _migrations(tree: Any, file: str, rep: Reporter) -> tuple[FormMigration, ...]:
    version = tree["version"] if isinstance(tree["version"], int) else 1
    return migrations.parse(tree.get("migrations", []), file, version, rep)


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
                    str(node["id"]),
                    str(node["date"]),
                    str(node["text"]),
                    node.get("family_text"),
                    node.get("role"),
                    source=f"{file}:{Where.of(file, nodes, i).line}",
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


def _pages(node: Any, file: str, rep: Reporter) -> tuple[SectionPage, ...]:
    """A section's `pages`: each {title, fields: [ids]}; every field of the section on exactly
    one page."""
    nodes = node.get("pages") or []
    ids = [str(f.get("id")) for f in node.get("fields") or [] if hasattr(f, "get")]
    seen: list[str] = []
    out = []
    for i, page in enumerate(nodes):
        where = Where.of(file, nodes, i)
        if not check_mapping(page, file, PAGE_KEYS, rep, "a page", where):
            continue
        fields = tuple(str(f) for f in page["fields"])
        for field_id in fields:
            if field_id not in ids:
                rep.at(
                    where,
                    f"page '{page['title']}': '{field_id}' is not a field of this section"
                    f"{did_you_mean(field_id, ids)}",
                )
            elif field_id in seen:
                rep.at(where, f"page '{page['title']}': '{field_id}' is already on another page")
            seen.append(field_id)
        out.append(SectionPage(str(page["title"]), fields))
    left = [i for i in ids if i not in seen]
    if nodes and left:
        rep.at(Where.of(file, node, "pages"), f"pages: no page asks {', '.join(left)}")
    return tuple(out)


def _stops(nodes: Any, file: str, builder: FieldBuilder) -> tuple[Stop, ...]:
    out = []
    for i, node in enumerate(nodes):
        if not check_mapping(
            node, file, STOP_KEYS, builder.rep, "a stop", Where.of(file, nodes, i)
        ):
            continue
        when = builder.condition(node, "when", file, "")
        if when is not None:
            out.append(Stop(when, str(node["path"]), str(node["title"]), str(node["text"])))
    return tuple(out)


def _choose_variant(form: FormDefinition, chosen: str | None) -> FormDefinition:
    variants = list(dict.fromkeys(s.variant for s in form.sections if s.variant))
    if not variants:
        return form
    keep = chosen or variants[0]
    return replace(form, sections=tuple(s for s in form.sections if s.variant in (None, keep)))


def _check_forms(forms: Mapping[str, FormDefinition], display: Display, rep: Reporter) -> None:
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
        for stop in form.stops:
            _check_path(form, stop.path, "stop path", None, where, rep)
            for path in stop.when.field_paths():
                _check_path(form, path, "stop", None, where, rep)
        for field in form.iter_fields():
            place = contract.where_of(field.source)
            for cond in (field.visible_if, field.required_if):
                for path in cond.field_paths() if cond else []:
                    _check_path(form, path, f"condition of '{field.id}'", None, place, rep)
            for key in ("on_or_after", "on_or_before"):
                if field.param(key):
                    _check_path(
                        form, field.param(key), f"'{key}' of '{field.id}'", ("date",), place, rep
                    )


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


__all__ = ["build_form", "default_schema_dir", "load_formset"]

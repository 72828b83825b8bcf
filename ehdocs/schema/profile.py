"""Council profiles: a folder whose profile.yaml is laid over the base schemas, no code changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ehdocs.errors import ProfileNotFoundError
from ehdocs.schema.builder import FieldBuilder, build_options
from ehdocs.schema.checks import ID, PATH, TEXT, Key, check_mapping
from ehdocs.schema.model import (
    DEFAULT_LETTER_WINDOW,
    DEFAULT_RETENTION,
    DEFAULT_SESSIONS,
    DEFAULT_TIMESCALES,
    TEAM_KINDS,
    FieldDef,
    FormDefinition,
    Option,
    Profile,
    RecordDef,
    SectionDef,
    SingleSignOn,
    SsoTeam,
)
from ehdocs.schema.yamlsrc import Display, Reporter, Where, did_you_mean, is_map, read_yaml

DOMAIN = {
    "type": "string",
    "pattern": r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
}
# The audit trail is evidence: kept at least six years (a claim can be brought that long), and
# PostgreSQL's append-only trigger lets nothing younger be deleted (migration 0005).
AUDIT_YEARS_AT_LEAST = 6
PROFILE_KEYS = {
    "name": Key(TEXT, required=True),
    "marking": Key(TEXT),
    "logo": Key(TEXT),
    "contact": Key({"type": "object", "additionalProperties": {"type": "string"}}),
    "timescales": Key({"type": "object"}),
    "retention": Key({"type": "object"}),
    "subject_access_disclose": Key({"type": "array", "items": {"type": "string"}}),
    "sessions": Key({"type": "object"}),
    "variants": Key({"type": "object", "additionalProperties": {"type": "string"}}),
    "lists": Key({"type": "object"}),
    "documents": Key({"type": "object"}),
    "records": Key({"type": "object"}),
    # nhs.net, police.uk (exactly), *.sch.uk (any subdomain): lower case, no "@"
    "partner_domains": Key({"type": "array", "items": DOMAIN}),
    "sso": Key({"type": "object"}),
    "letter_window": Key({"type": "object"}),
}
# Single sign-on: the identity provider's groups -> ehdocs roles and teams. Role names are
# checked when the service starts (ehdocs.access.oidc): the roles live above this layer.
GROUP_MAP = {"type": "object", "additionalProperties": TEXT}
SSO_KEYS = {
    "groups_claim": Key(TEXT),
    "roles": Key(GROUP_MAP, required=True),
    "teams": Key({"type": "object"}),
}
SSO_TEAM_KEYS = {"name": Key(TEXT, required=True), "kind": Key({"enum": list(TEAM_KINDS)})}
OVERLAY_KEYS = {
    "title": Key(TEXT),
    "family_title": Key(TEXT),
    "title_plural": Key({"type": "boolean"}),
    "overrides": Key({"type": "object"}),
    "add_fields": Key({"type": "array"}),
    "remove_fields": Key({"type": "array", "items": PATH}),
}
ADD_KEYS = {"section": Key(ID), "after": Key(ID), "field": Key({"type": "object"}, required=True)}
# Keys an override may change; structure (id, type, fields) is changed by add/remove instead.
OVERRIDABLE = (
    "label",
    "family_label",
    "hint",
    "error_name",
    "audience",
    "required",
    "messages",
    "title",
    "description",
)


class _Tree:
    """A read profile.yaml with its file name."""

    def __init__(self, node: Any, file: str, folder: Path) -> None:
        self.node = node
        self.file = file
        self.folder = folder

    def where(self, node: Any, key: str | int | None = None, value: bool = False) -> Where:
        return Where.of(self.file, node, key, value)


def resolve_folder(profile: str | Path | None, base: Path) -> Path | None:
    if profile is None:
        profile = "default"
    if str(profile) == "default" and not (base / "profiles/default").is_dir():
        return None
    candidate = Path(profile)
    if not candidate.is_dir():
        candidate = base / "profiles" / str(profile)
    if not (candidate / "profile.yaml").is_file():
        names = sorted(p.name for p in (base / "profiles").glob("*") if p.is_dir())
        raise ProfileNotFoundError(
            f"No council profile '{profile}': expected a folder with a profile.yaml,"
            f" or one of: {', '.join(names)}"
        )
    return candidate.resolve()


def read_profile(folder: Path, display: Display, rep: Reporter) -> _Tree | None:
    file = display(folder / "profile.yaml")
    tree = _Tree(read_yaml(folder / "profile.yaml", file), file, folder)
    if not check_mapping(tree.node, file, PROFILE_KEYS, rep, "profile.yaml"):
        return None
    return tree


def list_overrides(tree: _Tree, rep: Reporter) -> dict[str, tuple[Option, ...]]:
    node = tree.node.get("lists", {})
    return {str(k): build_options(node[k], tree.file, rep, tree.where(node, k)) for k in node}


def build_profile(tree: _Tree, forms: Mapping[str, FormDefinition], rep: Reporter) -> Profile:
    node = tree.node
    timescales = _numbers(tree, "timescales", "timescale", DEFAULT_TIMESCALES, 0, rep)
    sessions = _numbers(tree, "sessions", "session setting", DEFAULT_SESSIONS, 1, rep)
    retention = _numbers(tree, "retention", "retention setting", DEFAULT_RETENTION, 1, rep)
    if retention["audit_years"] < AUDIT_YEARS_AT_LEAST:
        rep.at(
            tree.where(tree.node["retention"], "audit_years", value=True),
            f"retention setting 'audit_years' must be at least {AUDIT_YEARS_AT_LEAST}: the audit "
            "trail is evidence for as long as a claim can be brought",
        )
    variants = dict(node.get("variants", {}))
    for form_name, variant in variants.items():
        form = forms.get(form_name)
        known = sorted({s.variant for s in form.sections if s.variant}) if form else []
        if variant not in known:
            rep.at(
                tree.where(node["variants"], form_name, value=True),
                f"form '{form_name}' has no variant '{variant}'"
                f" (expected one of: {', '.join(known) or 'none: it has no variants'})",
            )
    logo = None
    if "logo" in node:
        logo = (tree.folder / str(node["logo"])).resolve()
        if not logo.is_file() or tree.folder not in logo.parents:
            rep.at(
                tree.where(node, "logo", value=True),
                f"logo '{node['logo']}' is not a file in the profile folder",
            )
            logo = None
    return Profile(
        name=str(node["name"]),
        slug=tree.folder.name,
        folder=tree.folder,
        marking=str(node.get("marking", "OFFICIAL-SENSITIVE")),
        logo=logo,
        contact=MappingProxyType({str(k): str(v) for k, v in node.get("contact", {}).items()}),
        timescales=MappingProxyType(timescales),
        variants=MappingProxyType({str(k): str(v) for k, v in variants.items()}),
        partner_domains=tuple(str(d) for d in node.get("partner_domains", [])),
        sso=build_sso(tree, rep) if "sso" in node else None,
        sessions=MappingProxyType(sessions),
        retention=MappingProxyType(retention),
        subject_access_disclosed=tuple(str(c) for c in node.get("subject_access_disclose", [])),
        letter_window=MappingProxyType(
            _numbers(tree, "letter_window", "letter window setting", DEFAULT_LETTER_WINDOW, 0, rep)
        ),
    )


def build_sso(tree: _Tree, rep: Reporter) -> SingleSignOn | None:
    """The profile's `sso:` mapping of identity-provider groups to roles and teams."""
    node = tree.node["sso"]
    ok = check_mapping(node, tree.file, SSO_KEYS, rep, "sso", tree.where(tree.node, "sso"))
    if not is_map(node) or not is_map(node.get("teams", {})):
        return None
    teams: dict[str, SsoTeam] = {}
    for group, team in node.get("teams", {}).items():
        where = tree.where(node["teams"], group, value=True)
        if isinstance(team, str) and team:
            teams[str(group)] = SsoTeam(team)
        elif check_mapping(team, tree.file, SSO_TEAM_KEYS, rep, f"team of '{group}'", where):
            teams[str(group)] = SsoTeam(str(team["name"]), str(team.get("kind", "locality")))
    if not ok:
        return None
    return SingleSignOn(
        groups_claim=str(node.get("groups_claim", "groups")),
        roles=MappingProxyType({str(k): str(v) for k, v in node["roles"].items()}),
        teams=MappingProxyType(teams),
    )


def _numbers(
    tree: _Tree, key: str, what: str, defaults: Mapping[str, int], least: int, rep: Reporter
) -> dict[str, int]:
    """A mapping of named whole numbers (timescales, session times) over their defaults."""
    node = tree.node.get(key, {})
    numbers = dict(defaults)
    for name, value in node.items():
        if name not in defaults:
            rep.at(
                tree.where(node, name),
                f"unknown {what} '{name}'"
                f"{did_you_mean(name, defaults)}"
                f" (expected one of: {', '.join(defaults)})",
            )
        elif not isinstance(value, int) or isinstance(value, bool) or value < least:
            rep.at(
                tree.where(node, name, value=True),
                f"{what} '{name}' must be a whole number of at least {least}",
            )
        else:
            numbers[name] = int(value)
    return numbers


def apply(
    tree: _Tree,
    forms: dict[str, FormDefinition],
    records: dict[str, RecordDef],
    lists: Mapping[str, tuple[Option, ...]],
    rep: Reporter,
    only: str | None = None,
) -> tuple[dict[str, FormDefinition], dict[str, RecordDef]]:
    """Lay the profile's document and record overlays over the base definitions; `only`: that
    document's overlay alone (an earlier version of one form), records left as they are."""
    builder = FieldBuilder(lists, rep)
    forms = dict(forms)
    docs = tree.node.get("documents", {})
    for name in docs:
        if only is not None and name != only:
            continue
        if name not in forms:
            rep.at(
                tree.where(docs, name),
                f"there is no document '{name}'"
                f"{did_you_mean(str(name), forms)} (expected one of: {', '.join(forms)})",
            )
            continue
        overlay = _Overlay(tree, docs[name], builder, rep)
        forms[name] = overlay.form(forms[name], lists)
    records = dict(records)
    recs = tree.node.get("records", {}) if only is None else {}
    for name in recs:
        if name not in records:
            rep.at(
                tree.where(recs, name),
                f"there is no record '{name}'{did_you_mean(str(name), records)}",
            )
            continue
        overlay = _Overlay(tree, recs[name], builder, rep, document=False)
        record = records[name]
        overlay.check_targets(set(), record.iter_fields(), str(name))
        section = overlay.section(SectionDef(record.name, record.title, record.fields), lists)
        records[name] = replace(record, fields=section.fields)
    return forms, records


class _Overlay:
    """One document's (or record's) overlay: overrides, removed fields and added fields."""

    def __init__(
        self, tree: _Tree, node: Any, builder: FieldBuilder, rep: Reporter, document: bool = True
    ) -> None:
        self.tree, self.node, self.builder, self.rep = tree, node, builder, rep
        what = "a document overlay" if document else "a record overlay"
        self.ok = check_mapping(node, tree.file, OVERLAY_KEYS, rep, what, tree.where(node))
        # Each added field is checked once here, not once per section it might belong to.
        self.adds: list[tuple[Any, Where]] = []
        for i, add in enumerate(node.get("add_fields", []) if self.ok else []):
            where = tree.where(node["add_fields"], i)
            if not check_mapping(add, tree.file, ADD_KEYS, rep, "an added field", where):
                continue
            if document and "section" not in add:
                rep.at(where, "an added field needs 'section': the section it goes in")
                continue
            self.adds.append((add, where))

    def form(self, form: FormDefinition, lists: Mapping[str, tuple[Option, ...]]) -> FormDefinition:
        if not self.ok:
            return form
        sections = tuple(self.section(s, lists) for s in form.sections)
        self.check_targets({s.id for s in form.sections}, form.iter_fields(), form.form)
        return replace(
            form,
            title=str(self.node.get("title", form.title)),
            family_title=self.node.get("family_title", form.family_title),
            title_plural=bool(self.node.get("title_plural", form.title_plural)),
            sections=sections,
        )

    def section(self, section: SectionDef, lists: Mapping[str, tuple[Option, ...]]) -> SectionDef:
        if not self.ok:
            return section
        overrides = self.node.get("overrides", {})
        if section.id in overrides:
            changes = self._changes(
                overrides, section.id, ("title", "family_title", "description", "audience")
            )
            section = replace(section, **changes)
        fields = self._fields(section.fields, overrides)
        for add, where in self.adds:
            if add.get("section", section.id) != section.id:
                continue
            field = self.builder.field(
                add["field"],
                self.tree.file,
                section.id,
                section.audience,
                self.tree.where(add, "field", value=True),
            )
            if field is not None:
                fields = _insert(fields, field, add.get("after"), self.rep, where)
        return replace(section, fields=fields)

    def _fields(self, fields: tuple[FieldDef, ...], overrides: Any) -> tuple[FieldDef, ...]:
        removed = set(self.node.get("remove_fields", []))
        kept = []
        for field in fields:
            if field.path in removed:
                continue
            if field.path in overrides:
                field = replace(field, **self._changes(overrides, field.path, OVERRIDABLE))
            if field.fields:
                field = replace(field, fields=self._fields(field.fields, overrides))
            kept.append(field)
        return tuple(kept)

    def _changes(self, overrides: Any, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        node = overrides[path]
        spec = {k: Key({}) for k in allowed}
        if not check_mapping(
            node,
            self.tree.file,
            spec,
            self.rep,
            f"the override of '{path}'",
            self.tree.where(overrides, path),
        ):
            return {}
        changes = {k: node[k] for k in node}
        if "messages" in changes:
            changes["messages"] = MappingProxyType(
                {str(k): str(v) for k, v in changes["messages"].items()}
            )
        return changes

    def check_targets(self, section_ids: set[str], fields: Iterable[FieldDef], name: str) -> None:
        """Every path the overlay names must exist, or the council's change would do nothing."""
        if not self.ok:
            return
        paths = {f.path for f in fields} | section_ids
        for path in self.node.get("overrides", {}):
            if path not in paths:
                self.rep.at(
                    self.tree.where(self.node["overrides"], path),
                    f"override: '{path}' is not a field or section of '{name}'"
                    f"{did_you_mean(str(path), paths)}",
                )
        for i, path in enumerate(self.node.get("remove_fields", [])):
            if path not in paths:
                self.rep.at(
                    self.tree.where(self.node["remove_fields"], i),
                    f"remove_fields: '{path}' is not a field of '{name}'"
                    f"{did_you_mean(str(path), paths)}",
                )
        for add, where in self.adds:
            if add.get("section") and add["section"] not in section_ids:
                self.rep.at(
                    where,
                    f"add_fields: '{name}' has no section '{add['section']}'"
                    f"{did_you_mean(str(add['section']), section_ids)}",
                )


def _insert(
    fields: tuple[FieldDef, ...], field: FieldDef, after: str | None, rep: Reporter, where: Where
) -> tuple[FieldDef, ...]:
    if any(f.id == field.id for f in fields):
        rep.at(where, f"added field '{field.id}' has the id of an existing field")
        return fields
    if after is None:
        return (*fields, field)
    ids = [f.id for f in fields]
    if after not in ids:
        rep.at(where, f"after: there is no field '{after}' here{did_you_mean(after, ids)}")
        return (*fields, field)
    i = ids.index(after) + 1
    return (*fields[:i], field, *fields[i:])

"""YAML nodes to FieldDefs and option lists: used for the base files and profile additions alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from ehdocs.schema import roles
from ehdocs.schema.checks import BOOL, ID, TEXT, Key, check_mapping
from ehdocs.schema.conditions import Condition, parse_condition
from ehdocs.schema.model import AUDIENCES, FieldDef, Option
from ehdocs.schema.types import FIELD_TYPES
from ehdocs.schema.yamlsrc import Reporter, Where, did_you_mean, is_map, is_seq

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
    "contact": Key(BOOL),
    "used_as": Key({"enum": list(roles.FIELD_ROLES)}),
    # ehdocs writes this answer itself (when a note was written, a stored file's digest): no
    # page or blank form asks for it, and a save keeps the value already stored.
    "set_by_ehdocs": Key(BOOL),
}
OPTION_KEYS = {
    "value": Key({"type": "string", "minLength": 1}, required=True),
    "label": Key(TEXT, required=True),
    "family_label": Key(TEXT),
    "role": Key({"enum": list(roles.CATEGORY_ROLES)}),
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
        options.append(
            Option(
                str(item["value"]),
                str(item["label"]),
                item.get("family_label"),
                item.get("role"),
                source=f"{file}:{here.line}",
            )
        )
    return tuple(options)


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
        ftype = FIELD_TYPES.get(str(type_name)) if isinstance(type_name, str) else None
        if type_name is not None and ftype is None:
            rep.at(
                Where.of(file, node, "type", value=True),
                f"unknown field type '{type_name}'{did_you_mean(str(type_name), FIELD_TYPES)}"
                f" (expected one of: {', '.join(sorted(FIELD_TYPES))})",
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
            k: plain(node[k]) for k in ftype.keys if k in node and k not in ("options", "fields")
        }
        if node.get("set_by_ehdocs"):
            params["set_by_ehdocs"] = True
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
            contact=bool(node.get("contact", False)),
            used_as=node.get("used_as"),
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
        cond = parse_condition(plain(node[key]), lambda msg: self.rep.at(where, f"{key}: {msg}"))
        return absolute_condition(cond, parent) if cond else None


def absolute_condition(cond: Condition, parent: str) -> Condition:
    """Bare field names in a condition name siblings: make them full paths once, at load."""
    if cond.field is not None:
        full = cond.field if "." in cond.field else f"{parent}.{cond.field}"
        return replace(cond, field=full)
    return replace(cond, parts=tuple(absolute_condition(p, parent) for p in cond.parts))


def plain(value: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists."""
    if is_map(value):
        return {str(k): plain(v) for k, v in value.items()}
    if is_seq(value):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value

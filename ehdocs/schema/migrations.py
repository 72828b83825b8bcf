"""A form's `migrations:`: how data written against one version becomes the next version's.

Read from the form file (each entry moves data from version `from` to `from + 1`), and applied
to the raw data of draft documents and page drafts; completed documents keep their version.

```yaml
migrations:
  - from: 1
    steps:
      - rename_field: referrer.name          # same section (or group), new id
        to: referrer.full_name
      - move_field: referrer.phone           # to another section
        to: contact.phone
      - rename_option: reason.level          # an option value renamed
        from: low
        to: universal
      - merge_options: reason.need           # several values become one
        from: [housing, money]
        to: housing_and_money
      - remove_field: referrer.fax           # the answer is kept in the document's history
      - add_field: referrer.consent_date     # new: a draft asks for it before it completes
      - limit_field: reason.details          # a text answer's limit changed; answers stay
        max_length: 2000                     #   as they are (a draft over it is asked to cut)
```
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.schema.checks import PATH, Key, check_mapping
from ehdocs.schema.model import (
    MIGRATION_KINDS,
    FormDefinition,
    FormMigration,
    FormSet,
    MigrationStep,
)
from ehdocs.schema.yamlsrc import Reporter, Where, is_map, is_seq

MIGRATION_KEYS = {
    "from": Key({"type": "integer", "minimum": 1}, required=True),
    "steps": Key({"type": "array", "minItems": 1}, required=True),
}
_VALUE = {"type": "string", "minLength": 1}
STEP_KEYS: dict[str, dict[str, Key]] = {
    "rename_field": {"rename_field": Key(PATH, required=True), "to": Key(PATH, required=True)},
    "move_field": {"move_field": Key(PATH, required=True), "to": Key(PATH, required=True)},
    "rename_option": {
        "rename_option": Key(PATH, required=True),
        "from": Key(_VALUE, required=True),
        "to": Key(_VALUE, required=True),
    },
    "merge_options": {
        "merge_options": Key(PATH, required=True),
        "from": Key({"type": "array", "minItems": 2, "items": _VALUE}, required=True),
        "to": Key(_VALUE, required=True),
    },
    "remove_field": {"remove_field": Key(PATH, required=True)},
    "add_field": {"add_field": Key(PATH, required=True)},
    "limit_field": {
        "limit_field": Key(PATH, required=True),
        "max_length": Key({"type": "integer", "minimum": 1}, required=True),
    },
}
HISTORY_KEY = "history"  # a document's answers that a later version removed


# -- reading the YAML -------------------------------------------------------------------------


def parse(nodes: Any, file: str, version: int, rep: Reporter) -> tuple[FormMigration, ...]:
    out: list[FormMigration] = []
    for i, node in enumerate(nodes):
        where = Where.of(file, nodes, i)
        if not check_mapping(node, file, MIGRATION_KEYS, rep, "a migration", where):
            continue
        start = int(node["from"])
        if start >= version:
            rep.at(
                where,
                f"migration from version {start}: the form is version {version}, so migrations "
                f"go from 1 to {version - 1}",
            )
        if any(m.from_version == start for m in out):
            rep.at(where, f"there are two migrations from version {start}")
        steps = tuple(_steps(node["steps"], file, rep))
        out.append(FormMigration(start, steps, source=f"{file}:{where.line}"))
    return tuple(sorted(out, key=lambda m: m.from_version))


def _steps(nodes: Any, file: str, rep: Reporter) -> Iterator[MigrationStep]:
    for i, node in enumerate(nodes):
        where = Where.of(file, nodes, i)
        kinds = [k for k in MIGRATION_KINDS if is_map(node) and k in node]
        if len(kinds) != 1:
            rep.at(where, f"a migration step says one of: {', '.join(MIGRATION_KINDS)}")
            continue
        kind = kinds[0]
        if not check_mapping(node, file, STEP_KEYS[kind], rep, f"a {kind} step", where):
            continue
        path = str(node[kind])
        source = f"{file}:{where.line}"
        if kind in ("rename_field", "move_field"):
            to = str(node["to"])
            if not _problem_with_move(kind, path, to, where, rep):
                yield MigrationStep(kind, path, to, source=source)
        elif kind in ("rename_option", "merge_options"):
            olds = node["from"] if is_seq(node["from"]) else [node["from"]]
            yield MigrationStep(
                kind, path, str(node["to"]), tuple(str(v) for v in olds), source=source
            )
        elif kind == "limit_field":
            yield MigrationStep(kind, path, max_length=int(node["max_length"]), source=source)
        else:
            yield MigrationStep(kind, path, source=source)


def _problem_with_move(kind: str, path: str, to: str, where: Where, rep: Reporter) -> bool:
    parent, _, _ = path.rpartition(".")
    new_parent, _, _ = to.rpartition(".")
    if "." not in path or "." not in to:
        rep.at(where, f"{kind}: paths are section.field (got '{path}' to '{to}')")
        return True
    if kind == "rename_field" and parent != new_parent:
        rep.at(
            where,
            f"rename_field keeps a field where it is ('{path}' to '{to}'): use move_field to "
            "move it to another section",
        )
        return True
    if kind == "move_field" and (path.count(".") != 1 or to.count(".") != 1):
        rep.at(where, f"move_field moves a section's field to another section (got '{path}')")
        return True
    return False


# -- applying to data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What one step did to one document: for `ehdocs migrate --dry-run` and the audit."""

    from_version: int
    kind: str
    path: str  # where the answer was (with row indexes), or the new field's path
    to: str | None = None
    detail: str = ""

    def __str__(self) -> str:
        words = {
            "rename_field": f"{self.path} renamed to {self.to}",
            "move_field": f"{self.path} moved to {self.to}",
            "rename_option": f"{self.path}: {self.detail}",
            "merge_options": f"{self.path}: {self.detail}",
            "remove_field": f"{self.path} removed (its answer kept in the document's history)",
            "add_field": f"{self.path} is new: the draft asks for it",
            "limit_field": f"{self.path}: {self.detail}",
        }
        return f"v{self.from_version}→v{self.from_version + 1}: {words[self.kind]}"


@dataclass(frozen=True)
class Migrated:
    data: dict[str, Any]
    version: int
    changes: tuple[Change, ...]
    removed: tuple[dict[str, Any], ...]  # history entries: form_version, field, value


def migrate_data(data: Mapping[str, Any], form: FormDefinition, version: int) -> Migrated:
    """A document's raw data written against `version`, as the current version of `form`
    holds it. A version without a declared migration moves on unchanged (`ehdocs schema
    check` refuses such a form)."""
    out = copy.deepcopy(dict(data))
    changes: list[Change] = []
    removed: list[dict[str, Any]] = []
    for start in range(version, form.version):
        migration = form.migration_from(start)
        for step in migration.steps if migration else ():
            changes.extend(_apply(out, step, start, removed))
    return Migrated(out, max(version, form.version), tuple(changes), tuple(removed))


@dataclass(frozen=True)
class DocumentMigration:
    """One draft document brought up to its form's current version."""

    document: str  # its form and id: "notification no1"
    from_version: int
    to_version: int
    changes: tuple[Change, ...]


def document_version(doc: Mapping[str, Any]) -> int:
    """The version a document was written on; none recorded: 1 (every document was, before
    versions were recorded)."""
    version = doc.get("form_version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 1


def migrate_drafts(
    raw_case: Mapping[str, Any], formset: FormSet
) -> tuple[dict[str, Any], list[DocumentMigration]]:
    """The raw case with each draft document written on an earlier version of its form moved
    to the current one (answers a version removed go to the document's `history`); completed
    documents keep their version. The case given is not changed."""
    done: list[DocumentMigration] = []
    documents = []
    for doc in raw_case.get("documents") or []:
        form = formset.forms.get(str(doc.get("form"))) if isinstance(doc, Mapping) else None
        if form is None or doc.get("status") != "draft" or document_version(doc) >= form.version:
            documents.append(doc)
            continue
        before = document_version(doc)
        data = doc.get("data")
        moved = migrate_data(data if isinstance(data, Mapping) else {}, form, before)
        new = {**copy.deepcopy(dict(doc)), "form_version": moved.version, "data": moved.data}
        if moved.removed:
            new[HISTORY_KEY] = list(new.get(HISTORY_KEY) or []) + list(moved.removed)
        documents.append(new)
        label = f"{doc.get('form')} {doc.get('id', '')}".strip()
        done.append(DocumentMigration(label, before, moved.version, moved.changes))
    if not done:
        return dict(raw_case), []
    return {**raw_case, "documents": documents}, done


def _apply(
    data: dict[str, Any], step: MigrationStep, start: int, removed: list[dict[str, Any]]
) -> Iterator[Change]:
    parent, _, key = step.path.rpartition(".")
    if step.kind == "add_field":
        yield Change(start, step.kind, step.path)
        return
    if step.kind == "limit_field":
        # The answers stay as they are, whatever their length: a draft over the new limit is
        # read and shown whole, and asked to be cut when it is next saved.
        yield from _over_limit(data, step, start)
        return
    if step.kind == "move_field":
        section = data.get(parent)
        if isinstance(section, dict) and key in section:
            value = section.pop(key)
            if not section:
                data.pop(parent)
            target, _, new_key = str(step.to).partition(".")
            into = data.setdefault(target, {})
            if isinstance(into, dict):
                into[new_key] = value
                yield Change(start, step.kind, step.path, step.to)
        return
    for container, where in _containers(data, parent.split(".")):
        if key not in container:
            continue
        here = f"{where}.{key}"
        if step.kind == "rename_field":
            new_key = str(step.to).rpartition(".")[2]
            container[new_key] = container.pop(key)
            yield Change(start, step.kind, here, f"{where}.{new_key}")
        elif step.kind == "remove_field":
            value = container.pop(key)
            removed.append({"form_version": start, "field": here, "value": value})
            yield Change(start, step.kind, here)
        else:
            changed = _renamed_options(container[key], step)
            if changed is not None:
                old = ", ".join(v for v in step.options if v in _as_list(container[key]))
                container[key] = changed
                yield Change(start, step.kind, here, step.to, f"'{old}' became '{step.to}'")


def _over_limit(data: dict[str, Any], step: MigrationStep, start: int) -> Iterator[Change]:
    parent, _, key = step.path.rpartition(".")
    for container, where in _containers(data, parent.split(".")):
        value = container.get(key)
        if isinstance(value, str) and step.max_length and len(value) > step.max_length:
            detail = (
                f"{len(value):,} characters, over the new limit of {step.max_length:,} "
                "(kept whole: cut when next saved)"
            )
            yield Change(start, step.kind, f"{where}.{key}", detail=detail)


def _renamed_options(value: Any, step: MigrationStep) -> Any:
    if isinstance(value, str):
        return step.to if value in step.options else None
    if isinstance(value, list) and any(v in step.options for v in value):
        renamed = [step.to if v in step.options else v for v in value]
        return list(dict.fromkeys(renamed))  # merged options count once
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _containers(data: dict[str, Any], parts: list[str]) -> list[tuple[dict[str, Any], str]]:
    """The mappings at a path (each row of a group), with their paths (row indexes in)."""
    nodes: list[tuple[dict[str, Any], str]] = [(data, "")]
    for part in parts:
        found: list[tuple[dict[str, Any], str]] = []
        for node, prefix in nodes:
            child = node.get(part)
            here = f"{prefix}.{part}" if prefix else part
            if isinstance(child, dict):
                found.append((child, here))
            elif isinstance(child, list):
                found.extend(
                    (row, f"{here}[{i}]") for i, row in enumerate(child) if isinstance(row, dict)
                )
        nodes = found
    return nodes


def path_in(path: str, form: FormDefinition, version: int) -> str | None:
    """Where a field of `version` is in the current version (row indexes kept); None when a
    later version removed it."""
    for start in range(version, form.version):
        migration = form.migration_from(start)
        for step in migration.steps if migration else ():
            if step.kind == "remove_field" and _plain(path) == step.path:
                return None
            if step.kind in ("rename_field", "move_field") and _plain(path) == step.path:
                path = _with_rows(path, str(step.to))
    return path


def _plain(path: str) -> str:
    return ".".join(part.partition("[")[0] for part in path.split("."))


def _with_rows(path: str, new: str) -> str:
    # A renamed field keeps its rows: children.children[1].name -> children.children[1].id
    head, _, _ = path.rpartition(".")
    if _plain(head) == new.rpartition(".")[0]:
        return f"{head}.{new.rpartition('.')[2]}"
    return new

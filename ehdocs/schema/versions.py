"""Earlier versions of the forms, kept as they were: form_schemas/versions/<form>/<N>.yaml.

A kept version is the form file as it was at version N, with the option lists it used under its
own `lists:` (so a list renamed later does not change its words). A completed document keeps
the version it was written on: it is shown with that version's labels and options and held to
its limits, read from here when first needed and cached. `check` compares each kept version
with the next one and refuses a change that no migration step explains, a changed max_length
included (`ehdocs schema check`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ehdocs.errors import SchemaError, SchemaProblem, UnknownDocumentError
from ehdocs.schema import loader, migrations, placeholders
from ehdocs.schema import profile as profiles
from ehdocs.schema.builder import build_options
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet, Option
from ehdocs.schema.yamlsrc import Display, Reporter, Where, is_map, read_yaml

FOLDER = "versions"


def kept_file(base: Path, form: str, version: int) -> Path:
    return base / FOLDER / form / f"{version}.yaml"


def kept_versions(base: Path, form: str) -> list[int]:
    folder = base / FOLDER / form
    found = (p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else ()
    return sorted(int(stem) for stem in found if stem.isdigit())


def definition(formset: FormSet, name: str, version: int | None) -> FormDefinition:
    """The form as it was at `version` (None or the current version: as it is now): a
    completed document is shown with the words and options it was written with. An earlier
    version is read from form_schemas/versions/ when first asked for, then cached."""
    form = formset.form(name)
    if version is None or version == form.version:
        return form
    return earlier_version(formset, form, version)


def document_definition(formset: FormSet, doc: Mapping[str, Any]) -> FormDefinition:
    """The definition a stored document is read with: a completed one, its own version's
    (`form_version`; none recorded: version 1, as every document was before versions were
    recorded); a draft, the current one (drafts are migrated when they are read)."""
    if doc.get("status") != "completed":
        return formset.form(str(doc.get("form")))
    return definition(formset, str(doc.get("form")), migrations.document_version(doc))


def earlier_version(formset: FormSet, form: FormDefinition, version: int) -> FormDefinition:
    """The form as it was at `version`, with the profile's overlay where it still fits."""
    base = (formset.schema_dir or loader.default_schema_dir()).resolve()
    path = kept_file(base, form.form, version)
    if version > form.version or not path.is_file():
        raise UnknownDocumentError(
            f"This {form.title} was written on version {version} of the form, and this service "
            f"has no copy of that version ({Display(base)(path)}): put the copy back from the "
            "council's copy of form_schemas (it is never deleted)"
        )
    stamp = path.stat().st_mtime_ns
    return _kept(base, formset.profile_folder, form.form, version, stamp, formset)


@lru_cache(maxsize=64)
def _kept(
    base: Path, folder: Path | None, name: str, version: int, _stamp: int, formset: FormSet
) -> FormDefinition:
    rep = Reporter()
    form = read_kept(base, name, version, rep)
    rep.raise_if_any()
    assert form is not None
    if folder is not None:
        form = _with_profile(base, folder, form, formset)
    form = loader._choose_variant(form, formset.profile.variants.get(name))
    return placeholders.fill_forms({name: form}, formset.profile)[name]


def read_kept(base: Path, name: str, version: int, rep: Reporter) -> FormDefinition | None:
    """A kept version as the base files define it (no profile), problems reported in `rep`."""
    path = kept_file(base, name, version)
    form = read_whole(base, path, rep)
    if form is not None and (form.form, form.version) != (name, version):
        rep.at(
            Where(Display(base)(path), 1, 1),
            f"this file keeps version {version} of '{name}' but says form '{form.form}', "
            f"version {form.version}",
        )
    return form


def read_whole(base: Path, path: Path, rep: Reporter) -> FormDefinition | None:
    """A form file (kept or current) as the base files define it, every variant's sections
    in (no profile, no variant chosen), with the option lists it keeps under `lists:`."""
    file = Display(base)(path)
    tree = read_yaml(path, file)
    if not is_map(tree):
        rep.at(Where(file, 1, 1), "a form file must be a mapping of keys")
        return None
    lists = loader._load_lists(base / "lists.yaml", Display(base)(base / "lists.yaml"), rep)
    own = tree.pop("lists", None) or {}
    for list_name in own if is_map(own) else ():
        lists[str(list_name)] = build_options(
            own[list_name], file, rep, Where.of(file, own, list_name)
        )
    return loader.build_form(tree, file, lists, rep)


def _with_profile(
    base: Path, folder: Path, form: FormDefinition, formset: FormSet
) -> FormDefinition:
    """The profile's overlay on an earlier version; left off where it names what that version
    did not have (the version is shown as the base defined it rather than not at all)."""
    rep = Reporter()
    tree = profiles.read_profile(folder, Display(base), rep)
    if tree is None:
        return form
    lists = dict(formset.lists)
    forms, _ = profiles.apply(
        tree, {form.form: form}, dict(formset.records), lists, rep, only=form.form
    )
    return form if rep.problems else forms[form.form]


# -- keeping a copy -----------------------------------------------------------------------------


def keep(base: Path, name: str) -> Path:
    """Copy the current form file to versions/<form>/<version>.yaml, with the option lists it
    names; refuse to overwrite a different copy of the same version."""
    source = base / f"{name}.yaml"
    if not source.is_file():
        raise UnknownDocumentError(f"There is no form file {Display(base)(source)}")
    text = source.read_text(encoding="utf-8")
    yaml = YAML(typ="rt")
    tree = yaml.load(text)
    version = int(tree["version"])
    lists = read_yaml(base / "lists.yaml", "lists.yaml")["lists"]
    used = sorted({str(v) for v in _list_names(tree)} & {str(k) for k in lists})
    if used:
        text = text.rstrip("\n") + "\n\n# The option lists as they were at this version.\nlists:\n"
        for list_name in used:
            text += _list_yaml(list_name, lists[list_name])
    target = kept_file(base, name, version)
    if target.is_file() and target.read_text(encoding="utf-8") != text:
        raise SchemaError(
            [
                SchemaProblem(
                    Display(base)(target),
                    1,
                    1,
                    f"version {version} of '{name}' is kept already, and differs from the form "
                    "file now: bump the form's version and declare a migration instead",
                )
            ]
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _list_names(node: Any) -> Iterator[str]:
    if is_map(node):
        for key, value in node.items():
            if key == "options" and isinstance(value, str):
                yield value
            else:
                yield from _list_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _list_names(item)


def _list_yaml(name: str, options: Any) -> str:
    lines = [f"  {name}:\n"]
    for option in options:
        pairs = ", ".join(f"{k}: {_quoted(v)}" for k, v in option.items())
        lines.append(f"    - {{{pairs}}}\n")
    return "".join(lines)


def _quoted(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


# -- the check: every change between versions is explained ------------------------------------


def check(base: Path, forms: dict[str, FormDefinition], rep: Reporter) -> None:
    """Report, by file, each difference between consecutive versions of a form that its
    migrations do not explain; and a form changed since its current version was kept. Each
    form is compared whole, every variant's sections in (a profile chooses one)."""
    for chosen in forms.values():
        kept = kept_versions(base, chosen.form)
        form = read_whole(base, base / f"{chosen.form}.yaml", rep) or chosen
        where = Where(form.source, 1, 1)
        if form.version in kept:
            same = read_kept(base, form.form, form.version, rep)
            if same is not None and _signature(same) != _signature(form):
                rep.at(
                    where,
                    f"'{form.form}' is still version {form.version}, but its fields or options "
                    f"differ from the copy of version {form.version} kept in "
                    f"{Display(base)(kept_file(base, form.form, form.version))}: bump its "
                    "version and declare a migration",
                )
        for start in range(1, form.version):
            if start not in kept:
                if start == form.version - 1:
                    rep.at(
                        where,
                        f"'{form.form}' is version {form.version}, but version {start} is not "
                        f"kept in {Display(base)(kept_file(base, form.form, start))}: keep it "
                        "(ehdocs schema keep-version, before the change) so documents written "
                        "on it can still be shown",
                    )
                continue
            older = read_kept(base, form.form, start, rep)
            newer = form if start + 1 == form.version else None
            if newer is None and start + 1 in kept:
                newer = read_kept(base, form.form, start + 1, rep)
            if older is not None and newer is not None:
                _compare(older, newer, form, rep)


def _compare(
    older: FormDefinition, newer: FormDefinition, current: FormDefinition, rep: Reporter
) -> None:
    start = older.version
    migration = current.migration_from(start)
    where = Where(current.source, 1, 1)
    if migration is not None:
        file, _, line = migration.source.rpartition(":")
        where = Where(file, int(line), 1)
    problems = list(_unexplained(older, newer, migration.steps if migration else ()))
    if migration is None and not problems:
        problems = ["the version went up, but no migration says what changed"]
    for problem in problems:
        rep.at(where, f"'{current.form}' version {start} → {start + 1}: {problem}")


def _unexplained(
    older: FormDefinition, newer: FormDefinition, steps: tuple[Any, ...]
) -> Iterator[str]:
    old = _fields(older)
    new = _fields(newer)
    moved = {s.path: str(s.to) for s in steps if s.kind in ("rename_field", "move_field")}
    removed = {s.path for s in steps if s.kind == "remove_field"}
    added = {s.path for s in steps if s.kind == "add_field"}
    for step in steps:
        asked = step.path if step.kind != "add_field" else None
        if asked is not None and asked not in old:
            yield f"{step.kind}: '{asked}' is not a field of version {older.version}"
        if step.kind in ("rename_field", "move_field") and step.to not in new:
            yield f"{step.kind}: '{step.to}' is not a field of version {newer.version}"
        if step.kind == "add_field" and step.path not in new:
            yield f"add_field: '{step.path}' is not a field of version {newer.version}"
        if step.kind == "limit_field" and step.path in new:
            now = new[step.path].param("max_length")
            if now != step.max_length:
                yield (
                    f"limit_field: '{step.path}' says max_length {step.max_length}, but version "
                    f"{newer.version} says {now if now is not None else 'none (the default)'}"
                )
    for path, fdef in old.items():
        target = moved.get(path, path)
        if path in removed:
            continue
        if target not in new:
            yield (
                f"'{path}' is gone, and no step says where its answers go "
                "(rename_field, move_field or remove_field)"
            )
            continue
        yield from _options_unexplained(path, fdef, new[target], steps)
        yield from _limit_unexplained(path, fdef, new[target], steps)
    arrived = set(moved.values())
    for path in new:
        if path not in old and path not in arrived and path not in added:
            yield f"'{path}' is new: declare it with add_field"


def _options_unexplained(
    path: str, old: FieldDef, new: FieldDef, steps: tuple[Any, ...]
) -> Iterator[str]:
    values = {o.value for o in new.options}
    renamed = {
        value: str(s.to)
        for s in steps
        if s.kind in ("rename_option", "merge_options") and s.path == path
        for value in s.options
    }
    for option in old.options:
        target = renamed.get(option.value, option.value)
        if target not in values:
            yield (
                f"option '{option.value}' of '{path}' is gone, and no step says what it becomes "
                "(rename_option or merge_options)"
            )


def _limit_unexplained(
    path: str, old: FieldDef, new: FieldDef, steps: tuple[Any, ...]
) -> Iterator[str]:
    """A changed `max_length` needs a limit_field step: a lower limit leaves longer answers
    written before it (completed documents keep their version's; drafts are cut when saved)."""
    before, after = old.param("max_length"), new.param("max_length")
    if before == after or any(s.kind == "limit_field" and s.path == path for s in steps):
        return
    said = {None: "the default"}
    yield (
        f"the max_length of '{path}' changed ({said.get(before, before)} → "
        f"{said.get(after, after)}), and no step says so (limit_field: {path}, "
        f"max_length: {after if after is not None else 'N'})"
    )


def _fields(form: FormDefinition) -> dict[str, FieldDef]:
    return {f.path: f for f in form.iter_fields()}


def _signature(form: FormDefinition) -> list[tuple[str, str, tuple[Option, ...], Any]]:
    return [
        (
            f.path,
            f.type,
            tuple(replace(o, source="") for o in f.options),
            f.param("max_length"),
        )
        for f in form.iter_fields()
    ]


__all__ = [
    "check",
    "definition",
    "document_definition",
    "earlier_version",
    "keep",
    "kept_versions",
]

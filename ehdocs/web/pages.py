"""Pages from the schema: a section's fields as GOV.UK controls, and a POST back to raw data.

Field names in HTML follow the field's path: `referrer-date`, `children-children-0-child`, so
a validation problem's path (`children.children[0].child`) finds its control and error link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ehdocs.case.model import Case
from ehdocs.fields import field_type, web
from ehdocs.fields.types import item_with_article
from ehdocs.ingest.online import DATE_OF_BIRTH
from ehdocs.schema import roles
from ehdocs.schema.conditions import Condition
from ehdocs.schema.model import FieldDef, SectionDef
from ehdocs.validation import Problem

ROWS_LIMIT = 200  # rows a page accepts for one group: more is not a person typing


@dataclass
class Control:
    """One field on a page, ready for its GOV.UK macro."""

    macro: str
    params: dict[str, Any]
    # conditional reveals: option value -> the controls shown when it is chosen
    reveals: dict[str, list[Control]] = field(default_factory=dict)


@dataclass
class GroupControl:
    """A repeating group: its rows, each a list of controls, with add and remove buttons."""

    name: str
    label: str
    item: str
    hint: str | None
    rows: list[list[Control | GroupControl]]
    item_a: str = ""  # the item with its article: "an agency"
    error: str | None = None
    macro: str = "group"


class CaseChoices:
    """The web context fields ask for: people and professionals of this case to choose from."""

    by_name = False  # people and professionals are chosen from the case's records

    def __init__(self, case: Case | None) -> None:
        self.case = case

    def people(self, role: str | None) -> list[tuple[str, str]]:
        if self.case is None:
            return []
        wanted = (
            self.case.formset.category_values(*roles.PERSON_QUESTION_ROLES[role]) if role else ()
        )
        return [
            (p["id"], self.case.person_name(p["id"]))
            for p in self.case.people
            if role is None or p.get("category") in wanted
        ]

    def professionals(self) -> list[tuple[str, str]]:
        if self.case is None:
            return []
        return [
            (p["id"], self.case.professional_name(p["id"]))
            for p in self.case.records("professionals")
        ]


class ByName(CaseChoices):
    """No case to choose from (a partner filling a notification online): people and
    professionals are written by name, as on a blank form, for the hub to match to a case."""

    by_name = True

    def __init__(self) -> None:
        super().__init__(None)


BIRTH_NAME = "--date-of-birth"  # the HTML name's suffix of the date of birth after a name


def html_name(path: str) -> str:
    """`children.children[0].child` -> `children-children-0-child`."""
    return re.sub(r"\[(\d+)\]", r"-\1", path).replace(".", "-")


def controls(
    fields: tuple[FieldDef, ...],
    values: Mapping[str, Any],
    prefix: str,
    errors: Mapping[str, str],
    choices: CaseChoices,
) -> list[Control | GroupControl]:
    """The controls for `fields`, with simple conditions turned into conditional reveals."""
    revealed = _reveal_map(fields)
    built: dict[str, Control | GroupControl] = {}
    extra: dict[str, list[Control]] = {}  # controls that follow a field's own (a birth date)
    fields = tuple(f for f in fields if not f.set_by_ehdocs)  # ehdocs writes those itself
    for fdef in fields:
        path = f"{prefix}.{fdef.id}"
        name = html_name(path)
        value = values.get(fdef.id)
        if fdef.fields:
            rows = value if isinstance(value, list) else []
            built[fdef.id] = GroupControl(
                name=name,
                label=fdef.label,
                item=str(fdef.param("item_name", "entry")),
                item_a=item_with_article(fdef),
                hint=fdef.hint,
                rows=[
                    controls(
                        fdef.fields,
                        row if isinstance(row, Mapping) else {},
                        f"{path}[{i}]",
                        errors,
                        choices,
                    )
                    for i, row in enumerate(rows)
                ],
                error=errors.get(path),
            )
            continue
        ftype = field_type(fdef.type)
        if ftype.is_reference and choices.by_name:
            built[fdef.id], extra[fdef.id] = _by_name(fdef, name, values, errors.get(path))
            continue
        built[fdef.id] = Control(
            ftype.web_macro(fdef), ftype.web_params(fdef, name, value, errors.get(path), choices)
        )
    top: list[Control | GroupControl] = []
    for fdef in fields:
        parent = revealed.get(fdef.id)
        control = built[fdef.id]
        host = built.get(parent[0]) if parent else None
        if parent and isinstance(host, Control) and isinstance(control, Control):
            for value in parent[1]:
                host.reveals.setdefault(str(value), []).extend([control, *extra.get(fdef.id, [])])
        else:
            top.extend([control, *extra.get(fdef.id, [])])
    return top


def _by_name(
    fdef: FieldDef, name: str, values: Mapping[str, Any], error: str | None
) -> tuple[Control, list[Control]]:
    """A person or professional question written by name (the blank form's hint says how),
    and for a single child the date of birth box after the name."""
    ftype = field_type(fdef.type)
    widget = ftype.fill_widget(fdef, "pdf")
    hint = ". ".join(ftype.fill_hint(fdef, fdef.hint, widget))
    params = web.common(fdef, name, error, hint=hint)
    value = values.get(fdef.id)
    params["value"] = value if isinstance(value, str) else ""
    params["spellcheck"] = False
    params["autocomplete"] = "off"
    if widget == "multiline":
        params["rows"] = 3
        return Control("govukTextarea", params), []
    params["classes"] = "govuk-!-width-two-thirds"
    if not ftype.asks_date_of_birth(fdef):
        return Control("govukInput", params), []
    born = values.get(fdef.id + DATE_OF_BIRTH)
    birth = {
        "id": name + BIRTH_NAME,
        "name": name + BIRTH_NAME,
        "value": born if isinstance(born, str) else "",
        "label": {"text": f"{fdef.label}: date of birth", "classes": "govuk-label--s"},
        "hint": {"text": "If you know it. For example, 27/03/2017"},
        "classes": "govuk-input--width-10",
        "autocomplete": "off",
    }
    return Control("govukInput", params), [Control("govukInput", birth)]


def _reveal_map(fields: tuple[FieldDef, ...]) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """field id -> (sibling it depends on, values): the GOV.UK conditional reveal pattern, for
    conditions on one radio or checkbox sibling; anything else stays on the page."""
    siblings = {f.id: f for f in fields}
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for fdef in fields:
        cond: Condition | None = fdef.visible_if
        # One option, one reveal: GOV.UK nests the field under that option. A field shown for
        # several options would need to appear twice (duplicate ids), so it stays on the page.
        if cond is None or cond.op != "in" or cond.field is None or len(cond.values) != 1:
            continue
        parent_id = cond.field.rsplit(".", 1)[-1]
        parent = siblings.get(parent_id)
        if parent is None or cond.field != f"{parent.path}" or parent.fields:
            continue
        if field_type(parent.type).web_macro(parent) in ("govukRadios", "govukCheckboxes"):
            out[fdef.id] = (parent_id, cond.values)
    return out


def read_fields(
    fields: tuple[FieldDef, ...], form: Any, prefix: str, by_name: bool = False
) -> dict[str, Any]:
    """A POSTed page back to raw answers, in the shape the case keeps them (`by_name`: people
    and professionals as the names written, see ByName)."""
    raw: dict[str, Any] = {}
    for fdef in fields:
        if fdef.set_by_ehdocs:
            continue  # never taken from a form: a save keeps what ehdocs stored
        path = f"{prefix}.{fdef.id}"
        if fdef.fields:
            count = _row_count(form, html_name(path))
            raw[fdef.id] = [
                read_fields(fdef.fields, form, f"{path}[{i}]", by_name) for i in range(count)
            ]
            continue
        ftype = field_type(fdef.type)
        if by_name and ftype.is_reference:
            for key, name in ((fdef.id, html_name(path)), (fdef.id + DATE_OF_BIRTH, "")):
                text = str(form.get(name or html_name(path) + BIRTH_NAME, "")).strip()
                if text:
                    raw[key] = text
            continue
        value = ftype.from_form(fdef, form, html_name(path))
        if value not in (None, "", []):
            raw[fdef.id] = value
    return raw


def section_page(doc_id: str, section_id: str) -> str:
    """The key of a document section page's draft (what was typed that cannot be saved yet)."""
    return f"doc:{doc_id}:{section_id}"


def change_rows(section: SectionDef, values: dict[str, Any], action: str) -> None:
    """ "Add another" and "Remove" without JavaScript: one more empty row, or one row less."""
    change_group_rows(section.fields, section.id, values, action)


def change_group_rows(
    fields: tuple[FieldDef, ...], prefix: str, values: dict[str, Any], action: str
) -> None:
    """change_rows for the groups among `fields` (a section's, or a record's named `prefix`)."""
    parts = action.split(":")
    if len(parts) < 2:
        return
    for fdef in fields:
        if not fdef.fields or html_name(f"{prefix}.{fdef.id}") != parts[1]:
            continue
        rows = values.setdefault(fdef.id, [])
        if parts[0] == "add":
            rows.append({})
        elif len(parts) == 3 and parts[2].isdigit() and int(parts[2]) < len(rows):
            rows.pop(int(parts[2]))
        if not rows:
            values.pop(fdef.id)


def _row_count(form: Any, name: str) -> int:
    try:
        return max(0, min(int(form.get(f"{name}-rows", "0")), ROWS_LIMIT))
    except ValueError:
        return 0


def problems_for(problems: list[Problem], document: str | None, prefix: str) -> dict[str, str]:
    """Problems of one page, keyed by field path: `referrer.date` -> its message."""
    out: dict[str, str] = {}
    for problem in problems:
        if problem.document != document:
            continue
        path = problem.path if problem.document else problem.path
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            out.setdefault(path, problem.message)
    return out


def page_order(path: str, order: Mapping[str, int]) -> tuple[int, ...]:
    """Where `path` (`children.children[1].child`) comes on the page: each level's place among
    the definition's fields, then its row number; what the page does not show comes last."""
    key: list[int] = []
    base = ""
    for part in re.split(r"(\[\d+\])", path):
        if not part:
            continue
        if part.startswith("["):
            key.append(int(part[1:-1]))
            continue
        base += part
        key.append(order.get(base.strip("."), len(order)))
    return tuple(key)


def error_summary(
    errors: Mapping[str, str], fields_by_path: Mapping[str, FieldDef]
) -> list[dict[str, str]]:
    """GOV.UK error summary items, each linking to its field (the day box of a date), in the
    order of the fields on the page (rows in their order, each row's fields in theirs)."""
    order = {path: n for n, path in enumerate(fields_by_path)}
    items = []
    for path, message in sorted(errors.items(), key=lambda item: page_order(item[0], order)):
        base = re.sub(r"\[\d+\]", "", path)
        fdef = fields_by_path.get(base)
        anchor = html_name(path)
        if fdef is not None:
            anchor = field_type(fdef.type).web_anchor(anchor)
        items.append({"text": message, "href": f"#{anchor}"})
    return items


def section_of(path: str) -> str:
    """The section id a document path is in: `children.children[0].child` -> children."""
    return path.split(".")[0].split("[")[0]


def check_links(
    problems: list[Problem],
    fields_by_path: Mapping[str, FieldDef],
    section_url: Callable[[str], str],
    document: str | None = None,
    words: Callable[[Problem], str] = str,
) -> list[dict[str, str]]:
    """A check page's error summary (`section_url(path)`: the page that asks a path): each
    problem of the document (of `document`, or every
    problem when None) linking to its field on its section page, in the order of the pages and
    their fields; problems elsewhere in the case after them, as text."""
    order = {path: n for n, path in enumerate(fields_by_path)}
    mine = [p for p in problems if document is None or p.document == document]
    links = []
    for problem in sorted(mine, key=lambda p: page_order(p.path, order)):
        (item,) = error_summary({problem.path: problem.message}, fields_by_path)
        links.append(
            {"text": problem.message, "href": f"{section_url(problem.path)}{item['href']}"}
        )
    return links + [{"text": words(p)} for p in problems if p not in mine]

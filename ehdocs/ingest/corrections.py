"""A form sent again, corrected: what differs from what the hub has, and taking it in.

A partner who is told an answer is missing fills it in on the same form and sends it again. The
hub already has that form: as a submission still waiting for a decision, or as the document
of a case. The corrected version is compared with it question by question, in the form's
order (each answer's place in words, as validation names it), and the adviser takes the
answers they choose from it, or all of it. The hub's own section is never taken from a file.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ehdocs.case.new import only_copy
from ehdocs.errors import EhdocsError
from ehdocs.fields import field_type
from ehdocs.fillable.errors import FillableFormError
from ehdocs.ingest import cases, online
from ehdocs.ingest.matching import SIMILAR, children_of, similarity
from ehdocs.schema import roles
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet
from ehdocs.validation.problems import Problem
from ehdocs.validation.words import place

NOT_GIVEN = "Not given"
_RECORDS = ("people", "professionals")
_EMPTY: tuple[Any, ...] = (None, "", [], {})


@dataclass(frozen=True)
class Difference:
    path: str  # in the document's data: "reason.concern", "children.children[0].child"
    label: str  # its place in words: "Reason for the request, What is the concern?"
    hub: str  # what the hub has, as shown
    new: str  # what the corrected version says


@dataclass(frozen=True)
class Proposal:
    """A corrected version set against a case's document of the same form."""

    raw: dict[str, Any]  # the case, with the people the corrected version names added
    doc_id: str
    status: str  # the case document's: draft | completed
    incoming: dict[str, Any]  # the corrected version's answers, as this case's data
    differences: list[Difference]
    known: frozenset[str]  # the ids of the people and professionals the case had already
    hub_section: str | None  # the hub's own section: never taken from the file

    @property
    def completed(self) -> bool:
        return self.status == "completed"


def can_correct(extracted: Mapping[str, Any]) -> bool:
    """Whether a submission's answers can be compared (a filled form, or one filled online;
    a copy ehdocs made goes into its case as a copy, see ehdocs.ingest.cases.attach)."""
    return extracted.get("kind") in ("form", online.KIND) and bool(extracted.get("form"))


def proposal(
    formset: FormSet, case_raw: Mapping[str, Any], extracted: Mapping[str, Any]
) -> Proposal | None:
    """The corrected version against the case's document of its form, or None when the case
    has no such document (or the form is one a case holds many of)."""
    if not can_correct(extracted):
        return None
    try:
        form = formset.form(str(extracted["form"]))
    except EhdocsError:
        return None
    existing = only_copy(case_raw, form)
    if existing is None:
        return None
    raw = copy.deepcopy(dict(case_raw))
    known = frozenset(
        str(r.get("id")) for key in _RECORDS for r in raw.get(key, []) if isinstance(r, Mapping)
    )
    try:
        incoming = cases.document_data(raw, formset, extracted)
    except (FillableFormError, EhdocsError):
        return None
    hub = form.section_by_role(roles.HUB)
    if hub is not None:  # the hub's section is the adviser's, never a file's
        incoming.pop(hub.id, None)
    found = existing.get("data")
    have: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    return Proposal(
        raw=raw,
        doc_id=str(existing.get("id")),
        status=str(existing.get("status") or "draft"),
        incoming=incoming,
        differences=differences(formset, form, have, incoming, raw),
        known=known,
        hub_section=hub.id if hub is not None else None,
    )


def against_submission(
    formset: FormSet, earlier: Mapping[str, Any], extracted: Mapping[str, Any], today: Any
) -> Proposal | None:
    """The corrected version against an earlier submission of the same form, still waiting:
    both read as the case the earlier one would make."""
    if not can_correct(earlier) or earlier.get("form") != extracted.get("form"):
        return None
    try:
        raw, _ = cases.new_case(formset, "HUB-CHECK", today, earlier)
    except (FillableFormError, EhdocsError):
        return None
    return proposal(formset, raw, extracted)


def same_children(one: Mapping[str, Any], other: Mapping[str, Any], formset: FormSet) -> bool:
    """Whether two submissions name a child with the same date of birth and a similar name."""
    theirs = children_of(other, formset)
    return any(
        a.date_of_birth is not None
        and a.date_of_birth == b.date_of_birth
        and similarity(a.name, b.name) >= SIMILAR
        for a in children_of(one, formset)
        for b in theirs
    )


def differences(
    formset: FormSet,
    form: FormDefinition,
    have: Mapping[str, Any],
    new: Mapping[str, Any],
    raw: Mapping[str, Any],
) -> list[Difference]:
    """Every answer that differs, in the form's order (the hub's section left out)."""
    hub = form.section_by_role(roles.HUB)
    names = _names(raw)
    found = []
    for section in form.sections:
        if hub is not None and section.id == hub.id:
            continue
        for path, fdef, old, value in _leaves(
            section.fields, have.get(section.id), new.get(section.id), section.id
        ):
            if _same(old, value):
                continue
            shown_old, shown_new = _shown(old, fdef, names), _shown(value, fdef, names)
            if shown_old == shown_new:
                continue
            label = place(Problem(form.form, path, ""), formset)
            label = label.removeprefix(form.title).removeprefix(", ") or path
            found.append(Difference(path, label, shown_old, shown_new))
    return found


def merged(proposal: Proposal, chosen: Collection[str] | None) -> dict[str, Any]:
    """The case with the chosen answers (`None`: all of them, the hub's section kept) taken
    from the corrected version into its document; people it named that no answer kept are
    not added."""
    raw = copy.deepcopy(proposal.raw)
    doc = next(d for d in raw["documents"] if str(d.get("id")) == proposal.doc_id)
    data = doc.setdefault("data", {})
    if chosen is None:
        hub = data.get(proposal.hub_section) if proposal.hub_section else None
        data.clear()
        data.update(copy.deepcopy(proposal.incoming))
        if hub is not None and proposal.hub_section:
            data[proposal.hub_section] = hub
    else:
        offered = {d.path for d in proposal.differences}
        for path in chosen:
            if path in offered:
                _put(data, path, _get(proposal.incoming, path))
        _drop_empty_rows(data)
    _drop_unused_records(raw, proposal.known, data)
    return raw


# -- answers, leaf by leaf -----------------------------------------------------------------


def _leaves(
    fields: tuple[FieldDef, ...], old: Any, new: Any, prefix: str
) -> Iterator[tuple[str, FieldDef, Any, Any]]:
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    for fdef in fields:
        path = f"{prefix}.{fdef.id}"
        a, b = old.get(fdef.id), new.get(fdef.id)
        if field_type(fdef.type).is_group:
            rows_a = a if isinstance(a, list) else []
            rows_b = b if isinstance(b, list) else []
            for i in range(max(len(rows_a), len(rows_b))):
                yield from _leaves(
                    fdef.fields,
                    rows_a[i] if i < len(rows_a) else None,
                    rows_b[i] if i < len(rows_b) else None,
                    f"{path}[{i}]",
                )
            continue
        yield path, fdef, a, b


def _same(a: Any, b: Any) -> bool:
    if a in _EMPTY and b in _EMPTY:
        return True
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _names(raw: Mapping[str, Any]) -> dict[str, str]:
    names = {str(p.get("id")): cases.person_name(p) for p in raw.get("people", [])}
    names.update({str(p.get("id")): str(p.get("name") or "") for p in raw.get("professionals", [])})
    return names


def _shown(value: Any, fdef: FieldDef, names: Mapping[str, str]) -> str:
    if value in _EMPTY:
        return NOT_GIVEN
    ftype = field_type(fdef.type)
    if ftype.is_reference:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(i), str(i)) for i in ids)
    try:
        return ftype.display_sent(value, fdef)
    except Exception:  # a value of a shape the type does not expect: as it is
        return str(value)


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        steps.append(name)
        if rest:
            steps.append(int(rest.rstrip("]")))
    return steps


def _get(data: Any, path: str) -> Any:
    for step in _steps(path):
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, Mapping) else None
    return copy.deepcopy(data)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    steps = _steps(path)
    here: Any = data
    for step, following in zip(steps, steps[1:], strict=False):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(here) <= step:
                here.append({})
            if not isinstance(here[step], type(empty)):
                here[step] = empty
            here = here[step]
        else:
            if not isinstance(here.get(step), type(empty)):
                here[step] = empty
            here = here[step]
    last = steps[-1]
    if value in _EMPTY:
        here.pop(last, None)
    else:
        here[last] = value


def _drop_empty_rows(data: Any) -> None:
    if isinstance(data, dict):
        for key, value in list(data.items()):
            if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
                for row in value:
                    _drop_empty_rows(row)
                data[key] = [r for r in value if r]
            elif isinstance(value, dict):
                _drop_empty_rows(value)


def _drop_unused_records(raw: dict[str, Any], known: frozenset[str], data: Any) -> None:
    """Take out the people and professionals the corrected version added that the document
    does not name after all (an answer the adviser did not take)."""
    text = json.dumps(data, default=str)
    for key in _RECORDS:
        if key not in raw:
            continue
        raw[key] = [
            r for r in raw[key] if str(r.get("id")) in known or json.dumps(str(r.get("id"))) in text
        ]

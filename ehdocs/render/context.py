"""The document context: a renderer-neutral view of one document for one audience.

Built from the audience-filtered case, its definition and the council profile. The HTML (PDF)
and DOCX templates both render from it, so both formats always say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ehdocs.case.model import Case, Document
from ehdocs.fields import field_type, format_date
from ehdocs.render.audience import CaseView, can_see, for_audience
from ehdocs.render.figures import figures
from ehdocs.render.items import (
    NOT_RECORDED,
    Answer,
    DocumentContext,
    Figure,
    SectionView,
    Table,
    clean,
)
from ehdocs.schema import placeholders
from ehdocs.schema.conditions import is_answered
from ehdocs.schema.model import FieldDef, Profile, RecordDef, SectionDef
from ehdocs.validation.rules import lookup_in, visible


class _Display:
    """What field types need to show values: names from the (filtered) case, the audience."""

    def __init__(self, case: Case, family: bool) -> None:
        self.case = case
        self.family = family

    def person_name(self, person_id: str) -> str:
        return self.case.person_name(person_id)

    def professional_name(self, professional_id: str) -> str:
        return self.case.professional_name(professional_id)


def build_context(
    case: Case, document_id: str, audience: str, today: dt.date | None = None
) -> DocumentContext:
    """The view of one document (by id) of a validated case, for `audience`."""
    return view_context(for_audience(case, audience), document_id, today)


def view_context(view: CaseView, document_id: str, today: dt.date | None = None) -> DocumentContext:
    """The view of one document (by id) of the case already filtered for its audience."""
    doc = next((d for d in view.documents if d.id == document_id), None)
    if doc is None:
        raise KeyError(document_id)
    audience = view.audience
    family = audience == "family"
    display = _Display(view, family)
    form = doc.definition
    sections = [
        _section(s, doc, display, audience) for s in form.sections if can_see(s.audience, audience)
    ]
    sections = [s for s in sections if s.items or not family]
    people = _people_section(view, doc, display, audience)
    if people:
        sections.insert(0, people)
    if form.diagrams:
        drawn = [f for kind in form.diagrams for f in figures(view, kind, today)]
        if drawn:
            title = "Your family and the people around you" if family else "Family network"
            sections.append(SectionView("diagrams", title, tuple(drawn)))
    profile = view.formset.profile
    return DocumentContext(
        form=form.form,
        title=clean((form.family_title or form.title) if family else form.title),
        audience=audience,
        reference=view.reference,
        profile_name=profile.name,
        marking=profile.marking,
        generated=format_date(today or dt.date.today()),
        draft=not doc.completed,
        document_id=doc.id,
        sections=tuple(sections),
        notice=clean(fill_placeholders(form.notice, profile)) if form.notice else None,
        family_name=None if family else _maybe_clean(view.data.get("family_name")),
        contact=_contact_lines(profile),
    )


def _maybe_clean(value: Any) -> str | None:
    return clean(value) if isinstance(value, str) else None


def fill_placeholders(text: str, profile: Profile) -> str:
    return placeholders.fill(text, profile)


def _contact_lines(profile: Profile) -> tuple[tuple[str, str], ...]:
    names = {
        "hub_name": "Early help",
        "hub_phone": "Phone",
        "hub_email": "Email",
        "social_care_phone": "Children's social care",
        "out_of_hours_phone": "Out of hours",
    }
    contact = profile.contact
    return tuple((label, clean(contact[key])) for key, label in names.items() if key in contact)


def _section(section: SectionDef, doc: Document, display: _Display, audience: str) -> SectionView:
    answers = doc.data.get(section.id) or {}
    items = _items(section.fields, answers, doc, display, audience)
    family = audience == "family"
    title = (section.family_title or section.title) if family else section.title
    description = (
        fill_placeholders(section.description, doc_profile(display))
        if (section.description and not family)
        else None
    )
    return SectionView(section.id, clean(title), tuple(items), _maybe_clean(description))


def doc_profile(display: _Display) -> Profile:
    return display.case.formset.profile


def _items(
    fields: tuple[FieldDef, ...],
    answers: Mapping[str, Any],
    doc: Document,
    display: _Display,
    audience: str,
) -> list[Answer | Table]:
    family = audience == "family"
    lookup = lookup_in(doc.data, {}, doc.definition.field_at)
    items: list[Answer | Table] = []
    for fdef in fields:
        if not can_see(fdef.audience, audience) or not visible(fdef, lookup):
            continue
        label = clean((fdef.family_label or fdef.label) if family else fdef.label)
        value = answers.get(fdef.id)
        if fdef.fields:
            table = _table(fdef, value or [], doc, display, audience, label)
            if table.columns and (table.rows or not family):
                items.append(table)
            continue
        if not is_answered(value):
            if not family:
                items.append(Answer(label, NOT_RECORDED, recorded=False))
            continue
        items.append(Answer(label, show(fdef, value, display)))
    return items


def show(fdef: FieldDef, value: Any, display: _Display) -> str:
    return clean(field_type(fdef.type).display(value, fdef, display))


def _table(
    group: FieldDef,
    rows: list[Mapping[str, Any]],
    doc: Document,
    display: _Display,
    audience: str,
    label: str,
) -> Table:
    family = audience == "family"
    columns = [f for f in group.fields if can_see(f.audience, audience)]
    body = []
    for row in rows:
        lookup = lookup_in(doc.data, {group.path: row}, doc.definition.field_at)
        cells = []
        for col in columns:
            value = row.get(col.id)
            shown = is_answered(value) and visible(col, lookup)
            cells.append(show(col, value, display) if shown else "")
        body.append(tuple(cells))
    headers = tuple(clean((c.family_label or c.label) if family else c.label) for c in columns)
    return Table(clean(label), headers, tuple(body))


def _people_section(
    case: Case, doc: Document, display: _Display, audience: str
) -> SectionView | None:
    """The people this document names, with their case details: told once, shown where needed."""
    ids = _person_refs(doc)
    if not ids or not doc.definition.people_details:
        return None
    record = case.formset.records["person"]
    family = audience == "family"
    people = [p for p in (case.person(i) for i in ids) if p is not None]
    summary = [_summary_row(case, p, record, display, family) for p in people]
    columns = ("Name", "Who", "Date of birth", "Gender", "Lives at")
    items: list[Answer | Table] = [Table("Summary", columns, tuple(summary))]
    for person in people:
        details = _record_answers(record, person, display, audience)
        if details:
            name = clean(case.person_name(person["id"]))
            items.append(Table(name, ("Detail", "Answer"), details, "details", heading=True))
    title = "People in this document" if not family else "Your family"
    return SectionView("people", title, tuple(items))


SUMMARY_FIELDS = (
    "given_name",
    "family_name",
    "known_as",
    "category",
    "date_of_birth",
    "gender",
    "life_status",
)


def _summary_row(
    case: Case, person: Mapping[str, Any], record: RecordDef, display: _Display, family: bool
) -> tuple[str, ...]:
    def shown(field_id: str) -> str:
        fdef = record.child(field_id)
        value = person.get(field_id)
        return show(fdef, value, display) if fdef and is_answered(value) else ""

    name = case.person_name(person["id"])
    if person.get("known_as"):
        name += f" ({shown('known_as')})"
    born = shown("date_of_birth")
    age = case.age_of(person["id"])
    if person.get("life_status") == "deceased":
        died = shown("date_of_death")
        born += f"; died {died}" if died else "; died"
    elif person.get("life_status") == "pregnancy":
        born = f"Due {shown('expected_date_of_delivery')}"
    elif age is not None and born:
        born += f" (age {age})"
    return (clean(name), shown("category"), born, shown("gender"), clean(_lives_at(case, person)))


def _lives_at(case: Case, person: Mapping[str, Any]) -> str:
    """Each household the person lives in, with its address as far as this copy may show it (a
    family copy has none for a confidential household: ehdocs.render.audience); else their own."""
    places = [
        _place(h.get("name"), h.get("address"), h.get("postcode"))
        for h in case.records("households")
        if person["id"] in (h.get("members") or [])
    ]
    if not places:
        places = [_place(None, person.get("address"), person.get("postcode"))]
    return "; ".join(p for p in places if p)


def _place(name: str | None, address: str | None, postcode: str | None) -> str:
    lines = [line.strip(" ,") for line in (address or "").splitlines() if line.strip(" ,")]
    where = ", ".join(lines + ([postcode.strip()] if postcode and postcode.strip() else []))
    if name and where:
        return f"{name}: {where}"
    return name or where


def _record_answers(
    record: RecordDef, row: Mapping[str, Any], display: _Display, audience: str
) -> tuple[tuple[str, str], ...]:
    lookup = lookup_in({record.name: row}, {}, lambda path: record.child(path.split(".")[-1]))
    out = []
    for fdef in record.fields:
        if fdef.id in SUMMARY_FIELDS or not can_see(fdef.audience, audience):
            continue
        value = row.get(fdef.id)
        if not is_answered(value) or not visible(fdef, lookup):
            continue
        label = (fdef.family_label or fdef.label) if audience == "family" else fdef.label
        out.append((clean(label), show(fdef, value, display)))
    return tuple(out)


def _person_refs(doc: Document) -> list[str]:
    found: list[str] = []

    def walk(fields: tuple[FieldDef, ...], answers: Mapping[str, Any]) -> None:
        for fdef in fields:
            value = answers.get(fdef.id)
            if value is None:
                continue
            if fdef.fields:
                for row in value:
                    walk(fdef.fields, row)
            elif field_type(fdef.type).refers_to == "people":
                found.extend(value if isinstance(value, list) else [value])

    for section in doc.definition.sections:
        walk(section.fields, doc.data.get(section.id) or {})
    return list(dict.fromkeys(found))


__all__ = [
    "Answer", "DocumentContext", "Figure", "SectionView", "Table", "build_context", "clean",
    "view_context",
]  # fmt: skip

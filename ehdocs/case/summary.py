"""A readable, plain-text summary of a case for the terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ehdocs.case.model import Case
from ehdocs.case.progress import milestones
from ehdocs.fields import format_date


def summarise(case: Case, source: str, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    fs = case.formset
    family = case.data.get("family_name")
    lines = [
        f"{case.reference}"
        + (f": the {family} family" if family else "")
        + f"  [{fs.profile.name}; {source}]"
    ]
    lines.append("  Children:   " + _people(case, fs.children_categories(), today))
    lines.append("  Adults:     " + _people(case, fs.adult_categories(), today))
    households = case.records("households")
    if households:
        lines.append(
            "  Households: "
            + "; ".join(
                f"{h['name']} ({_count(len(h.get('members') or []), 'person', 'people')})"
                for h in households
            )
        )
    pros = case.records("professionals")
    lead = next((p for p in pros if p.get("lead_practitioner") == "yes"), None)
    lines.append(
        f"  Professionals: {len(pros)}"
        + (f"; lead practitioner {lead['name']}, {lead['agency']}" if lead else "")
    )
    lines.append("  Documents:")
    if not case.documents:
        lines.append("    none yet")
    for doc in case.documents:
        when = doc.process_date
        title = doc.definition.title
        dated = f"dated {format_date(when)}" if when else "not dated yet"
        lines.append(f"    {title:<34} {doc.status:<10} {dated}")
    due = milestones(case)
    if due:
        lines.append("  Timescales:")
        for m in due:
            done = f"done {format_date(m.done)}" if m.done else ""
            lines.append(
                f"    {m.what:<38} due {format_date(m.due):<18} {done:<22} {m.status(today)}"
            )
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _people(case: Case, categories: tuple[str, ...], today: dt.date) -> str:
    shown = [_person(case, p, today) for p in case.iter_people_in(categories)]
    return ", ".join(shown) if shown else "none recorded"


def _person(case: Case, person: Mapping[str, Any], today: dt.date) -> str:
    name = case.person_name(person["id"])
    if person.get("life_status") == "deceased":
        died = person.get("date_of_death")
        return f"{name} (died {died.human()})" if died else f"{name} (died)"
    if person.get("life_status") == "pregnancy":
        due = person.get("expected_date_of_delivery")
        return f"{name} (unborn" + (f", due {format_date(due)})" if due else ")")
    age = case.age_of(person["id"], today)
    if age is None:
        return name
    born = person["date_of_birth"]
    return f"{name} ({'about ' if born.approximate or not born.day else ''}{age})"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

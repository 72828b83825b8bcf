"""The ecomap in words: the table of connections, the drawing's title and description."""

from __future__ import annotations

import datetime as dt

from ehdocs.case.model import Case
from ehdocs.diagrams.ecomap.model import STRENGTH_ORDER, Ecomap, ecomap_of
from ehdocs.fields import format_date


def ecomap_rows(
    case: Case, centre: str | None = None, family: bool = False
) -> list[dict[str, str]]:
    """The text alternative: one row per line on the ecomap, in the same words as its key."""
    return rows_of(case, ecomap_of(case, centre, family))


def rows_of(case: Case, eco: Ecomap) -> list[dict[str, str]]:
    """The rows of an ecomap (the whole of a case's, or a part of it)."""
    rows = []
    for link in eco.links:
        node = eco.nodes[link.node]
        if link.target:
            connected = case.person_name(link.target)
        elif eco.centre:
            connected = eco.centre_label
        else:
            connected = eco.labels["centre:family"]
        rows.append(
            {
                "name": node.name,
                "kind": eco.labels[f"kind:{node.kind}"],
                "connected_to": connected,
                "strength": eco.labels.get(f"strength:{link.strength}", link.strength),
                "direction": eco.labels.get(f"direction:{link.direction}", "Not recorded"),
                "notes": "; ".join(link.notes),
            }
        )
    return rows


def ecomap_title(eco: Ecomap, family: bool) -> str:
    who = (
        eco.centre_label
        if eco.centre
        else ("your family" if family else eco.centre_label[:1].lower() + eco.centre_label[1:])
    )
    if family:
        return f"The people and services around {who}"
    return f"Ecomap: the people and services around {who}"


def ecomap_description(eco: Ecomap, today: dt.date) -> str:
    count = len(eco.links)
    if not count:
        return f"No connections with people or services are recorded yet ({format_date(today)})."
    parts = []
    for strength in STRENGTH_ORDER:
        k = sum(1 for link in eco.links if link.strength == strength)
        if k:
            parts.append(f"{k} {eco.labels[f'strength:{strength}'].lower()}")
    text_ = (
        f"{count} connection{'s' if count != 1 else ''} with {len(eco.nodes)} "
        f"{'person or service' if len(eco.nodes) == 1 else 'people and services'} around "
        f"{eco.centre_label}, drawn on {format_date(today)}: {', '.join(parts)}."
    )
    return text_ + " The table of connections gives the same information in words."

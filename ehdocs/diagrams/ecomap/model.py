"""The ecomap's data: who is connected to whom, read from the case by `ecomap_of`.

The layout and the drawing read only these dataclasses. The grouping rules are in the package
docstring.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ehdocs.case.model import Case

KIND_ORDER = ("person", "community", "service")  # around the ring, when nothing else decides
DEFAULT_KIND = "person"  # an ecomap entry without a kind: most entries are the informal network
UNRECORDED = "unrecorded"
STRENGTH_ORDER = ("strong", "weak", "stressful", UNRECORDED)
DIRECTION_ORDER = ("to_family", "from_family", "both", "none")


@dataclass(frozen=True)
class EcoNode:
    name: str
    kind: str  # person | service | community
    workers: tuple[str, ...] = ()


@dataclass(frozen=True)
class EcoLink:
    node: int
    target: str | None  # a family member's person id, or None for the centre
    strength: str  # strong | weak | stressful | unrecorded
    direction: str | None  # to_family | from_family | both | none, or not recorded
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EcoMember:
    id: str
    label: str


@dataclass(frozen=True)
class Ecomap:
    centre: str | None  # the chosen child's id, or None for the whole family
    centre_label: str
    members: tuple[EcoMember, ...]
    nodes: tuple[EcoNode, ...]
    links: tuple[EcoLink, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # "strength:weak" -> "Weak", …


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str
    target: str | None
    strength: str
    direction: str | None
    worker: str | None = None
    note: str | None = None


def ecomap_of(case: Case, centre: str | None = None, family: bool = False) -> Ecomap:
    """The nodes and links of a case's ecomap, around the family or the child `centre`."""
    if centre is not None and case.person(centre) is None:
        raise ValueError(f"there is no person {centre!r} in this case")
    known = {p["id"] for p in case.people}
    nodes: list[EcoNode] = []
    links: list[EcoLink] = []
    for entry in [*_professional_entries(case, centre), *_network_entries(case, centre)]:
        if entry.target is not None and entry.target not in known:
            entry = dataclasses.replace(entry, target=None)
        _add(nodes, links, entry)
    member_ids = {link.target for link in links if link.target}
    members = [p["id"] for p in case.people if p["id"] in member_ids]
    short = _short_names(case, members)
    rank = {m: i for i, m in enumerate(members)}
    links.sort(key=lambda k: (k.node, -1 if k.target is None else rank[k.target]))
    return Ecomap(
        centre=centre,
        centre_label=_centre_label(case, centre, family),
        members=tuple(EcoMember(m, short[m]) for m in members),
        nodes=tuple(nodes),
        links=tuple(links),
        labels=_labels(case, family),
    )


def _professional_entries(case: Case, centre: str | None) -> list[_Entry]:
    out = []
    for pro in case.records("professionals"):
        works_with = list(pro.get("works_with") or [])
        if centre is not None and works_with and centre not in works_with:
            continue
        target = works_with[0] if centre is None and len(works_with) == 1 else None
        role = pro.get("role")
        out.append(
            _Entry(
                name=str(pro.get("agency") or pro["name"]),
                kind="service",
                target=target,
                strength=pro.get("strength") or UNRECORDED,
                direction=pro.get("support_direction"),
                worker=f"{pro['name']} ({role})" if role else str(pro["name"]),
            )
        )
    return out


def _network_entries(case: Case, centre: str | None) -> list[_Entry]:
    out = []
    for row in case.records("ecomap"):
        person = row.get("person")
        if centre is not None and person not in (None, centre):
            continue
        out.append(
            _Entry(
                name=str(row["name"]),
                kind=row.get("kind") or DEFAULT_KIND,
                target=person if centre is None else None,
                strength=row.get("strength") or UNRECORDED,
                direction=row.get("support_direction"),
                note=row.get("notes"),
            )
        )
    return out


def _add(nodes: list[EcoNode], links: list[EcoLink], entry: _Entry) -> None:
    """Join the entry to a node of the same name whose line to the same end means the same."""
    key = " ".join(entry.name.split()).casefold()
    style = (entry.strength, entry.direction)
    for index, node in enumerate(nodes):
        if " ".join(node.name.split()).casefold() != key:
            continue
        same_end = [i for i, k in enumerate(links) if k.node == index and k.target == entry.target]
        if same_end and (links[same_end[0]].strength, links[same_end[0]].direction) != style:
            continue
        break
    else:
        nodes.append(EcoNode(entry.name, entry.kind))
        index, same_end = len(nodes) - 1, []
    notes = tuple(x for x in (entry.worker, entry.note) if x)
    if entry.worker and entry.worker not in nodes[index].workers:
        node = nodes[index]
        nodes[index] = EcoNode(node.name, node.kind, (*node.workers, entry.worker))
    if same_end:
        old = links[same_end[0]]
        links[same_end[0]] = EcoLink(
            old.node,
            old.target,
            old.strength,
            old.direction,
            (*old.notes, *(x for x in notes if x not in old.notes)),
        )
    else:
        links.append(EcoLink(index, entry.target, entry.strength, entry.direction, notes))


def _short_names(case: Case, ids: Sequence[str]) -> dict[str, str]:
    """First names (or known-as names) for the rim; full names where two would be the same."""
    first = {}
    for pid in ids:
        person = case.person(pid) or {}
        first[pid] = str(person.get("known_as") or person.get("given_name") or pid)
    clash = {v for v in first.values() if list(first.values()).count(v) > 1}
    return {pid: case.person_name(pid) if name in clash else name for pid, name in first.items()}


def _centre_label(case: Case, centre: str | None, family: bool) -> str:
    if centre is not None:
        return case.person_name(centre)
    surname = case.data.get("family_name")
    if surname:
        return f"The {surname} family"
    return "Your family" if family else "The family"


def _labels(case: Case, family: bool) -> dict[str, str]:
    lists = case.formset.lists
    out = {}
    for prefix, options in (("strength", "ecomap_strengths"), ("direction", "support_directions")):
        for option in lists.get(options, ()):
            out[f"{prefix}:{option.value}"] = (
                (option.family_label or option.label) if family else option.label
            )
    out[f"strength:{UNRECORDED}"] = "Not recorded"
    out[f"key:{UNRECORDED}"] = "Strength not recorded"
    record = case.formset.records.get("ecomap_link")
    kind = record.child("kind") if record else None
    for value in KIND_ORDER:
        out[f"kind:{value}"] = kind.option_label(value, family) if kind else value.title()
    out["centre:family"] = "The whole family"
    return out

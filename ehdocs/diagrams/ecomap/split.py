"""An ecomap too big to print readably, split into parts by whom its links are with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ehdocs.case.model import Case
from ehdocs.diagrams.ecomap.model import EcoLink, Ecomap


@dataclass(frozen=True)
class EcomapPart:
    eco: Ecomap
    about: str  # whose links: "links with the whole family and Ottilie Quarrington"
    continued: bool = False  # a later run of the same person's links


def ecomap_parts(case: Case, eco: Ecomap, fits: Callable[[Ecomap], bool]) -> list[EcomapPart]:
    """`eco` whole if it fits; else parts by the end of their links (the whole family, then each
    family member in the ecomap's order), neighbours sharing a part while it fits. A member's
    links alone in a part are drawn round that member; too many for one part, they are split
    into as few equal runs as fit. A single link that does not fit is drawn alone: nothing
    smaller can be drawn."""
    if fits(eco):
        return [EcomapPart(eco, "")]
    ends = [end for end in (None, *(m.id for m in eco.members)) if _links(eco, end)]
    parts: list[EcomapPart] = []
    group: list[str | None] = []
    for end in ends:
        if group and fits(_group(case, eco, [*group, end])):
            group.append(end)
            continue
        if group:
            parts.append(EcomapPart(_group(case, eco, group), _about(case, group)))
        group = [end]
        if not fits(_group(case, eco, group)):
            runs = _runs(eco, _links(eco, end), *_centre(case, eco, end), fits)
            parts += [EcomapPart(r, _about(case, group), i > 0) for i, r in enumerate(runs)]
            group = []
    if group:
        parts.append(EcomapPart(_group(case, eco, group), _about(case, group)))
    return parts


def _links(eco: Ecomap, end: str | None) -> list[EcoLink]:
    return [k for k in eco.links if k.target == end]


def _centre(case: Case, eco: Ecomap, end: str | None) -> tuple[str | None, str]:
    if end is None:
        return eco.centre, eco.centre_label
    return end, case.person_name(end)


def _about(case: Case, group: list[str | None]) -> str:
    names = ["the whole family" if end is None else case.person_name(end) for end in group]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"links with {listed}"


def _group(case: Case, eco: Ecomap, group: list[str | None]) -> Ecomap:
    """The ecomap of these ends' links: one member's drawn round them, several round the
    centre with the members' names on its rim."""
    if len(group) == 1:
        return _sub(eco, _links(eco, group[0]), *_centre(case, eco, group[0]))
    links = [k for k in eco.links if k.target in group]
    used = sorted({k.node for k in links})
    index = {old: new for new, old in enumerate(used)}
    return replace(
        eco,
        members=tuple(m for m in eco.members if m.id in group),
        nodes=tuple(eco.nodes[i] for i in used),
        links=tuple(replace(k, node=index[k.node]) for k in links),
    )


def _runs(
    eco: Ecomap,
    links: list[EcoLink],
    centre: str | None,
    label: str,
    fits: Callable[[Ecomap], bool],
) -> list[Ecomap]:
    for count in range(1, len(links) + 1):
        size = -(-len(links) // count)
        runs = [_sub(eco, links[i : i + size], centre, label) for i in range(0, len(links), size)]
        if all(fits(run) for run in runs):
            return runs
    return [_sub(eco, [link], centre, label) for link in links]


def _sub(eco: Ecomap, links: list[EcoLink], centre: str | None, label: str) -> Ecomap:
    """The ecomap of these links only, all drawn to the centre (`label`)."""
    used = sorted({k.node for k in links})
    index = {old: new for new, old in enumerate(used)}
    return replace(
        eco,
        centre=centre,
        centre_label=label,
        members=(),
        nodes=tuple(eco.nodes[i] for i in used),
        links=tuple(replace(k, node=index[k.node], target=None) for k in links),
    )

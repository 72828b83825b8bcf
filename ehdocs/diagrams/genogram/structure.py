"""The family's shape before any geometry: who hangs from which parents, generations, clusters.

Domain rules live here, once, for the layout and the text table alike:
- a child hangs from one *primary* unit of parents, chosen by the kind of link (adoptive, then
  birth, then care, then step); other parents reach the child with a secondary line;
- a step-parent who is the partner of one of the child's parents gets no line to the child
  (the partnership already shows the relation); otherwise a dash-dotted one;
- two parents of one child who are not recorded as partners are joined by an "unrecorded" line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ehdocs.diagrams.genogram.model import UNRECORDED, Genogram, GPartnership

KIND_CLASS = {
    "birth": "birth",
    "adoptive": "adoptive",
    "foster": "care",
    "kinship": "care",
    "special_guardian": "care",
    "step": "step",
}
CLASS_PRIORITY = ("adoptive", "birth", "care", "step")


@dataclass(frozen=True)
class ChildEdge:
    child: str
    kind: str
    primary: bool


@dataclass
class Unit:
    """One or two parents and the children reached from them (one child line per child)."""

    parents: tuple[str, ...]
    children: list[ChildEdge] = field(default_factory=list)


@dataclass
class Family:
    genogram: Genogram
    units: list[Unit]
    primary: dict[str, Unit]  # child id -> the unit it hangs from
    partnerships: list[GPartnership]  # recorded ones, then the unrecorded co-parents
    generation: dict[str, int]
    clusters: list[list[str]]  # partners and twins, connected: each sits together in a row
    cluster_of: dict[str, int]


def analyse(genogram: Genogram) -> Family:
    units, primary, partnerships = _units(genogram)
    clusters, cluster_of = _clusters(genogram, partnerships)
    generation = _generations(genogram, units, clusters, cluster_of)
    # A link to a child in the same or an earlier row (contradictory data) cannot be drawn.
    for unit in units:
        row = generation[unit.parents[0]]
        unit.children = [e for e in unit.children if generation[e.child] > row]
    primary = {c: u for c, u in primary.items() if any(e.child == c for e in u.children)}
    return Family(genogram, units, primary, partnerships, generation, clusters, cluster_of)


def birth_key(genogram: Genogram, person_id: str) -> tuple[int, dt.date, int]:
    """Sort key for birth order: undated people after dated ones, then as recorded."""
    person = genogram.by_id[person_id]
    order = genogram.rank[person_id]
    if person.birth is not None:
        return (0, person.birth.earliest(), order)
    if person.due is not None:
        return (0, person.due, order)
    return (1, dt.date.max, order)


def _units(genogram: Genogram) -> tuple[list[Unit], dict[str, Unit], list[GPartnership]]:
    partners = {frozenset((p.a, p.b)) for p in genogram.partnerships}
    by_child: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    kinds: dict[tuple[str, str], str] = {}
    for link in genogram.child_links:
        by_child[link.child][KIND_CLASS.get(link.kind, "birth")].append(link.parent)
        kinds[link.parent, link.child] = link.kind
    units: dict[frozenset[str], Unit] = {}
    primary: dict[str, Unit] = {}
    implied: list[GPartnership] = []

    def add(parents: list[str], child: str, is_primary: bool) -> Unit:
        key = frozenset(parents)
        if key not in units:
            units[key] = Unit(tuple(parents))
            if len(parents) == 2 and key not in partners:
                partners.add(key)
                implied.append(GPartnership(parents[0], parents[1], UNRECORDED))
        # An adoptive parent makes the child line adoptive even beside a birth parent.
        kind = min((kinds[p, child] for p in parents), key=_kind_rank)
        units[key].children.append(ChildEdge(child, kind, is_primary))
        return units[key]

    for child, classes in by_child.items():
        groups = [(cls, classes[cls]) for cls in CLASS_PRIORITY if classes.get(cls)]
        first_cls, first = groups[0]
        main = first[:2]
        rest = [(first_cls, first[2:])] + groups[1:]
        if len(main) == 1 and first_cls in ("adoptive", "birth"):
            # A step-parent adoption: the birth parent and the adoptive partner are one unit.
            other = "birth" if first_cls == "adoptive" else "adoptive"
            mate = [p for p in classes.get(other, []) if frozenset((main[0], p)) in partners]
            if mate:
                main = main + mate[:1]
                rest = [(c, [p for p in ps if p != mate[0]]) for c, ps in rest]
        primary[child] = add(main, child, True)
        parents_of_child = {p for ps in classes.values() for p in ps}
        for cls, ps in rest:
            if cls == "step":
                ps = [
                    p
                    for p in ps
                    if not any(frozenset((p, q)) in partners for q in parents_of_child)
                ]
            for i in range(0, len(ps), 2):
                add(ps[i : i + 2], child, False)
    recorded = list(genogram.partnerships)
    return list(units.values()), primary, recorded + implied


def _kind_rank(kind: str) -> int:
    return ("adoptive", "birth", "special_guardian", "kinship", "foster", "step").index(kind)


def _clusters(
    genogram: Genogram, partnerships: list[GPartnership]
) -> tuple[list[list[str]], dict[str, int]]:
    parent = {p.id: p.id for p in genogram.people}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in [(p.a, p.b) for p in partnerships] + [(t.a, t.b) for t in genogram.twins]:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for p in genogram.people:
        groups.setdefault(find(p.id), []).append(p.id)
    clusters = list(groups.values())
    return clusters, {m: i for i, c in enumerate(clusters) for m in c}


def _generations(
    genogram: Genogram, units: list[Unit], clusters: list[list[str]], cluster_of: dict[str, int]
) -> dict[str, int]:
    """Rows by longest path over clusters (partners share a row); cycles in the data are cut."""
    n = len(clusters)
    down: list[list[int]] = [[] for _ in range(n)]
    for unit in units:
        for edge in unit.children:
            a, b = cluster_of[unit.parents[0]], cluster_of[edge.child]
            if a != b and b not in down[a]:
                down[a].append(b)
    order = _topological(n, down)
    rank = {c: i for i, c in enumerate(order)}
    down = [[b for b in down[a] if rank[b] > rank[a]] for a in range(n)]  # drop back edges
    up: list[list[int]] = [[] for _ in range(n)]
    for a in range(n):
        for b in down[a]:
            up[b].append(a)
    gen = [0] * n
    for c in order:
        gen[c] = max((gen[p] + 1 for p in up[c]), default=0)
    # Parentless clusters (grandparents, foster carers) sit just above their highest child.
    for c in reversed(order):
        if not up[c] and down[c]:
            gen[c] = min(gen[b] for b in down[c]) - 1
    _align_components(genogram, clusters, up, down, gen)
    low = min(gen, default=0)
    return {m: gen[i] - low for i, c in enumerate(clusters) for m in c}


def _topological(n: int, down: list[list[int]]) -> list[int]:
    """Depth-first order; an edge that closes a cycle becomes a back edge (ignored later)."""
    state = [0] * n
    out: list[int] = []
    for start in range(n):
        if state[start]:
            continue
        stack = [(start, 0)]
        state[start] = 1
        while stack:
            node, i = stack.pop()
            if i < len(down[node]):
                stack.append((node, i + 1))
                nxt = down[node][i]
                if not state[nxt]:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                out.append(node)
    return out[::-1]


def _align_components(
    genogram: Genogram,
    clusters: list[list[str]],
    up: list[list[int]],
    down: list[list[int]],
    gen: list[int],
) -> None:
    """Parts of the diagram not linked to the index child's family by parent lines (foster
    carers and their foster child, a lone grandparent) move to the rows of people born at
    about the same time; undated loners sit with the index child's parents."""
    comp = _components(up, down)
    if not comp:
        return
    index = next(
        (i for i, c in enumerate(clusters) if any(genogram.by_id[m].is_index for m in c)), None
    )
    sizes: dict[int, int] = defaultdict(int)
    for i, c in enumerate(clusters):
        sizes[comp[i]] += len(c)
    main = comp[index] if index is not None else max(sizes, key=lambda k: (sizes[k], -k))
    years: dict[int, list[int]] = defaultdict(list)
    for i, members in enumerate(clusters):
        if comp[i] == main:
            years[gen[i]].extend(b.year for m in members if (b := genogram.by_id[m].birth))
    centres = {g: sum(ys) / len(ys) for g, ys in years.items() if ys}
    top = max(gen[i] for i in range(len(clusters)) if comp[i] == main)
    for part in sorted(set(comp.values()) - {main}):
        nodes = [i for i in comp if comp[i] == part]
        dated = [
            (gen[i], b.year) for i in nodes for m in clusters[i] if (b := genogram.by_id[m].birth)
        ]
        lo, hi = min(gen[i] for i in nodes), max(gen[i] for i in nodes)
        shifts = list(range(-lo, top - hi + 1)) or [0]
        if dated and centres:
            shift = min(
                shifts,
                key=lambda s: (
                    sum(abs(centres[g + s] - y) if g + s in centres else 50 for g, y in dated),
                    abs(s),
                ),
            )
        elif len(nodes) == 1 and index is not None:
            shift = max(0, gen[index] - 1) - lo
        else:
            shift = 0
        for i in nodes:
            gen[i] += shift


def _components(up: list[list[int]], down: list[list[int]]) -> dict[int, int]:
    comp: dict[int, int] = {}
    for start in range(len(up)):
        if start in comp:
            continue
        comp[start] = start
        stack = [start]
        while stack:
            node = stack.pop()
            for nxt in up[node] + down[node]:
                if nxt not in comp:
                    comp[nxt] = start
                    stack.append(nxt)
    return comp

"""Geometric rules every genogram layout must keep, as functions returning what breaks them.

Partners, precisely: both sit in one row; nobody from outside their partnership cluster (people
joined by partnerships or twinships) sits between them; and in a cluster that is a simple chain
(nobody with three partners or twins, no loop) every couple is side by side. A person with three
or more partners has partners on both sides, and the later ones joined by a line over the top.
"""

from __future__ import annotations

from collections import defaultdict

from ehdocs.diagrams.genogram.model import Genogram
from ehdocs.diagrams.genogram.structure import analyse, birth_key
from ehdocs.diagrams.geometry import Box, Layout

MARGIN = 2.0  # symbols closer than this count as touching


def problems(genogram: Genogram, layout: Layout) -> list[str]:
    return [
        *symbols_apart(layout),
        *lines_clear(layout),
        *labels_clear(layout),
        *partners_together(genogram, layout),
        *siblings_in_order(genogram, layout),
        *households_exclusive(genogram, layout),
    ]


def symbols_apart(layout: Layout) -> list[str]:
    out = []
    for i, a in enumerate(layout.symbols):
        for b in layout.symbols[i + 1 :]:
            if a.box.grown(MARGIN).overlaps(b.box):
                out.append(f"symbols of {a.person} and {b.person} overlap")
    return out


def lines_clear(layout: Layout) -> list[str]:
    """No line enters a symbol it does not end at, nor any label."""
    out = []
    for ln in layout.lines:
        for a, b in ln.segments():
            for s in layout.symbols:
                if s.person not in ln.ends and s.box.crossed_by(a, b):
                    out.append(f"{ln.role} line {a}-{b} crosses the symbol of {s.person}")
            for lb in layout.labels:
                if lb.box.crossed_by(a, b):
                    out.append(f"{ln.role} line {a}-{b} crosses the label of {lb.person}")
    return out


def labels_clear(layout: Layout) -> list[str]:
    out = []
    for i, a in enumerate(layout.labels):
        for b in layout.labels[i + 1 :]:
            if a.box.overlaps(b.box):
                out.append(f"labels of {a.person} and {b.person} overlap")
        for s in layout.symbols:
            if a.box.overlaps(s.box):
                out.append(f"label of {a.person} overlaps the symbol of {s.person}")
    return out


def partners_together(genogram: Genogram, layout: Layout) -> list[str]:
    family = analyse(genogram)
    where = {p: (r, i) for r, row in enumerate(layout.rows) for i, p in enumerate(row)}
    degree: dict[str, int] = defaultdict(int)
    edges: dict[int, int] = defaultdict(int)
    for a, b in [(p.a, p.b) for p in family.partnerships] + [(t.a, t.b) for t in genogram.twins]:
        degree[a] += 1
        degree[b] += 1
        edges[family.cluster_of[a]] += 1
    out = []
    for p in genogram.partnerships:
        (ra, ia), (rb, ib) = where[p.a], where[p.b]
        if ra != rb:
            out.append(f"partners {p.a} and {p.b} are in different rows")
            continue
        cluster = family.cluster_of[p.a]
        between = layout.rows[ra][min(ia, ib) + 1 : max(ia, ib)]
        strangers = [x for x in between if family.cluster_of[x] != cluster]
        if strangers:
            out.append(f"{strangers} sit between partners {p.a} and {p.b}")
        members = family.clusters[cluster]
        chain = all(degree[m] <= 2 for m in members) and edges[cluster] == len(members) - 1
        if chain and between:
            out.append(f"partners {p.a} and {p.b} in a chain are not side by side")
        ya = layout.symbol(p.a).box.cy
        if abs(ya - layout.symbol(p.b).box.cy) > 0.01:
            out.append(f"partners {p.a} and {p.b} are not on one level")
    return out


def siblings_in_order(genogram: Genogram, layout: Layout) -> list[str]:
    family = analyse(genogram)
    sibships: dict[int, list[str]] = defaultdict(list)
    for child, unit in family.primary.items():
        sibships[id(unit)].append(child)
    twins = {frozenset((t.a, t.b)) for t in genogram.twins}  # twins have no order
    out = []
    for kids in sibships.values():
        by_x = sorted(kids, key=lambda k: (layout.symbol(k).box.cy, layout.symbol(k).box.cx))
        for a, b in zip(by_x, by_x[1:], strict=False):
            # Siblings in different rows (contradictory generations) have no left-to-right order.
            same_row = layout.symbol(a).box.cy == layout.symbol(b).box.cy
            older = birth_key(genogram, a)[:2] > birth_key(genogram, b)[:2]
            if same_row and older and frozenset((a, b)) not in twins:
                out.append(f"{a} sits left of the older sibling {b}")
    return out


def households_exclusive(genogram: Genogram, layout: Layout) -> list[str]:
    out = []
    for home, drawn in zip(genogram.households, layout.outlines, strict=True):
        for s in layout.symbols:
            if s.person in home.members:
                if not any(_inside(s.box, r) for r in drawn.rects):
                    out.append(f"{s.person} is outside the outline of {home.id}")
            elif any(r.overlaps(s.box) for r in drawn.rects):
                out.append(f"{s.person} is inside the outline of {home.id}, not a member")
    return out


def _inside(box: Box, rect: Box) -> bool:
    return (
        rect.x <= box.x
        and box.right <= rect.right
        and rect.y <= box.y
        and box.bottom <= rect.bottom
    )

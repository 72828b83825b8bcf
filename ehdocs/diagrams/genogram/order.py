"""Left-to-right order of people in each generation.

Partners and twins form a cluster that is never split. A lone couple puts the man on the left.
A person with several partners has the first on the left and later ones on the right, in date
order; with three or more, the two with most children together sit right beside them and the
others go outside on the shorter side, joined by a line over the top (see route). Clusters are
ordered by barycentre sweeps (children under parents, parents over children), always as a
topological order of the rule "older sibling left of younger".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from ehdocs.diagrams.genogram.plan import arc_stem_index
from ehdocs.diagrams.genogram.structure import Family, birth_key

SWEEPS = 4  # down-and-up passes; families settle in two or three
GENDER_RANK = {"male": 0, "other": 1, "female": 2}


def order_rows(family: Family) -> list[list[str]]:
    seqs = [cluster_order(family, members) for members in family.clusters]
    rows: dict[int, list[int]] = defaultdict(list)
    for i, members in enumerate(family.clusters):
        rows[family.generation[members[0]]].append(i)
    grid = [rows[g] for g in range(max(rows, default=-1) + 1)]
    ordering = _Sweeper(family, seqs, grid)
    for _ in range(SWEEPS):
        ordering.sweep(down=True)
        ordering.sweep(down=False)
    ordering.sweep(down=True)
    return [[p for c in row for p in seqs[c]] for row in ordering.grid]


def cluster_order(family: Family, members: list[str]) -> list[str]:
    if len(members) == 1:
        return list(members)
    g = family.genogram
    inside = set(members)
    edges: dict[str, list[tuple[tuple[int, dt.date, int], str]]] = defaultdict(list)
    for n, p in enumerate(family.partnerships):
        if p.a in inside and p.b in inside:
            when = p.start or p.end
            key = (0 if when else 1, when.earliest() if when else dt.date.max, n)
            edges[p.a].append((key, p.b))
            edges[p.b].append((key, p.a))
    for t in g.twins:
        if t.a in inside and t.b in inside:
            edges[t.a].append((birth_key(g, t.b), t.b))
            edges[t.b].append((birth_key(g, t.a), t.a))
    if len(members) == 2:
        a, b = members
        if GENDER_RANK[g.by_id[b].gender] < GENDER_RANK[g.by_id[a].gender]:
            a, b = b, a
        seq = [a, b]
    else:
        has_parents = set(family.primary)
        hub = min(members, key=lambda m: (-len(edges[m]), m not in has_parents))
        seq = _expand(hub, None, edges, {hub}, _weights(family, hub))
    mirrored = seq[::-1]
    return (
        mirrored
        if _sibling_inversions(family, mirrored) < _sibling_inversions(family, seq)
        else seq
    )


def _expand(
    node: str,
    side: str | None,
    edges: dict[str, list[tuple[tuple[int, dt.date, int], str]]],
    seen: set[str],
    weight: dict[str, int] | None = None,
) -> list[str]:
    """Depth-first: a person's other partners go on the side away from whoever placed them."""
    nbrs = [w for _, w in sorted(edges[node]) if w not in seen]
    seen.update(nbrs)
    if side is None:
        return _hub(node, nbrs, edges, seen, weight or {})
    parts = [_expand(w, side, edges, seen) for w in nbrs]
    if side == "left":  # attached to someone on its left: grow to the right
        return [node] + [p for part in parts for p in part]
    return [p for part in reversed(parts) for p in part] + [node]


def _hub(
    node: str,
    nbrs: list[str],
    edges: dict[str, list[tuple[tuple[int, dt.date, int], str]]],
    seen: set[str],
    weight: dict[str, int],
) -> list[str]:
    """The person with most partners: the two partners with most children together sit beside
    them, earlier on the left; any others go outside, on the shorter side, in date order."""
    mains = sorted(nbrs, key=lambda w: (-weight.get(w, 0), nbrs.index(w)))[:2]
    mains.sort(key=nbrs.index)
    left = [_expand(w, "right", edges, seen) for w in mains[:1]]  # innermost first
    right = [_expand(w, "left", edges, seen) for w in mains[1:]]
    for w in nbrs:
        if w not in mains:
            shorter = left if sum(map(len, left)) <= sum(map(len, right)) else right
            shorter.append(_expand(w, "right" if shorter is left else "left", edges, seen))
    return (
        [p for part in reversed(left) for p in part] + [node] + [p for part in right for p in part]
    )


def _weights(family: Family, hub: str) -> dict[str, int]:
    """How much each partner of the hub should sit beside them: children together; a twin most."""
    out: dict[str, int] = defaultdict(int)
    for unit in family.units:
        if hub in unit.parents:
            for p in unit.parents:
                out[p] += len(unit.children)
    for t in family.genogram.twins:
        if hub in (t.a, t.b):
            out[t.b if t.a == hub else t.a] += 1000
    return out


def _sibling_inversions(family: Family, seq: list[str]) -> int:
    g = family.genogram
    count = 0
    for i, a in enumerate(seq):
        for b in seq[i + 1 :]:
            same = family.primary.get(a) is not None and family.primary.get(
                a
            ) is family.primary.get(b)
            if same and birth_key(g, a)[:2] > birth_key(g, b)[:2]:
                count += 1
    return count


class _Sweeper:
    def __init__(self, family: Family, seqs: list[list[str]], grid: list[list[int]]) -> None:
        self.family = family
        self.seqs = seqs
        self.grid = [sorted(row, key=lambda c: self._first_recorded(c)) for row in grid]
        self.children: dict[str, list[str]] = defaultdict(list)
        for unit in family.units:
            for p in unit.parents:
                self.children[p].extend(e.child for e in unit.children)
        self.housemates: dict[str, set[str]] = defaultdict(set)
        for home in family.genogram.households:
            for m in home.members:
                self.housemates[m].update(x for x in home.members if x != m)
        self.constraints = [self._sibling_constraints(row) for row in self.grid]
        self.stem_between = {id(u): self._stem_between(u.parents) for u in family.units}

    def _stem_between(self, parents: tuple[str, ...]) -> tuple[str, str]:
        """The two people whose gap the children's line will come down, as the plan will pick."""
        if len(parents) == 1:
            return parents[0], parents[0]
        seq = self.seqs[self.family.cluster_of[parents[0]]]
        i, j = sorted(seq.index(p) for p in parents)
        if j == i + 1:
            return seq[i], seq[j]
        couples = {frozenset((p.a, p.b)) for p in self.family.partnerships}
        taken = {k for k in range(1, len(seq)) if frozenset(seq[k - 1 : k + 1]) in couples}
        k = arc_stem_index(i, j, taken)
        return seq[k - 1], seq[k]

    def _first_recorded(self, cluster: int) -> int:
        return min(self.family.genogram.rank[m] for m in self.seqs[cluster])

    def _sibling_constraints(self, row: list[int]) -> list[tuple[int, int]]:
        """Cluster pairs (older sibling's, younger sibling's) for every sibship in the row."""
        fam = self.family
        in_row = {m for c in row for m in self.seqs[c]}
        out: list[tuple[int, int]] = []
        for unit in fam.units:
            kids = [e.child for e in unit.children if e.primary and e.child in in_row]
            kids.sort(key=lambda k: birth_key(fam.genogram, k)[:2])
            for a, b in zip(kids, kids[1:], strict=False):
                ca, cb = fam.cluster_of[a], fam.cluster_of[b]
                same_age = birth_key(fam.genogram, a)[:2] == birth_key(fam.genogram, b)[:2]
                if ca != cb and not same_age and (ca, cb) not in out:
                    out.append((ca, cb))
        return out

    def positions(self) -> dict[str, float]:
        pos: dict[str, float] = {}
        for row in self.grid:
            x = 0.0
            for c in row:
                for m in self.seqs[c]:
                    pos[m] = x
                    x += 1.0
                x += 0.5  # a little air between clusters
        return pos

    def sweep(self, down: bool) -> None:
        rows = range(1, len(self.grid)) if down else range(len(self.grid) - 2, -1, -1)
        for r in rows:
            pos = self.positions()
            keys = {c: self._key(c, pos, down) for c in self.grid[r]}
            self.grid[r] = _constrained_sort(self.grid[r], keys, self.constraints[r])

    def _key(self, cluster: int, pos: dict[str, float], down: bool) -> float:
        fam = self.family
        members = self.seqs[cluster]
        values: list[float] = []
        for m in members:
            if down and m in fam.primary:
                a, b = self.stem_between[id(fam.primary[m])]
                values.append((pos[a] + pos[b]) / 2)
            elif not down and self.children.get(m):
                values.extend(pos[k] for k in self.children[m])
        if not values:  # unlinked people gather near the people they live with
            row = fam.generation[members[0]]
            values = [
                pos[h]
                for m in members
                for h in sorted(self.housemates[m])
                if fam.generation[h] == row and h not in members
            ]
        if not values:
            return sum(pos[m] for m in members) / len(members)
        return sum(values) / len(values)


def _constrained_sort(
    row: list[int], keys: dict[int, float], constraints: list[tuple[int, int]]
) -> list[int]:
    """Kahn's algorithm taking the smallest key first; a cycle is broken at its smallest key."""
    rank = {c: i for i, c in enumerate(row)}
    pending = {c: 0 for c in row}
    after: dict[int, list[int]] = defaultdict(list)
    for a, b in constraints:
        after[a].append(b)
        pending[b] += 1
    out: list[int] = []
    left = set(row)
    while left:
        free = [c for c in left if pending[c] == 0] or list(left)
        best = min(free, key=lambda c: (keys[c], rank[c]))
        out.append(best)
        left.discard(best)
        for b in after[best]:
            pending[b] -= 1
    return out

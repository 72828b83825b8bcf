"""Horizontal positions: each row keeps its order and spacing, pulled under parents and over
children by alternating sweeps.

A sweep solves, for one row, min Σ w·(x − target)² subject to the minimum distance between
neighbours — exactly, by pooling adjacent violators (isotonic regression), so a sibship with
one target ends up packed and centred under its parents.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ehdocs.diagrams.genogram.plan import Gap, Plan
from ehdocs.diagrams.genogram.structure import Family

ROUNDS = 3
SECONDARY_PULL = 0.3  # foster carers and the like drift towards the child, but gently
CLUSTER_PULL = 0.5
IDLE = 1e-3


@dataclass
class RowSpec:
    people: list[str]
    left: list[float]  # extent of each slot left of its centre
    right: list[float]
    gaps: list[float]  # gaps[k] lies left of item k; gaps[n] is right of the last item

    def seps(self) -> list[float]:
        return [
            self.right[i] + self.gaps[i + 1] + self.left[i + 1] for i in range(len(self.people) - 1)
        ]


def solve(targets: list[float], weights: list[float], seps: list[float]) -> list[float]:
    offsets = [0.0]
    for s in seps:
        offsets.append(offsets[-1] + s)
    pools: list[list[float]] = []  # [weight, weighted sum, count]
    for t, w, off in zip(targets, weights, offsets, strict=True):
        pools.append([w, w * (t - off), 1])
        while len(pools) > 1 and pools[-2][1] / pools[-2][0] > pools[-1][1] / pools[-1][0]:
            w2, s2, n2 = pools.pop()
            pools[-1][0] += w2
            pools[-1][1] += s2
            pools[-1][2] += n2
    out: list[float] = []
    for w, s, n in pools:
        out.extend([s / w] * int(n))
    return [y + off for y, off in zip(out, offsets, strict=True)]


class Placer:
    def __init__(self, family: Family, plan: Plan, specs: list[RowSpec]) -> None:
        self.family = family
        self.plan = plan
        self.specs = specs
        self.x: dict[str, float] = {}
        for spec in specs:
            self.x.update(
                zip(
                    spec.people,
                    solve([0.0] * len(spec.people), [1.0] * len(spec.people), spec.seps()),
                    strict=True,
                )
            )
        self.parent_of: dict[str, list[int]] = defaultdict(list)
        self.unit_no = {id(unit): n for n, unit in enumerate(family.units)}
        for n, unit in enumerate(family.units):
            for p in unit.parents:
                self.parent_of[p].append(n)

    def run(self) -> dict[str, float]:
        for _ in range(ROUNDS):
            self._sweep(down=True)
            self._sweep(down=False)
        self._sweep(down=True)
        return self.x

    def gap_x(self, gap: Gap) -> float:
        """The middle of a gap (outer gaps: the middle of the space they add)."""
        spec = self.specs[gap[0]]
        k = gap[1]
        if k == 0:
            first = spec.people[0]
            return self.x[first] - spec.left[0] - spec.gaps[0] / 2
        last = self.x[spec.people[k - 1]] + spec.right[k - 1]
        if k == len(spec.people):
            return last + spec.gaps[k] / 2
        return (last + self.x[spec.people[k]] - spec.left[k]) / 2

    def anchor(self, n: int) -> float:
        gap = self.plan.stems.get(n)
        if gap is None:
            return self.x[self.family.units[n].parents[0]]
        return self.gap_x(gap)

    def _sweep(self, down: bool) -> None:
        rows = range(1, len(self.specs)) if down else range(len(self.specs) - 2, -1, -1)
        for r in rows:
            spec = self.specs[r]
            pulls = [self._pulls(p, down) for p in spec.people]
            targets, weights = self._with_clusters(spec.people, pulls)
            self.x.update(zip(spec.people, solve(targets, weights, spec.seps()), strict=True))

    def _pulls(self, person: str, down: bool) -> list[tuple[float, float]]:
        fam = self.family
        if down:
            unit = fam.primary.get(person)
            if unit is None:
                return []
            return [(self.anchor(self.unit_no[id(unit)]), 1.0)]
        out = []
        for n in self.parent_of.get(person, ()):
            unit = fam.units[n]
            for primary, weight in ((True, 1.0), (False, SECONDARY_PULL)):
                kids = [self.x[e.child] for e in unit.children if e.primary == primary]
                if kids:
                    centre = (min(kids) + max(kids)) / 2
                    out.append((self.x[person] + centre - self.anchor(n), weight))
        return out

    def _with_clusters(
        self, people: list[str], pulls: list[list[tuple[float, float]]]
    ) -> tuple[list[float], list[float]]:
        """Someone with no pull of their own moves with their partners, keeping the couple tight."""
        shift: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for p, ps in zip(people, pulls, strict=True):
            for t, w in ps:
                shift[self.family.cluster_of[p]].append((t - self.x[p], w))
        targets, weights = [], []
        for p, ps in zip(people, pulls, strict=True):
            if ps:
                w = sum(w for _, w in ps)
                targets.append(sum(t * w for t, w in ps) / w)
                weights.append(w)
                continue
            moves = shift.get(self.family.cluster_of[p])
            if moves:
                total = sum(w for _, w in moves)
                targets.append(self.x[p] + sum(d * w for d, w in moves) / total)
                weights.append(CLUSTER_PULL)
            else:
                targets.append(self.x[p])
                weights.append(IDLE)
        return targets, weights

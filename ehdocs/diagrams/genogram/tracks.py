"""Stacking horizontal lines that share a band: busses in a channel, arcs above a row.

Two lines on one level never overlap (they would read as one line). In a channel, the order of
levels decides how many vertical lines cross a bus, so each pair is put the cheaper way round.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

SEPARATION = 10.0  # clear space between two lines on one level


@dataclass
class Run:
    owner: Hashable
    x1: float
    x2: float
    ups: list[float] = field(default_factory=list)  # x of lines arriving from above
    downs: list[float] = field(default_factory=list)  # x of lines leaving downwards
    air: float = SEPARATION  # clear space to the next line on its level (more: a lone line)


def stack_channel(runs: list[Run]) -> dict[Hashable, int]:
    """Level (0 = top) of each run in one channel."""
    wins = {id(r): 0 for r in runs}
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            if not _overlap(a, b):
                continue
            above, below = _crossings(a, b), _crossings(b, a)
            if above < below:
                wins[id(a)] += 1
            elif below < above:
                wins[id(b)] += 1
    ordered = sorted(runs, key=lambda r: (-wins[id(r)], r.x1, r.x2))
    return _first_fit([(r.owner, r.x1, r.x2, r.air) for r in ordered])


def stack_arcs(arcs: list[tuple[Hashable, float, float]]) -> dict[Hashable, int]:
    """Arcs over a row: shorter ones lower, so nested arcs never cross."""
    ordered = sorted(arcs, key=lambda a: (a[2] - a[1], a[1]))
    return _first_fit([(owner, x1, x2, SEPARATION) for owner, x1, x2 in ordered])


def _first_fit(items: list[tuple[Hashable, float, float, float]]) -> dict[Hashable, int]:
    levels: list[list[tuple[float, float, float]]] = []
    out: dict[Hashable, int] = {}
    for owner, x1, x2, air in items:
        for n, taken in enumerate(levels):
            if all(x2 + max(air, c) <= a or b + max(air, c) <= x1 for a, b, c in taken):
                taken.append((x1, x2, air))
                out[owner] = n
                break
        else:
            levels.append([(x1, x2, air)])
            out[owner] = len(levels) - 1
    return out


def _overlap(a: Run, b: Run) -> bool:
    air = max(a.air, b.air)
    return not (a.x2 + air <= b.x1 or b.x2 + air <= a.x1)


def _crossings(top: Run, bottom: Run) -> int:
    """Crossings when `top` lies above `bottom`: bottom's risers cut top, top's drops cut bottom."""
    return sum(top.x1 < x < top.x2 for x in bottom.ups) + sum(
        bottom.x1 < x < bottom.x2 for x in top.downs
    )

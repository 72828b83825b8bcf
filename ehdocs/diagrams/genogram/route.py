"""Lines from the plan and the x positions: partnerships, arcs, stems, busses and child lines.

Also settles the rows' heights: the band above a row grows with its arcs, the channel below
with its busses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

from ehdocs.diagrams.genogram.model import GPartnership
from ehdocs.diagrams.genogram.place import RowSpec
from ehdocs.diagrams.genogram.plan import Gap, Plan
from ehdocs.diagrams.genogram.slots import LABEL_GAP, SYMBOL, Slot
from ehdocs.diagrams.genogram.structure import Family
from ehdocs.diagrams.genogram.tracks import Run, stack_arcs, stack_channel
from ehdocs.diagrams.geometry import Box, Line, Point

MARGIN = 24.0
TOP_PAD = 16.0  # above the symbols, below the lowest arc
ARC_STEP = 8.0
CHANNEL_PAD = 16.0  # between labels and the first bus (household outlines live here)
TRACK = 9.0
PORTS = (0.0, 10.0, -10.0, 15.0, -15.0, 5.0, -5.0)
KIND_STYLE = {
    "birth": "solid",
    "adoptive": "dashed",
    "foster": "dotted",
    "kinship": "dotted",
    "special_guardian": "dotted",
    "step": "dashdot",
}
STATUS_STYLE = {
    "married": "solid",
    "separated": "solid",
    "divorced": "solid",
    "cohabiting": "dashed",
    "dating": "dotted",
    "unrecorded": "unrecorded",
}
SLASHES = {"separated": 1, "divorced": 2}


@dataclass(frozen=True)
class RowY:
    sym_top: float
    mid: float
    label_bottom: float
    tracks: tuple[float, ...]


class Router:
    def __init__(
        self,
        family: Family,
        plan: Plan,
        specs: list[RowSpec],
        x: dict[str, float],
        slots: dict[str, Slot],
    ) -> None:
        self.family, self.plan, self.specs, self.x, self.slots = family, plan, specs, x, slots
        self.lane_x = self._lanes()
        self.ports = self._ports()
        self.lines: list[Line] = []

    # -- x of lanes and ports ----------------------------------------------------------

    def gap_edges(self, gap: Gap) -> tuple[float, float]:
        spec, k = self.specs[gap[0]], gap[1]
        if k == 0:
            right = self.x[spec.people[0]] - spec.left[0]
            return right - spec.gaps[0], right
        left = self.x[spec.people[k - 1]] + spec.right[k - 1]
        if k == len(spec.people):
            return left, left + spec.gaps[k]
        return left, self.x[spec.people[k]] - spec.left[k]

    def _lanes(self) -> dict[Hashable, float]:
        out: dict[Hashable, float] = {}
        for gap, owners in self.plan.lanes.items():
            a, b = self.gap_edges(gap)
            for j, owner in enumerate(owners):
                out[owner] = a + (j + 1) * (b - a) / (len(owners) + 1)
        return out

    def _ports(self) -> dict[Hashable, float]:
        """Where lines meet the top of a symbol: a child line at the middle, others beside it."""
        wants: dict[str, list[tuple[Hashable, int]]] = defaultdict(list)
        for child in self.family.primary:
            wants[child].append((("in", child, True), 0))
        for n, unit in enumerate(self.family.units):
            for e in unit.children:
                if not e.primary:
                    wants[e.child].append((("in", e.child, n), 0))
        for p in self.plan.arcs:
            a, b = sorted((p.a, p.b), key=lambda q: self.x[q])
            wants[a].append((("arc", p.a, p.b, a), 1))
            wants[b].append((("arc", p.a, p.b, b), -1))
        out: dict[Hashable, float] = {}
        for person, items in wants.items():
            free = list(PORTS)
            for owner, side in items:
                pick = next((o for o in free if o * side > 0), free[0]) if side else free[0]
                free.remove(pick)
                out[owner] = self.x[person] + pick
                if not free:
                    free = list(PORTS)
        return out

    # -- rows and channels -----------------------------------------------------------------

    def run(self) -> tuple[list[Line], list[RowY], float]:
        arc_levels = self._arc_levels()
        channels = self._channels()
        rows: list[RowY] = []
        y = MARGIN
        for r, spec in enumerate(self.specs):
            levels = 1 + max((lv for (row, _), lv in arc_levels.items() if row == r), default=-1)
            sym_top = y + TOP_PAD + levels * ARC_STEP
            label_h = max((self.slots[p].label_h for p in spec.people), default=0.0)
            label_bottom = sym_top + SYMBOL + LABEL_GAP + label_h
            count = 1 + max(channels[r].values(), default=-1)
            tracks = tuple(label_bottom + CHANNEL_PAD + t * TRACK for t in range(count))
            bottom = (tracks[-1] if tracks else label_bottom) + CHANNEL_PAD
            rows.append(RowY(sym_top, sym_top + SYMBOL / 2, label_bottom, tracks))
            y = bottom
        self.rows = rows
        self.arc_y = {
            key: rows[key[0]].sym_top - TOP_PAD - lv * ARC_STEP for key, lv in arc_levels.items()
        }
        self.track_y = {
            owner: rows[r].tracks[t] for r, ch in channels.items() for owner, t in ch.items()
        }
        self._partnerships()
        self._children()
        return self.lines, rows, y + MARGIN - CHANNEL_PAD

    def _arc_levels(self) -> dict[tuple[int, GPartnership], int]:
        by_row: dict[int, list[tuple[Hashable, float, float]]] = defaultdict(list)
        for p in self.plan.arcs:
            x1, x2 = sorted(
                (self.ports[("arc", p.a, p.b, p.a)], self.ports[("arc", p.a, p.b, p.b)])
            )
            by_row[self.plan.where[p.a][0]].append((p, x1, x2))
        out: dict[tuple[int, GPartnership], int] = {}
        for r, arcs in by_row.items():
            for owner, lv in stack_arcs(arcs).items():
                assert isinstance(owner, GPartnership)
                out[r, owner] = lv
        return out

    def _channels(self) -> dict[int, dict[Hashable, int]]:
        runs: dict[int, list[Run]] = defaultdict(list)
        for n, unit in enumerate(self.family.units):
            if not unit.children:
                continue
            row = self.plan.where[unit.parents[0]][0]
            stem = self._stem_x(n)
            downs = [self._first_x(n, e.child) for e in unit.children]
            xs = [stem, *downs]
            runs[row].append(Run(("bus", n), min(xs), max(xs), [stem], downs))
            for e in unit.children:
                hops = self.plan.hops.get((n, e.child), [])
                for i, (q, _) in enumerate(hops):
                    a = self.lane_x[("hop", n, e.child, q)]
                    b = self._next_x(n, e.child, i)
                    runs[q].append(Run(("hop", n, e.child, q), min(a, b), max(a, b), [a], [b]))
        return {r: stack_channel(runs.get(r, [])) for r in range(len(self.specs))}

    def _stem_x(self, n: int) -> float:
        gap = self.plan.stems[n]
        return self.x[self.family.units[n].parents[0]] if gap is None else self.lane_x[("stem", n)]

    def _entry_x(self, n: int, child: str) -> float:
        if self.family.primary.get(child) is self.family.units[n]:
            return self.ports[("in", child, True)]
        return self.ports[("in", child, n)]

    def _first_x(self, n: int, child: str) -> float:
        """Where the child line leaves the bus: the first hop, the twins' fork, or the child."""
        hops = self.plan.hops.get((n, child))
        if hops:
            return self.lane_x[("hop", n, child, hops[0][0])]
        fork = self._forks(n).get(child)
        return fork if fork is not None else self._entry_x(n, child)

    def _next_x(self, n: int, child: str, i: int) -> float:
        hops = self.plan.hops[(n, child)]
        if i + 1 < len(hops):
            return self.lane_x[("hop", n, child, hops[i + 1][0])]
        return self._entry_x(n, child)

    def _forks(self, n: int) -> dict[str, float]:
        """Twins (and triplets) hanging from one unit share one point on its bus."""
        unit = self.family.units[n]
        kids = {e.child for e in unit.children if e.primary and (n, e.child) not in self.plan.hops}
        group: dict[str, str] = {k: k for k in kids}
        for t in self.family.genogram.twins:
            if t.a in kids and t.b in kids:
                group[_root(group, t.a)] = _root(group, t.b)
        members: dict[str, list[str]] = defaultdict(list)
        for k in sorted(kids, key=lambda k: self.x[k]):
            members[_root(group, k)].append(k)
        return {
            k: sum(self.x[m] for m in ms) / len(ms)
            for ms in members.values()
            if len(ms) > 1
            for k in ms
        }

    # -- drawing ---------------------------------------------------------------------------

    def _partnerships(self) -> None:
        for p in self.plan.adjacent:
            a, b = sorted((p.a, p.b), key=lambda q: self.x[q])
            r = self.plan.where[a][0]
            y = self.rows[r].mid
            x1 = self.x[a] + self._half_at_mid(a)
            x2 = self.x[b] - self._half_at_mid(b)
            self.lines.append(
                Line(((x1, y), (x2, y)), STATUS_STYLE[p.status], "partnership", (a, b))
            )
            lanes = [self.lane_x[o] for o in self.plan.lanes.get((r, self.plan.where[b][1]), [])]
            self._slashes(p, x1, min([x2, *lanes]), y, (a, b))
        for p in self.plan.arcs:
            a, b = sorted((p.a, p.b), key=lambda q: self.x[q])
            r = self.plan.where[a][0]
            y = self.arc_y[r, p]
            xa, xb = self.ports[("arc", p.a, p.b, a)], self.ports[("arc", p.a, p.b, b)]
            points = ((xa, self._top_at(a, xa)), (xa, y), (xb, y), (xb, self._top_at(b, xb)))
            self.lines.append(Line(points, STATUS_STYLE[p.status], "arc", (a, b)))
            self._slashes(p, xa, min(xa + 40, xb), y, (a, b))

    def _slashes(
        self, p: GPartnership, x1: float, x2: float, y: float, ends: tuple[str, str]
    ) -> None:
        count = SLASHES.get(p.status, 0)
        centre = (x1 + x2) / 2
        for i in range(count):
            cx = centre + (i - (count - 1) / 2) * 7
            self.lines.append(Line(((cx - 4, y + 7), (cx + 4, y - 7)), "solid", "slash", ends))

    def _children(self) -> None:
        for n, unit in enumerate(self.family.units):
            if not unit.children:
                continue
            row = self.rows[self.plan.where[unit.parents[0]][0]]
            bus_y = self.track_y[("bus", n)]
            stem = self._stem_x(n)
            gap = self.plan.stems[n]
            if gap is None:  # a single parent: from the foot of the symbol
                start = row.mid + self.slots[unit.parents[0]].h / 2
            else:
                arc = next((p for p in self.plan.arcs if {p.a, p.b} == set(unit.parents)), None)
                start = self.arc_y[gap[0], arc] if arc else row.mid
            self.lines.append(Line(((stem, start), (stem, bus_y)), "solid", "stem", unit.parents))
            xs = [stem] + [self._first_x(n, e.child) for e in unit.children]
            if max(xs) > min(xs):
                self.lines.append(Line(((min(xs), bus_y), (max(xs), bus_y)), "solid", "bus"))
            forks = self._forks(n)
            for e in unit.children:
                self.lines.append(self._child_line(n, e.child, e.kind, bus_y, forks.get(e.child)))
            self._twin_bars(forks, bus_y)

    def _child_line(self, n: int, child: str, kind: str, bus_y: float, fork: float | None) -> Line:
        points: list[Point] = []
        x = self._first_x(n, child)
        points.append((x, bus_y))
        for i, (q, _) in enumerate(self.plan.hops.get((n, child), [])):
            hop_y = self.track_y[("hop", n, child, q)]
            nxt = self._next_x(n, child, i)
            points += [(x, hop_y), (nxt, hop_y)]
            x = nxt
        sym_top = self.rows[self.plan.where[child][0]].sym_top
        if fork is not None:  # a straight line to the twin's top, then down if the symbol is small
            top = self._top_at(child, self.x[child])
            points.append((self.x[child], sym_top))
            if top > sym_top:
                points.append((self.x[child], top))
        else:
            points.append((x, self._top_at(child, x)))
        return Line(tuple(_dedupe(points)), KIND_STYLE.get(kind, "solid"), "drop", (child,))

    def _twin_bars(self, forks: dict[str, float], bus_y: float) -> None:
        for t in self.family.genogram.twins:
            if not t.identical or t.a not in forks or forks[t.a] != forks.get(t.b):
                continue
            fx = forks[t.a]
            y = bus_y + (self.rows[self.plan.where[t.a][0]].sym_top - bus_y) * 0.55
            share = (y - bus_y) / (self.rows[self.plan.where[t.a][0]].sym_top - bus_y)
            xa = fx + (self.x[t.a] - fx) * share
            xb = fx + (self.x[t.b] - fx) * share
            self.lines.append(Line(((min(xa, xb), y), (max(xa, xb), y)), "solid", "twin-bar"))

    # -- symbol outlines -------------------------------------------------------------------

    def _half_at_mid(self, person: str) -> float:
        slot = self.slots[person]
        return slot.w / 4 if slot.shape == "pregnancy" else slot.w / 2

    def _top_at(self, person: str, x: float) -> float:
        """The y where a vertical line at x meets the top of the person's symbol."""
        slot = self.slots[person]
        row = self.rows[self.plan.where[person][0]]
        box = Box(self.x[person] - slot.w / 2, row.mid - slot.h / 2, slot.w, slot.h)
        dx = min(abs(x - box.cx), slot.w / 2)
        if slot.shape in ("female", "miscarriage"):
            return box.cy - math.sqrt(max(0.0, (slot.w / 2) ** 2 - dx * dx))
        if slot.shape == "other":
            return box.y + dx
        if slot.shape == "pregnancy":
            return box.y + dx * slot.h / (slot.w / 2)
        return box.y


def _root(group: dict[str, str], k: str) -> str:
    while group[k] != k:
        k = group[k]
    return k


def _dedupe(points: list[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out

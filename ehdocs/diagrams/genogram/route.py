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
CARE_PORTS = (10.0, 15.0, 5.0)  # a carer's line meets the child beside the middle
PORT_CLEAR = 6.0  # two lines into one symbol keep at least this far apart
CARE_AIR = 36.0  # a carer's line and another on one level: far enough apart to read as two
CLEAR = 4.0  # two vertical lines at least this far apart, or they read as one
PRIMARY = -1  # the port key of a child's own line ("in", child, PRIMARY); others: unit number
SNAP = 10.0  # a line arriving this close to a symbol's middle goes straight in, without a jog
FOOT_PORTS = (0.0, -10.0, -16.0, -5.0)  # lines from a lone parent's foot (the label is right)
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
        self.unit_no = {id(u): n for n, u in enumerate(family.units)}
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
            ordered = self._hops_beside_stems(gap, self._care_beside_stems(owners))
            for j, owner in enumerate(ordered):
                out[owner] = a + (j + 1) * (b - a) / (len(ordered) + 1)
        self._clear_of_row_above(out)
        return out

    def _clear_of_row_above(self, lane_x: dict[Hashable, float]) -> None:
        """A line passing down through a gap must not continue (in the channel above) a line
        coming down from the row above at the same x, nor (in the channel below) run into the
        line dropping to someone in the row below: move it aside within its gap."""
        down: dict[int, list[float]] = defaultdict(list)  # x of lines leaving each row downwards
        for gap, owners in self.plan.lanes.items():
            down[gap[0]] += [lane_x[o] for o in owners]
        for n, unit in enumerate(self.family.units):
            if unit.children and self.plan.stems[n] is None:
                row = self.plan.where[unit.parents[0]][0]
                down[row] += [self.x[unit.parents[0]] + f for f in FOOT_PORTS]
        self.down = down
        for gap, owners in sorted(self.plan.lanes.items()):
            a, b = self.gap_edges(gap)
            mine = [lane_x[o] for o in owners]
            for owner in owners:
                if not (isinstance(owner, tuple) and owner[0] == "hop"):
                    continue
                x = lane_x[owner]
                below = self.specs[gap[0] + 1].people if gap[0] + 1 < len(self.specs) else []
                above = down.get(gap[0] - 1, []) + [self.x[p] for p in below]
                if all(abs(x - v) >= CLEAR for v in above):
                    continue
                for step in (7.0, -7.0, 12.0, -12.0, 17.0, -17.0):
                    nx = x + step
                    if a + 3 <= nx <= b - 3 and all(
                        abs(nx - v) >= CLEAR for v in above + [m for m in mine if m != x]
                    ):
                        lane_x[owner] = nx
                        mine = [nx if m == x else m for m in mine]
                        # the row below, and the ports, must see the line where it now runs
                        leaving = down[gap[0]]
                        leaving[leaving.index(x)] = nx
                        break

    def _care_beside_stems(self, owners: list[Hashable]) -> list[Hashable]:
        """A carer's lane goes on the side of the children's stem towards the cared-for child,
        so it need not cross the stem's line to its own children."""
        out = [o for o in owners if not (isinstance(o, tuple) and o[0] == "care")]
        for owner in owners:
            if not (isinstance(owner, tuple) and owner[0] == "care"):
                continue
            _, n, child = owner
            stem = ("stem", n)
            if stem not in out:
                out.append(owner)
                continue
            kids = [self.x[e.child] for e in self.family.units[n].children if e.primary]
            hops = self.plan.hops.get((n, child))
            heads = sum(self.gap_edges(hops[0])) / 2 if hops else self.x[child]
            left = heads < sum(kids) / len(kids)
            at = out.index(stem)
            out.insert(at if left else at + 1, owner)
        return out

    def _hops_beside_stems(self, gap: Gap, owners: list[Hashable]) -> list[Hashable]:
        """A line passing down through the gap of a couple's stem keeps to the side of the stem
        it goes on to, so it need not cross the stem, or the drops under it, in the channel."""
        stems = [o for o in owners if isinstance(o, tuple) and o[0] == "stem"]
        if len(stems) != 1:
            return owners
        out = [o for o in owners if not (isinstance(o, tuple) and o[0] == "hop")]
        middle = sum(self.gap_edges(gap)) / 2
        for owner in owners:
            if not (isinstance(owner, tuple) and owner[0] == "hop"):
                continue
            _, n, child, row = owner
            hops = self.plan.hops[(n, child)]
            i = next(i for i, (q, _) in enumerate(hops) if q == row)
            to = sum(self.gap_edges(hops[i + 1])) / 2 if i + 1 < len(hops) else self.x[child]
            at = out.index(stems[0])
            out.insert(at if to < middle else at + 1, owner)
        return out

    def _ports(self) -> dict[Hashable, float]:
        """Where lines meet the top of a symbol: a child line at the middle (or straight under
        a stem close by), a carer's line beside it on the side it comes from, arcs outside."""
        out: dict[Hashable, float] = {}
        taken: dict[str, list[float]] = defaultdict(list)

        def clear(person: str, offset: float, own: float) -> bool:
            """Apart from the person's other lines, and from any line but its own (at `own`)
            coming down from the row above at the same x (a lone parent's stem from the foot,
            a stem, a line passing through)."""
            x = self.x[person] + offset
            above = self.down.get(self.plan.where[person][0] - 1, [])
            return all(abs(offset - u) >= PORT_CLEAR for u in taken[person]) and all(
                abs(x - v) >= CLEAR for v in above if abs(v - own) > 0.01
            )

        for child, unit in self.family.primary.items():
            n = self.unit_no[id(unit)]
            hops = self.plan.hops.get((n, child))
            offset = 0.0
            if hops:
                arrive = self.lane_x[("hop", n, child, hops[-1][0])]
            elif child not in self._forks(n):
                arrive = self._stem_x(n)
            else:
                arrive = math.inf
            if abs(arrive - self.x[child]) <= SNAP:
                offset = arrive - self.x[child]
            if not clear(child, offset, arrive):  # another line down from the row above
                moves = [offset + d for d in (6.0, -6.0, 10.0, -10.0)]
                offset = next((m for m in moves if clear(child, m, arrive)), offset)
            out[("in", child, PRIMARY)] = self.x[child] + offset
            taken[child].append(offset)
        for n, unit in enumerate(self.family.units):
            for e in unit.children:
                if e.primary:
                    continue
                source = self._care_source_x(n, e.child)
                d = source - self.x[e.child]
                if abs(d) <= SNAP and clear(e.child, d, source):
                    offset = d
                else:
                    side = 1.0 if d >= 0 else -1.0
                    wishes = [side * c for c in CARE_PORTS] + [-side * c for c in CARE_PORTS]
                    wishes += [side * c for c in (20.0, 8.0, 12.0, 18.0)]
                    # and not a step of a few points off the line coming down (a jog)
                    wishes = [c for c in wishes if abs(c - d) >= 3.0] or wishes
                    offset = next((c for c in wishes if clear(e.child, c, source)), wishes[0])
                out[("in", e.child, n)] = self.x[e.child] + offset
                taken[e.child].append(offset)
        for p in self.plan.arcs:
            a, b = sorted((p.a, p.b), key=lambda q: self.x[q])
            for person, side in ((a, 1), (b, -1)):
                pick = next(
                    (o for o in PORTS if o * side > 0 and clear(person, o, math.inf)),
                    next((o for o in PORTS if o * side > 0), 0.0),
                )
                out[("arc", p.a, p.b, person)] = self.x[person] + pick
                taken[person].append(pick)
        return out

    def _care_x(self, n: int, child: str) -> float:
        """Where a carer's line to a child starts: its own lane beside the children's stem, or
        beside the middle of a lone carer's foot (in the middle if it is their only line)."""
        if self.plan.stems[n] is not None:
            return self.lane_x[("care", n, child)]
        unit = self.family.units[n]
        cared = [e.child for e in unit.children if not e.primary]
        has_own = any(e.primary for e in unit.children)
        k = cared.index(child) + (1 if has_own else 0)
        carer = self.x[unit.parents[0]]
        port = carer + FOOT_PORTS[min(k, len(FOOT_PORTS) - 1)]
        hops = self.plan.hops.get((n, child))
        if not hops:
            return port
        # straight down into the gap it passes through, if that is a step of a few points off
        # the foot (a jog) and clear of the foot's other lines
        first = self.lane_x[("hop", n, child, hops[0][0])]
        others = [carer + f for f in FOOT_PORTS[: len(cared) + has_own] if carer + f != port]
        if abs(first - port) <= SNAP / 2 and all(abs(first - o) >= CLEAR for o in others):
            return first
        return port

    def _care_source_x(self, n: int, child: str) -> float:
        """The x of the line that comes down into the child: the last gap it passes through,
        or its start."""
        hops = self.plan.hops.get((n, child))
        if hops:
            return self.lane_x[("hop", n, child, hops[-1][0])]
        return self._care_x(n, child)

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
            if any(e.primary for e in unit.children):
                stem = self._stem_x(n)
                downs = [self._first_x(n, e.child) for e in unit.children if e.primary]
                xs = [stem, *downs]
                runs[row].append(Run(("bus", n), min(xs), max(xs), [stem], downs))
            for e in unit.children:
                if not e.primary:
                    a, b = self._care_x(n, e.child), self._first_x(n, e.child)
                    runs[row].append(
                        Run(("care", n, e.child), min(a, b), max(a, b), [a], [b], CARE_AIR)
                    )
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
            return self.ports[("in", child, PRIMARY)]
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
        stem = self._stem_x(n) if kids else 0.0
        out: dict[str, float] = {}
        for ms in members.values():
            if len(ms) > 1:
                fork = sum(self.x[m] for m in ms) / len(ms)
                if abs(fork - stem) <= SNAP:  # straight on from the stem: no step at the apex
                    fork = stem
                out.update((k, fork) for k in ms)
        return out

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

    def _start_y(self, n: int, x: float) -> float:
        """Where a line down from parents starts: a lone parent's foot, else their partnership
        line (beside each other, or the arc over the top)."""
        unit = self.family.units[n]
        gap = self.plan.stems[n]
        if gap is None:
            return self._bottom_at(unit.parents[0], x)
        arc = next((p for p in self.plan.arcs if {p.a, p.b} == set(unit.parents)), None)
        return self.arc_y[gap[0], arc] if arc else self.rows[gap[0]].mid

    def _children(self) -> None:
        for n, unit in enumerate(self.family.units):
            if not unit.children:
                continue
            if any(e.primary for e in unit.children):
                bus_y = self.track_y[("bus", n)]
                stem = self._stem_x(n)
                start = self._start_y(n, stem)
                self.lines.append(
                    Line(((stem, start), (stem, bus_y)), "solid", "stem", unit.parents)
                )
                xs = [stem] + [self._first_x(n, e.child) for e in unit.children if e.primary]
                if max(xs) > min(xs):
                    self.lines.append(Line(((min(xs), bus_y), (max(xs), bus_y)), "solid", "bus"))
                forks = self._forks(n)
                for e in unit.children:
                    if e.primary:
                        first = [(self._first_x(n, e.child), bus_y)]
                        line = self._child_line(n, e.child, e.kind, first, forks.get(e.child))
                        self.lines.append(line)
                self._twin_bars(forks, bus_y)
            for e in unit.children:
                if not e.primary:
                    self.lines.append(self._care_line(n, e.child, e.kind))

    def _care_line(self, n: int, child: str, kind: str) -> Line:
        x = self._care_x(n, child)
        y = self.track_y[("care", n, child)]
        points = [(x, self._start_y(n, x)), (x, y), (self._first_x(n, child), y)]
        line = self._child_line(n, child, kind, points, None)
        ends = (child, *(self.family.units[n].parents if self.plan.stems[n] is None else ()))
        return Line(line.points, line.style, "drop", ends, secondary=True)

    def _child_line(
        self, n: int, child: str, kind: str, start: list[Point], fork: float | None
    ) -> Line:
        points: list[Point] = list(start)
        x = points[-1][0]
        for i, (q, _) in enumerate(self.plan.hops.get((n, child), [])):
            hop_y = self.track_y[("hop", n, child, q)]
            nxt = self._next_x(n, child, i)
            points += [(x, hop_y), (nxt, hop_y)]
            x = nxt
        if fork is not None:  # one straight line from the fork to the twin's top
            points.append((self.x[child], self._top_at(child, self.x[child])))
        else:
            points.append((x, self._top_at(child, x)))
        return Line(tuple(_straight(points)), KIND_STYLE.get(kind, "solid"), "drop", (child,))

    def _twin_bars(self, forks: dict[str, float], bus_y: float) -> None:
        for t in self.family.genogram.twins:
            if not t.identical or t.a not in forks or forks[t.a] != forks.get(t.b):
                continue
            fx = forks[t.a]
            y = bus_y + (self.rows[self.plan.where[t.a][0]].sym_top - bus_y) * 0.55
            xs = []
            for twin in (t.a, t.b):  # where the bar's level cuts each twin's line
                top = self._top_at(twin, self.x[twin])
                xs.append(fx + (self.x[twin] - fx) * (y - bus_y) / (top - bus_y))
            self.lines.append(Line(((min(xs), y), (max(xs), y)), "solid", "twin-bar"))

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

    def _bottom_at(self, person: str, x: float) -> float:
        """The y where a vertical line at x leaves the bottom of the person's symbol."""
        slot = self.slots[person]
        mid = self.rows[self.plan.where[person][0]].mid
        return 2 * mid - self._top_at(person, x) if slot.shape != "pregnancy" else mid + slot.h / 2


def _root(group: dict[str, str], k: str) -> str:
    while group[k] != k:
        k = group[k]
    return k


def _straight(points: list[Point]) -> list[Point]:
    """The corners of a path: repeated points and points in the middle of a straight run go."""
    out: list[Point] = []
    for p in points:
        if out and math.dist(out[-1], p) < 0.01:
            continue
        if len(out) >= 2:
            (ax, ay), (bx, by) = out[-2], out[-1]
            if (abs(ax - bx) < 0.01 and abs(bx - p[0]) < 0.01) or (
                abs(ay - by) < 0.01 and abs(by - p[1]) < 0.01
            ):
                out[-1] = p
                continue
        out.append(p)
    return out

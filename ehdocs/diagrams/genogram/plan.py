"""Where each line will run, decided on the order alone, before any coordinates.

Vertical lines only run in the gaps between people (each gap holds "lanes") or straight down
from a symbol's foot; horizontal ones run at symbol mid-height between adjacent partners, in
the band above a row (partners who are not side by side), or on tracks in the channel between
rows. Labels sit under their own symbol, inside their slot, so no line can cross one.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from ehdocs.diagrams.genogram.model import GPartnership
from ehdocs.diagrams.genogram.structure import Family

Gap = tuple[int, int]  # (row, k): the gap left of item k of the row; k == len(row): right edge


@dataclass
class Plan:
    rows: list[list[str]]
    where: dict[str, tuple[int, int]]
    adjacent: list[GPartnership]
    arcs: list[GPartnership]
    stems: dict[int, Gap | None]  # unit index -> gap of its stem; None: from the parent's foot
    lanes: dict[Gap, list[Hashable]] = field(default_factory=dict)
    hops: dict[tuple[int, str], list[Gap]] = field(default_factory=dict)
    foot_stems: set[str] = field(default_factory=set)
    partner_gaps: set[Gap] = field(default_factory=set)

    def lane_count(self, gap: Gap) -> int:
        return len(self.lanes.get(gap, ()))


def make_plan(family: Family, rows: list[list[str]]) -> Plan:
    where = {p: (r, i) for r, row in enumerate(rows) for i, p in enumerate(row)}
    adjacent: list[GPartnership] = []
    arcs: list[GPartnership] = []
    for p in family.partnerships:
        (ra, ia), (rb, ib) = where[p.a], where[p.b]
        (adjacent if ra == rb and abs(ia - ib) == 1 else arcs).append(p)
    plan = Plan(rows, where, adjacent, arcs, {})
    plan.partner_gaps = {(where[p.a][0], max(where[p.a][1], where[p.b][1])) for p in adjacent}
    for n, unit in enumerate(family.units):
        if not unit.children:
            continue
        if len(unit.parents) == 1:
            plan.stems[n] = None
            plan.foot_stems.add(unit.parents[0])
            continue
        (row, i), (_, j) = sorted(where[p] for p in unit.parents)
        gap = (row, j) if j == i + 1 else _arc_stem_gap(plan, row, i, j)
        plan.stems[n] = gap
        if any(e.primary for e in unit.children):
            plan.lanes.setdefault(gap, []).append(("stem", n))
        # a carer's line to a child has a lane of its own beside the children's stem
        for e in unit.children:
            if not e.primary:
                plan.lanes.setdefault(gap, []).append(("care", n, e.child))
    return plan


def _arc_stem_gap(plan: Plan, row: int, i: int, j: int) -> Gap:
    taken = {k for r, k in plan.partner_gaps if r == row}
    return (row, arc_stem_index(i, j, taken))


def arc_stem_index(i: int, j: int, partner_gaps: set[int]) -> int:
    """For partners at i < j who are not side by side: the gap (k: between items k-1 and k)
    for their children's line — the one nearest the middle not crossed by a partnership."""
    centre = (i + j + 1) / 2
    candidates = sorted(range(i + 1, j + 1), key=lambda k: (abs(k - centre), k))
    free = [k for k in candidates if k not in partner_gaps]
    return (free or candidates)[0]


def add_hops(
    plan: Plan,
    family: Family,
    anchor_x: dict[int, float],
    gap_x: dict[Gap, float],
    person_x: dict[str, float],
) -> None:
    """Choose, for links that skip a row, the gap they pass through in each skipped row: near
    the straight way down, not across a partnership, and not where it would cut across the
    children's lines of other families in the channels above and below."""
    spans: dict[int, list[Span]] = {}
    for n, unit in enumerate(family.units):
        kids = [person_x[e.child] for e in unit.children if e.primary]
        if kids:
            row = plan.where[unit.parents[0]][0]
            xs = [anchor_x[n], *kids]
            spans.setdefault(row, []).append(Span(n, min(xs), max(xs), anchor_x[n], tuple(kids)))
    for n, unit in enumerate(family.units):
        if not unit.children:
            continue
        top = plan.where[unit.parents[0]][0]
        for edge in unit.children:
            bottom = plan.where[edge.child][0]
            if bottom <= top + 1:
                continue
            x0 = anchor_x[n]
            x1 = person_x[edge.child]
            # a carer's line to a child may cross the child's own parents' lines (nothing else
            # reaches a child drawn under them); another family's line it must not, if it can
            own = _own_family(family, plan, edge.child) if not edge.primary else (set(), set())
            # and the carers' own children's lines it crosses at a smaller cost: they are the
            # carers' family, and a way round them often crosses a stranger's line instead
            kin = _carers_children(family, n) if not edge.primary else set()
            gaps = []
            prev = x0
            for row in range(top + 1, bottom):
                share = (row - top) / (bottom - top)
                want = x0 + (x1 - x0) * share
                above = [(s, _weight(s, kin)) for s in spans.get(row - 1, []) if s.unit != n]
                below = [
                    (s, _weight(s, kin))
                    for s in spans.get(row, [])
                    if s.unit != n and s.unit not in own[0]
                ]
                last = x1 if row == bottom - 1 else None
                stem = x0 if row == top + 1 else None
                k = _nearest_gap(plan, gap_x, row, want, (prev, above, below, last), stem, own[1])
                gaps.append((row, k))
                plan.lanes.setdefault((row, k), []).append(("hop", n, edge.child, row))
                prev = gap_x[(row, k)]
            plan.hops[n, edge.child] = gaps


def _carers_children(family: Family, n: int) -> set[int]:
    """The units whose children are a child of unit n's parents (the carers)."""
    carers = set(family.units[n].parents)
    return {m for m, unit in enumerate(family.units) if m != n and carers & set(unit.parents)}


def _weight(span: Span, kin: set[int]) -> float:
    return KIN_CROSSING if span.unit in kin else CROSSING


def _own_family(family: Family, plan: Plan, child: str) -> tuple[set[int], set[Gap]]:
    """The units a child is a birth (or adopted) child of, and the gaps of their stems."""
    units = {
        m
        for m, unit in enumerate(family.units)
        if any(e.child == child and e.primary for e in unit.children)
    }
    return units, {gap for m in units if (gap := plan.stems.get(m)) is not None}


@dataclass(frozen=True)
class Span:
    """A family's children's lines in the channel under their parents' row: the bus from lo to
    hi, the stem that comes down onto it at `stem`, and the drops that leave it at `kids`."""

    unit: int
    lo: float
    hi: float
    stem: float
    kids: tuple[float, ...]

    def crossings(self, down: float, across: float) -> int:
        """Crossings with a line that comes down into the channel at `down`, runs along it to
        `across` and leaves it downwards there, laid the cheaper way round: above the bus (it
        cuts the stem if the stem comes down between, and the bus if it leaves over it) or
        below (it cuts the bus if it comes down over it, and every drop between)."""
        lo, hi = min(down, across), max(down, across)
        over = (lo < self.stem < hi) + (self.lo < across < self.hi)
        under = (self.lo < down < self.hi) + sum(lo < k < hi for k in self.kids)
        return min(over, under)


CROSSING = 100.0  # what a likely crossing costs, in points of way round
KIN_CROSSING = 25.0  # a carer's line across the carers' own children's lines
OWN_PARTNERS = 30.0  # across the cared-for child's own parents' partnership line
UNDER_STEM = 16.0


def _nearest_gap(
    plan: Plan,
    gap_x: dict[Gap, float],
    row: int,
    want: float,
    way: tuple[float, list[tuple[Span, float]], list[tuple[Span, float]], float | None],
    stem: float | None = None,
    own_gaps: set[Gap] | frozenset[Gap] = frozenset(),
) -> int:
    """The gap nearest `want`, avoiding (at a cost) gaps crossed by a partnership line, gaps
    under or over another family's children's line, and straight under the parents' own stem
    (the line would read as that stem going on)."""

    def cost(k: int) -> tuple[float, int]:
        x = gap_x[(row, k)]
        crossed = 0.0
        if (row, k) in plan.partner_gaps:
            crossed = OWN_PARTNERS if (row, k) in own_gaps else 200.0
        prev, above, below, last = way
        # along the channel above from where the line is to the gap, and (last) along the
        # channel below to the child: each other family's line it cuts is a crossing
        crossed += sum(w * s.crossings(prev, x) for s, w in above)
        if last is not None:
            crossed += sum(w * s.crossings(x, last) for s, w in below)
        else:
            crossed += sum(w * (s.lo < x < s.hi) for s, w in below)
        if stem is not None and abs(x - stem) < UNDER_STEM:
            crossed += CROSSING / 5
        return abs(x - want) + crossed, k

    return min(range(len(plan.rows[row]) + 1), key=cost)

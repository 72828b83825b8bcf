"""Household outlines: one shape around the members of a home, never around anyone else.

Members sitting side by side in a row make one rectangle (their slots, symbols and labels);
rectangles in neighbouring rows that overlap sideways are joined through the channel between.
Pieces still apart (members with non-members between them, or rows apart) are joined by a
narrow corridor: along the top of the channel under a row, just below its labels, and down
through the gaps between people, so each household is one outline, drawn round nobody else.
The outline drawn is the boundary of that union, so a non-member between two members shows as
a notch.
"""

from __future__ import annotations

from collections.abc import Sequence

from ehdocs.diagrams.genogram.model import GHousehold
from ehdocs.diagrams.geometry import Box, Outline, Point

PAD = 5.0
NEST = 4.0  # each household sharing a member with an earlier one sits this much further out
MAX_PAD = 13.0


def household_outlines(
    households: Sequence[GHousehold],
    rows: list[list[str]],
    slot_box: dict[str, Box],
) -> list[Outline]:
    depth: list[int] = []
    out = []
    for n, home in enumerate(households):
        members = set(home.members)
        depth.append(
            max((depth[m] + 1 for m in range(n) if members & set(households[m].members)), default=0)
        )
        pad = min(MAX_PAD, PAD + NEST * depth[n])
        runs = _runs(members, rows, slot_box, pad)
        rects = [box for _, box in runs] + _joins(runs)
        rects += _corridors(runs, rects, _RowGeometry(rows, slot_box))
        out.append(Outline(home.id, home.name, n, tuple(rects), tuple(union_boundary(rects))))
    return out


def _runs(
    members: set[str], rows: list[list[str]], slot_box: dict[str, Box], pad: float
) -> list[tuple[int, Box]]:
    rects = []
    for r, row in enumerate(rows):
        run: list[str] = []
        for p in [*row, None]:
            if p is not None and p in members:
                run.append(p)
                continue
            if run:
                boxes = [slot_box[m] for m in run]
                x1 = min(b.x for b in boxes) - pad
                x2 = max(b.right for b in boxes) + pad
                y1 = min(b.y for b in boxes) - pad
                y2 = max(b.bottom for b in boxes) + pad
                rects.append((r, Box(x1, y1, x2 - x1, y2 - y1)))
                run = []
    return rects


def _joins(runs: list[tuple[int, Box]]) -> list[Box]:
    """A bridge between rectangles of neighbouring rows that overlap sideways."""
    out = []
    for r, a in runs:
        for s, b in runs:
            if s != r + 1:
                continue
            x1, x2 = max(a.x, b.x), min(a.right, b.right)
            if x2 - x1 > 2 * PAD:
                out.append(Box(x1 + PAD, a.bottom - 1, x2 - x1 - 2 * PAD, b.y - a.bottom + 2))
    return out


WIDTH = 6.0  # a corridor between two parts of one household
BELOW = 2.0  # the corridor's top under a row's labels (the channel's first line is lower)


class _RowGeometry:
    """Where each row's slots are: its top, its labels' bottom, the free gaps between slots."""

    def __init__(self, rows: list[list[str]], slot_box: dict[str, Box]) -> None:
        self.top = [min(slot_box[p].y for p in row) if row else 0.0 for row in rows]
        self.bottom = [max(slot_box[p].bottom for p in row) if row else 0.0 for row in rows]
        self.gaps: list[list[tuple[float, float]]] = []
        for row in rows:
            boxes = sorted((slot_box[p] for p in row), key=lambda b: b.x)
            edges = [(-1e9, boxes[0].x)] if boxes else []
            edges += [(a.right, b.x) for a, b in zip(boxes, boxes[1:], strict=False)]
            edges += [(boxes[-1].right, 1e9)] if boxes else []
            self.gaps.append(edges)

    def channel(self, row: int) -> tuple[float, float]:
        """The corridor's band in the channel under a row."""
        y = self.bottom[row] + BELOW
        return y, y + WIDTH

    def gap_x(self, row: int, want: float) -> float:
        """The middle of the gap nearest `want` wide enough for a corridor (outer edges too)."""
        fits = [(a, b) for a, b in self.gaps[row] if b - a >= WIDTH + 8]

        def middle(g: tuple[float, float]) -> float:
            a, b = g
            if a < -1e8:
                return b - WIDTH
            if b > 1e8:
                return a + WIDTH
            return (a + b) / 2

        return middle(min(fits, key=lambda g: (abs(middle(g) - want), g)))


def _corridors(runs: list[tuple[int, Box]], rects: list[Box], geo: _RowGeometry) -> list[Box]:
    """Corridors joining the parts of one outline, nearest parts first (a spanning tree)."""
    parent = list(range(len(rects)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(rects):
        for j in range(i):
            if _meet(a, rects[j]):
                parent[find(i)] = find(j)
    out: list[Box] = []
    while len({find(i) for i in range(len(runs))}) > 1:
        home = find(0)
        pairs = [
            (abs(ra - rb), _apart(a, b), i, j)
            for i, (ra, a) in enumerate(runs)
            if find(i) == home
            for j, (rb, b) in enumerate(runs)
            if find(j) != home
        ]
        _, _, i, j = min(pairs)
        out += _corridor(runs[i], runs[j], geo)
        parent[find(j)] = home
    return out


def _meet(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _apart(a: Box, b: Box) -> float:
    return max(0.0, b.x - a.right, a.x - b.right)


def _corridor(one: tuple[int, Box], two: tuple[int, Box], geo: _RowGeometry) -> list[Box]:
    """From the upper (or left) part down through the channels and gaps to the other."""
    (ra, a), (rb, b) = sorted((one, two), key=lambda rb: (rb[0], rb[1].x))
    out: list[Box] = []
    if ra == rb:  # along under the row, below the labels of the people between
        y1, y2 = geo.channel(ra)
        x1, x2 = a.right - WIDTH - 1, b.x + WIDTH + 1
        return [Box(x1, y1, x2 - x1, y2 - y1)]
    # where the corridor meets the lower part: inside its padding, on the side it comes from
    target = b.x + 1 if a.cx <= b.cx else b.right - 1 - WIDTH
    x = min(max(target + WIDTH / 2, a.x + WIDTH), a.right - WIDTH)  # leaving the upper part
    y1, y2 = geo.channel(ra)
    for row in range(ra + 1, rb):  # down through a gap of each row between
        share = (row - ra) / (rb - ra)
        gx = geo.gap_x(row, x + (target + WIDTH / 2 - x) * share)
        out.append(_span(x, gx, y1, y2))
        ny1, ny2 = geo.channel(row)
        out.append(Box(gx - WIDTH / 2, y1, WIDTH, ny2 - y1))
        x, y1, y2 = gx, ny1, ny2
    out.append(_span(x, target + WIDTH / 2, y1, y2))
    out.append(Box(target, y1, WIDTH, b.y + 2 - y1))
    return out


def _span(xa: float, xb: float, y1: float, y2: float) -> Box:
    """A band from xa to xb (both ends' corridors overlapped by half its width)."""
    lo, hi = min(xa, xb) - WIDTH / 2, max(xa, xb) + WIDTH / 2
    return Box(lo, y1, hi - lo, y2 - y1)


def union_boundary(rects: Sequence[Box]) -> list[tuple[Point, ...]]:
    """The boundary loops of a union of rectangles, each loop clockwise on screen."""
    if not rects:
        return []
    xs = sorted({v for r in rects for v in (r.x, r.right)})
    ys = sorted({v for r in rects for v in (r.y, r.bottom)})

    def covered(i: int, j: int) -> bool:
        if not (0 <= i < len(xs) - 1 and 0 <= j < len(ys) - 1):
            return False
        cx, cy = (xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2
        return any(r.x < cx < r.right and r.y < cy < r.bottom for r in rects)

    cells = {(i, j) for i in range(len(xs) - 1) for j in range(len(ys) - 1) if covered(i, j)}
    edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, j in sorted(cells):
        # Walk with the inside on the right (screen y points down): top edge left to right, …
        for inside, start, end in (
            ((i, j - 1), (i, j), (i + 1, j)),
            ((i + 1, j), (i + 1, j), (i + 1, j + 1)),
            ((i, j + 1), (i + 1, j + 1), (i, j + 1)),
            ((i - 1, j), (i, j + 1), (i, j)),
        ):
            if inside not in cells:
                edges.setdefault(start, []).append(end)
    loops = []
    while edges:
        start = min(edges)
        loop = [start]
        point = start
        while True:
            nxt = edges[point].pop(0)
            if not edges[point]:
                del edges[point]
            if nxt == start:
                break
            loop.append(nxt)
            point = nxt
        loops.append(tuple((xs[i], ys[j]) for i, j in _corners(loop)))
    return loops


def _corners(loop: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop the points in the middle of straight runs."""
    out = []
    n = len(loop)
    for k, p in enumerate(loop):
        a, b = loop[k - 1], loop[(k + 1) % n]
        if (a[0] == p[0] == b[0]) or (a[1] == p[1] == b[1]):
            continue
        out.append(p)
    return out

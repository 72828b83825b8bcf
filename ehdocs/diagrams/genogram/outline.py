"""Household outlines: one shape around the members of a home, never around anyone else.

Members sitting side by side in a row make one rectangle (their slots, symbols and labels);
rectangles in neighbouring rows that overlap sideways are joined through the channel between.
The outline drawn is the boundary of that union, so a non-member between two members shows as
a notch, and members far apart get separate pieces of the same outline (same colour and line,
named in the key).
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

"""Geometric rules every genogram layout must keep, as functions returning what breaks them.

Partners, precisely: both sit in one row; nobody from outside their partnership cluster (people
joined by partnerships or twinships) sits between them; and in a cluster that is a simple chain
(nobody with three partners or twins, no loop) every couple is side by side. A person with three
or more partners has partners on both sides, and the later ones joined by a line over the top.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ehdocs.diagrams.genogram.model import Genogram
from ehdocs.diagrams.genogram.slots import NAME_SIZE, NAME_WIDTH
from ehdocs.diagrams.genogram.structure import analyse, birth_key
from ehdocs.diagrams.geometry import Box, Layout, Line
from ehdocs.diagrams.metrics import text_width

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


# --- kinship care, households, labels (issue #12) -------------------------------------------

Segment = tuple[tuple[float, float], tuple[float, float]]
DESCENT = ("stem", "bus", "drop")
NEAR = 1.5  # lines closer than this read as one


def _axis(seg: Segment) -> str:
    (x1, y1), (x2, y2) = seg
    if abs(y1 - y2) < 0.01:
        return "h"
    if abs(x1 - x2) < 0.01:
        return "v"
    return ""


def collinear(a: Segment, b: Segment) -> bool:
    """Whether two axis-parallel segments lie on (or within NEAR of) each other for more than
    a point: one would be drawn on top of the other."""
    kind = _axis(a)
    if not kind or kind != _axis(b):
        return False
    i = 1 if kind == "h" else 0  # the fixed coordinate
    if abs(a[0][i] - b[0][i]) > NEAR:
        return False
    lo = max(min(a[0][1 - i], a[1][1 - i]), min(b[0][1 - i], b[1][1 - i]))
    hi = min(max(a[0][1 - i], a[1][1 - i]), max(b[0][1 - i], b[1][1 - i]))
    return hi - lo > 1.0


def crosses(a: Segment, b: Segment) -> bool:
    """A proper crossing of two segments: each passes through the inside of the other."""
    (x1, y1), (x2, y2) = a
    (x3, y3), (x4, y4) = b

    def side(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    d1, d2 = side(x3, y3, x4, y4, x1, y1), side(x3, y3, x4, y4, x2, y2)
    d3, d4 = side(x1, y1, x2, y2, x3, y3), side(x1, y1, x2, y2, x4, y4)
    eps = 1e-6
    return ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and (
        (d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps)
    )


def care_lines(layout: Layout) -> list[Line]:
    return [ln for ln in layout.lines if ln.secondary]


def care_overlaps(layout: Layout) -> list[str]:
    """No line from carers (kinship, foster, special guardian, step) lies on another line."""
    out = []
    for ln in care_lines(layout):
        for other in layout.lines:
            if other is ln:
                continue
            for a in ln.segments():
                for b in other.segments():
                    if collinear(a, b):
                        out.append(f"the {ln.style} line to {ln.ends} lies on {other.role} {b}")
    for ln in care_lines(layout):  # nor doubles back on itself
        segs = ln.segments()
        for i, a in enumerate(segs):
            for b in segs[i + 2 :]:
                if collinear(a, b):
                    out.append(f"the line to {ln.ends} runs over itself")
    return out


def care_crossings(layout: Layout) -> list[tuple[Line, Line]]:
    """Each (care line, descent line) pair that cross."""
    out = []
    for ln in care_lines(layout):
        for other in layout.lines:
            if other is ln or other.role not in DESCENT:
                continue
            if any(crosses(a, b) for a in ln.segments() for b in other.segments()):
                out.append((ln, other))
    return out


def jogs(layout: Layout) -> list[str]:
    """Child lines are straight runs: no segment shorter than a few points, no bend that goes
    nowhere (two segments in a row along one axis)."""
    out = []
    for ln in layout.lines:
        if ln.role not in DESCENT:
            continue
        for a, b in ln.segments():
            if math.dist(a, b) < 3.0:
                out.append(f"{ln.role} line to {ln.ends} has a {math.dist(a, b):.2f} jog")
        for s, t in zip(ln.segments(), ln.segments()[1:], strict=False):
            if _axis(s) and _axis(s) == _axis(t):
                out.append(f"{ln.role} line to {ln.ends} bends nowhere at {s[1]}")
    return out


def _area(loop: tuple[tuple[float, float], ...]) -> float:
    return sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(loop, loop[1:] + loop[:1], strict=True)
    )


def _inside_loop(p: tuple[float, float], loop: tuple[tuple[float, float], ...]) -> bool:
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in zip(loop, loop[1:] + loop[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def households_whole(genogram: Genogram, layout: Layout) -> list[str]:
    """Each household is one outline (one outer loop) with every member's symbol inside it."""
    out = []
    for home, drawn in zip(genogram.households, layout.outlines, strict=True):
        outer = [loop for loop in drawn.loops if _area(loop) > 0]
        if len(outer) != 1:
            out.append(f"{home.id} is drawn as {len(outer)} outlines")
            continue
        for s in layout.symbols:
            if s.person in home.members:
                b = s.box
                corners = ((b.x, b.y), (b.right, b.y), (b.x, b.bottom), (b.right, b.bottom))
                if not all(_inside_loop(c, outer[0]) for c in corners):
                    out.append(f"{s.person} is outside the outline of {home.id}")
    return out


def labels_whole(genogram: Genogram, layout: Layout) -> list[str]:
    """A name is wrapped only between words or after a hyphen in it; a word wider than a line
    is split as a last resort (with a hyphen added, but in scripts without spaces). Never cut
    short, never an ellipsis, and every line fits its label."""
    out = []
    for label in layout.labels:
        words = " ".join((genogram.by_id[label.person].name or "?").split())
        names = [ln for ln in label.lines if ln.size == NAME_SIZE]
        pos = 0
        for i, ln in enumerate(names):
            if text_width(ln.text, ln.size, ln.bold) > label.box.w + 0.5:
                out.append(f"{ln.text!r} is wider than the label of {label.person}")
            last = i == len(names) - 1
            if words.startswith(ln.text, pos):
                pos += len(ln.text)
                if last or words[pos : pos + 1] == " ":
                    pos += 0 if last else 1
                    continue
                if ln.text.endswith("-"):
                    continue  # after the name's own hyphen
                forced, cut = True, 0
            elif ln.text.endswith("-") and words.startswith(ln.text[:-1], pos):
                forced, cut = True, 1
                pos += len(ln.text) - 1
            else:
                out.append(f"the name of {label.person} is drawn as {ln.text!r} in {words!r}")
                break
            if forced:
                start = words.rfind(" ", 0, pos) + 1
                end = words.find(" ", pos)
                word = words[start : None if end < 0 else end]
                if text_width(word, NAME_SIZE, ln.bold) <= NAME_WIDTH:
                    out.append(f"{word!r} of {label.person} is split though it fits a line")
                elif cut == 0 and not any(ord(c) > 0x2E80 for c in ln.text[-1:]):
                    out.append(f"{word!r} of {label.person} is split without a hyphen")
        else:
            if pos != len(words):
                out.append(f"the name of {label.person} is cut short: {words[pos:]!r} missing")
    return out

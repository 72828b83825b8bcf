"""The first guess at the ring: family members round the rim, each node's wished-for angle."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

from ehdocs.diagrams.ecomap.geometry import CENTRE_LEAD, CENTRE_SIZE, chip_box
from ehdocs.diagrams.ecomap.model import KIND_ORDER, Ecomap
from ehdocs.diagrams.svgutil import Box, text_block_width


def member_order(eco: Ecomap) -> list[str]:
    """Family members round the rim so that people sharing a contact sit side by side."""
    ids = [m.id for m in eco.members]
    shared = []
    for node in range(len(eco.nodes)):
        targets = {k.target for k in eco.links if k.node == node and k.target}
        if len(targets) > 1:
            shared.append(targets)
    if not shared or len(ids) > 7:
        return ids

    def spread_of(order: Sequence[str]) -> int:
        total = 0
        for group in shared:
            seats = sorted(order.index(t) for t in group)
            gaps = [b - a for a, b in zip(seats, seats[1:], strict=False)]
            gaps.append(seats[0] + len(order) - seats[-1])
            total += len(order) - max(gaps)
        return total

    candidates = [(ids[0], *rest) for rest in itertools.permutations(ids[1:])]
    best: tuple[str, ...] = min(candidates, key=spread_of)
    return list(best)


def centre_radius(title: list[str], widths: list[float]) -> float:
    """The smallest centre circle holding the title, with room for the name tags round its rim
    wherever they settle."""
    half_w = text_block_width(title, CENTRE_SIZE, True) / 2
    half_h = len(title) * CENTRE_LEAD / 2
    title_box = Box(-half_w, -half_h, 2 * half_w, 2 * half_h).grown(6)
    radius = max(52.0, math.hypot(half_w, half_h) + 10)
    widest = max(widths, default=0.0)
    pairs = zip(widths, widths[1:] + widths[:1], strict=True)
    room = sum((a + b) / 2 + 10 for a, b in pairs) if len(widths) > 1 else 0.0
    while room > 2 * math.pi * radius * 0.85 or any(
        chip_box(radius, math.radians(d), widest).overlaps(title_box) for d in range(0, 360, 5)
    ):
        radius += 4
    return radius


def plan_angles(eco: Ecomap, chip_ids: list[str]) -> tuple[list[float], list[float]]:
    """A first guess at the angles of the name tags on the rim and of each node.

    The circle is dealt out in turn to each family member (their own contacts) and to the
    stretch after them (contacts shared with the next member, and contacts of the whole
    family), each in proportion to the nodes it holds.
    """
    count = len(eco.nodes)
    if not chip_ids:
        ranked = sorted(range(count), key=lambda i: (KIND_ORDER.index(eco.nodes[i].kind), i))
        return [], [-math.pi / 2 + ranked.index(i) * 2 * math.pi / count for i in range(count)]
    k = len(chip_ids)
    seat = {m: i for i, m in enumerate(chip_ids)}
    targets = [
        {seat[x.target] for x in eco.links if x.node == i and x.target} for i in range(count)
    ]
    to_family = [any(x.node == i and x.target is None for x in eco.links) for i in range(count)]
    own: list[list[int]] = [[] for _ in chip_ids]
    shared: list[list[int]] = [[] for _ in chip_ids]
    free: list[list[int]] = [[] for _ in chip_ids]
    scattered = []
    for i, found in enumerate(targets):
        after = _between(found, k)
        if len(found) == 1:
            own[min(found)].append(i)
        elif after is not None:
            shared[after].append(i)
        elif found:
            scattered.append(i)
    for i in range(count):
        if not targets[i]:
            free[min(range(k), key=lambda g: (len(free[g]) + len(shared[g]), g))].append(i)
    stretches: list[list[int]] = []
    for g in range(k):
        with_family = [i for i in own[g] if to_family[i]]
        plain = [i for i in own[g] if not to_family[i]]
        # contacts that also link to the whole family sit at the ends, next to a gap
        stretches.append(with_family[::2] + plain + with_family[1::2][::-1])
        half = len(free[g]) // 2
        stretches.append(free[g][:half] + shared[g] + free[g][half:])
    sizes = [max(len(s), 1.0 if j % 2 == 0 else 0.6) for j, s in enumerate(stretches)]
    unit = 2 * math.pi / sum(sizes)
    angle = -math.pi / 2 - sizes[0] * unit / 2
    chip_angles: list[float] = []
    prefs = [0.0] * count
    for j, (stretch, size) in enumerate(zip(stretches, sizes, strict=True)):
        if j % 2 == 0:
            chip_angles.append(angle + size * unit / 2)
        for t, node in enumerate(stretch):
            prefs[node] = angle + (t + 0.5) * size * unit / len(stretch)
        angle += size * unit
    for i in scattered:
        prefs[i] = mean_angle([chip_angles[g] for g in sorted(targets[i])])
    return chip_angles, prefs


def _between(seats: set[int], k: int) -> int | None:
    """For two neighbouring seats on the rim, the first of them going clockwise."""
    if len(seats) != 2:
        return None
    a, b = sorted(seats)
    if b == a + 1:
        return a
    return b if (a, b) == (0, k - 1) else None


def push_apart(
    angles: list[float],
    pairs: list[tuple[int, int]],
    need: Callable[[int, int], float],
    rounds: int = 400,
) -> list[float]:
    """Angles in cyclic order, nudged until each pair (i, j) is at least need(i, j) apart."""
    for _ in range(rounds):
        moved = False
        for i, j in pairs:
            gap = angles[j] + (2 * math.pi if j < i else 0) - angles[i]
            wanted = need(i, j)
            if gap < wanted - 1e-4:
                push = (wanted - gap) / 2
                angles[i] -= push
                angles[j] += push
                moved = True
        if not moved:
            break
    return angles


def mean_angle(angles: list[float]) -> float:
    x, y = sum(math.cos(a) for a in angles), sum(math.sin(a) for a in angles)
    if math.hypot(x, y) < 1e-6:
        return angles[0] + math.pi / 2
    return math.atan2(y, x)

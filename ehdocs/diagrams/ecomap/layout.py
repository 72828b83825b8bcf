"""The layout: a ring of nodes around the centre, grown until nothing collides."""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

from ehdocs.diagrams.ecomap.check import problems
from ehdocs.diagrams.ecomap.geometry import (
    CENTRE_LEAD,
    CENTRE_SIZE,
    CHIP_SIZE,
    GAP,
    Card,
    Chip,
    EcomapLayout,
    Stroke,
    TextRun,
    box_edge_distance,
    card_at,
    card_lines,
    card_size,
    chip_box,
    extents,
)
from ehdocs.diagrams.ecomap.model import KIND_ORDER, EcoLink, Ecomap, EcoMember, EcoNode
from ehdocs.diagrams.ecomap.plan import (
    centre_radius,
    mean_angle,
    member_order,
    plan_angles,
    push_apart,
)
from ehdocs.diagrams.svgutil import PAD, Box, Point, clip_to_box, segment_distance, text_width, wrap


def layout_ecomap(eco: Ecomap) -> EcomapLayout:
    # The layout reads neither the labels nor the date: the same network lays out the same,
    # so a document and its pack share one (the fit is the costly part: ~0.35 s at 17 links).
    return _layout(replace(eco, labels={}))


@lru_cache(maxsize=32)
def _cached_layout(
    centre: str | None,
    centre_label: str,
    members: tuple[EcoMember, ...],
    nodes: tuple[EcoNode, ...],
    links: tuple[EcoLink, ...],
) -> EcomapLayout:
    eco = Ecomap(centre, centre_label, members, nodes, links)
    return _framed(_Frame(eco).fit())


def _layout(eco: Ecomap) -> EcomapLayout:
    return _cached_layout(eco.centre, eco.centre_label, eco.members, eco.nodes, eco.links)


class _Frame:
    """Tries ever larger rings until nodes, name tags and lines keep clear of each other."""

    def __init__(self, eco: Ecomap) -> None:
        self.eco = eco
        self.sizes = [card_size(card_lines(node)) for node in eco.nodes]
        title = wrap(eco.centre_label, CENTRE_SIZE, 170 * 0.9, 3)
        self.title = tuple(
            TextRun(
                t,
                0.0,
                (i - (len(title) - 1) / 2) * CENTRE_LEAD + CENTRE_SIZE * 0.35,
                CENTRE_SIZE,
                True,
            )
            for i, t in enumerate(title)
        )
        self.chip_ids = member_order(eco)
        labels = {m.id: m.label for m in eco.members}
        self.chip_labels = [labels[m] for m in self.chip_ids]
        self.chip_w = [text_width(label, CHIP_SIZE, True) + 20 for label in self.chip_labels]
        seat = {m: i for i, m in enumerate(self.chip_ids)}
        self.targets = [
            sorted({seat[k.target] for k in eco.links if k.node == i and k.target})
            for i in range(len(eco.nodes))
        ]
        self.chip_angles, self.prefs = plan_angles(eco, self.chip_ids)
        self.radius = centre_radius(title, self.chip_w)

    def fit(self) -> EcomapLayout:
        """The first ring, growing from just round the centre, on which nothing collides."""
        ring = self.radius + 56
        attempt = self.attempt(ring)
        for _ in range(80):
            if not problems(attempt):
                break
            ring += max(10.0, ring * 0.05)
            attempt = self.attempt(ring)
        return attempt

    def attempt(self, ring: float) -> EcomapLayout:
        """Nodes round their family members, members drawn towards their nodes, in turns."""
        count = len(self.eco.nodes)
        chips, prefs = list(self.chip_angles), list(self.prefs)
        angles = [0.0] * count
        for _ in range(12):
            order = sorted(
                range(count),
                key=lambda i: (
                    (prefs[i] + math.pi / 2) % (2 * math.pi),
                    KIND_ORDER.index(self.eco.nodes[i].kind),
                    i,
                ),
            )
            for node, angle in zip(order, self.spread(order, prefs, ring), strict=True):
                angles[node] = angle
            moved = self.follow(chips, angles)
            if not chips or max(abs(a - b) for a, b in zip(moved, chips, strict=True)) < 1e-3:
                break
            chips = moved
            prefs = self.preferences(chips)
        return self.build(chips, angles, ring)

    def follow(self, chips: list[float], angles: list[float]) -> list[float]:
        """Each name tag moved to the middle of its nodes, then pushed apart from its neighbours."""
        moved = []
        for seat, old in enumerate(chips):
            mine = [angles[i] for i, t in enumerate(self.targets) if seat in t]
            new = mean_angle(mine) if mine else old
            moved.append(old + (new - old + math.pi) % (2 * math.pi) - math.pi)
        count = len(moved)
        pairs = [(i, (i + 1) % count) for i in range(count)] if count > 1 else []
        return push_apart(
            moved, pairs, lambda i, j: ((self.chip_w[i] + self.chip_w[j]) / 2 + 10) / self.radius
        )

    def preferences(self, chips: list[float]) -> list[float]:
        """Wished-for angles: by the node's family members, else spread over the widest gaps."""
        prefs = [mean_angle([chips[t] for t in found]) if found else 0.0 for found in self.targets]
        ordered = sorted(chips)
        gaps = [
            (a, (b if b > a else b + 2 * math.pi) - a)
            for a, b in zip(ordered, ordered[1:] + ordered[:1], strict=True)
        ]
        if len(gaps) == 1:
            gaps = [(ordered[0], 2 * math.pi)]
        members: list[list[int]] = [[] for _ in gaps]
        for i, found in enumerate(self.targets):
            if not found:
                g = max(range(len(gaps)), key=lambda g: (gaps[g][1] / (len(members[g]) + 1), -g))
                members[g].append(i)
        for (start, size), nodes in zip(gaps, members, strict=True):
            for t, node in enumerate(nodes):
                prefs[node] = start + (t + 1) * size / (len(nodes) + 1)
        return prefs

    def build(self, chips: list[float], angles: list[float], ring: float) -> EcomapLayout:
        cards = []
        for node, angle in enumerate(angles):
            w, h = self.sizes[node]
            r = ring + extents(w, h, angle)[0] / 2  # the node's nearest side touches the ring
            cx, cy = r * math.cos(angle), r * math.sin(angle)
            cards.append(card_at(node, self.eco.nodes[node], Box(cx - w / 2, cy - h / 2, w, h)))
        tags = []
        for person, label, width, angle in zip(
            self.chip_ids, self.chip_labels, self.chip_w, chips, strict=True
        ):
            box = chip_box(self.radius, angle, width)
            run = TextRun(label, box.cx, box.cy + CHIP_SIZE * 0.35, CHIP_SIZE, True)
            tags.append(Chip(person, box, run))
        strokes = tuple(self.stroke(i, cards, tags) for i in range(len(self.eco.links)))
        return EcomapLayout(
            0, 0, (0.0, 0.0), self.radius, self.title, tuple(tags), tuple(cards), strokes
        )

    def spread(self, order: list[int], prefs: list[float], ring: float) -> list[float]:
        """Angles (seat by seat) near each node's wish, pushed apart until neighbours have room."""
        count = len(order)
        angles = [-math.pi / 2 + (prefs[i] + math.pi / 2) % (2 * math.pi) for i in order]
        pairs = [(i, (i + 1) % count) for i in range(count)] if count > 1 else []

        def need(i: int, j: int) -> float:
            along_a, across_a = extents(*self.sizes[order[i]], angles[i])
            along_b, across_b = extents(*self.sizes[order[j]], angles[j])
            radius = ring + min(along_a, along_b) / 2
            return (across_a / 2 + across_b / 2 + GAP) / radius

        # no room round this ring: a rough spread is enough to be rejected
        crowded = sum(need(i, j) for i, j in pairs) > 2 * math.pi
        return push_apart(angles, pairs, need, 30 if crowded else 400)

    def stroke(self, index: int, cards: list[Card], chips: list[Chip]) -> Stroke:
        link = self.eco.links[index]
        box = cards[link.node].box
        if link.target is not None:
            chip = next(c for c in chips if c.person == link.target).box
            end = clip_to_box(chip, (box.cx, box.cy))
            start = clip_to_box(box, end)
            return Stroke(index, link.node, start, end, link.strength, link.direction)
        facing = math.atan2(box.cy, box.cx)
        fallback = None
        for turn in [0.0, *(s * d for d in range(3, 91, 3) for s in (1, -1))]:
            angle = facing + math.radians(turn)
            end = (self.radius * math.cos(angle), self.radius * math.sin(angle))
            start = clip_to_box(box, end)
            fallback = fallback or (start, end)
            if segment_distance((0.0, 0.0), start, end) < self.radius - 0.5:
                continue
            if any(c.box.grown(8).crossed_by(start, end) for c in chips):
                continue
            if any(box_edge_distance(c.box, end) < 30 for c in chips):
                continue
            if any(
                c.box.grown(GAP / 2).crossed_by(start, end) for c in cards if c.node != link.node
            ):
                continue
            return Stroke(index, link.node, start, end, link.strength, link.direction)
        assert fallback is not None
        return Stroke(index, link.node, *fallback, link.strength, link.direction)


def _bounds(layout: EcomapLayout) -> Box:
    boxes = [c.box for c in layout.cards] + [c.box for c in layout.chips]
    r = layout.radius
    boxes.append(Box(layout.centre[0] - r, layout.centre[1] - r, 2 * r, 2 * r))
    left, top = min(b.x for b in boxes), min(b.y for b in boxes)
    return Box(left, top, max(b.right for b in boxes) - left, max(b.bottom for b in boxes) - top)


def _framed(layout: EcomapLayout) -> EcomapLayout:
    """Moved so the drawing starts PAD from the top left, with its size filled in."""
    box = _bounds(layout)
    dx, dy = PAD - box.x, PAD - box.y

    def mv(p: Point) -> Point:
        return p[0] + dx, p[1] + dy

    def mb(b: Box) -> Box:
        return Box(b.x + dx, b.y + dy, b.w, b.h)

    def mr(r: TextRun) -> TextRun:
        return TextRun(r.text, r.x + dx, r.y + dy, r.size, r.bold)

    return EcomapLayout(
        width=box.w + 2 * PAD,
        height=box.h + 2 * PAD,
        centre=mv(layout.centre),
        radius=layout.radius,
        title=tuple(mr(r) for r in layout.title),
        chips=tuple(Chip(c.person, mb(c.box), mr(c.run)) for c in layout.chips),
        cards=tuple(
            Card(c.node, c.kind, mb(c.box), tuple(mr(r) for r in c.runs)) for c in layout.cards
        ),
        strokes=tuple(
            Stroke(s.link, s.node, mv(s.start), mv(s.end), s.strength, s.direction)
            for s in layout.strokes
        ),
    )

"""The ecomap: the family (or one child) in the middle, the people and services around them.

Lines show how strong each connection is (strong: thick; weak: dashed; stressful: jagged) and
arrows which way support flows. In a whole-family ecomap, family members with links of their
own sit as name tags on the rim of the centre circle, and those links end at the name; links
with the whole family end at the circle itself.

Grouping: professionals who share an agency (same name, ignoring case and spacing), the same
strength and direction and the same family end become one node listing the workers; an ecomap
entry with the agency's name joins that node. A professional who works with exactly one person
is linked to that person, otherwise to the whole family. When one name has two different
connections with the same end (two workers of one agency, one strong, one weak), it is drawn
as two nodes, so every line means one thing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ehdocs.case.model import Case
from ehdocs.diagrams.svgutil import (
    INK,
    PAD,
    Box,
    KeyItem,
    Point,
    arrowhead,
    clip_to_box,
    document,
    draw_key,
    key_height,
    n,
    points,
    segment_distance,
    text,
    text_block_width,
    text_width,
    wrap,
    zigzag,
)
from ehdocs.fields import format_date

KIND_ORDER = ("person", "community", "service")  # around the ring, when nothing else decides
DEFAULT_KIND = "person"  # an ecomap entry without a kind: most entries are the informal network
UNRECORDED = "unrecorded"
STRENGTH_ORDER = ("strong", "weak", "stressful", UNRECORDED)
DIRECTION_ORDER = ("to_family", "from_family", "both", "none")

NAME_SIZE, NAME_LEAD = 12.5, 15.0
WORKER_SIZE, WORKER_LEAD = 10.5, 13.0
CARD_TEXT = 160.0  # widest line inside a node
CARD_PAD_X, CARD_PAD_Y = 9.0, 7.0
CHIP_SIZE, CHIP_H = 11.5, 22.0
CENTRE_SIZE, CENTRE_LEAD = 15.0, 18.0
GAP = 12.0  # air between nodes, and between a line and a node it passes
STRESS = "#a33a00"  # dark vermilion: the jagged shape carries the meaning, the colour helps
UNRECORDED_INK = "#8a8a8a"
FILLS = {"person": "#fdf0e4", "service": "#e6f0fa", "community": "#e7f5ea"}


# --- the data: who is connected to whom ------------------------------------------------------


@dataclass(frozen=True)
class EcoNode:
    name: str
    kind: str  # person | service | community
    workers: tuple[str, ...] = ()


@dataclass(frozen=True)
class EcoLink:
    node: int
    target: str | None  # a family member's person id, or None for the centre
    strength: str  # strong | weak | stressful | unrecorded
    direction: str | None  # to_family | from_family | both | none, or not recorded
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EcoMember:
    id: str
    label: str


@dataclass(frozen=True)
class Ecomap:
    centre: str | None  # the chosen child's id, or None for the whole family
    centre_label: str
    members: tuple[EcoMember, ...]
    nodes: tuple[EcoNode, ...]
    links: tuple[EcoLink, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # "strength:weak" -> "Weak", …


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str
    target: str | None
    strength: str
    direction: str | None
    worker: str | None = None
    note: str | None = None


def ecomap_of(case: Case, centre: str | None = None, family: bool = False) -> Ecomap:
    """The nodes and links of a case's ecomap, around the family or the child `centre`."""
    if centre is not None and case.person(centre) is None:
        raise ValueError(f"there is no person {centre!r} in this case")
    known = {p["id"] for p in case.people}
    nodes: list[EcoNode] = []
    links: list[EcoLink] = []
    for entry in [*_professional_entries(case, centre), *_network_entries(case, centre)]:
        if entry.target is not None and entry.target not in known:
            entry = _Entry(**{**entry.__dict__, "target": None})
        _add(nodes, links, entry)
    member_ids = {link.target for link in links if link.target}
    members = [p["id"] for p in case.people if p["id"] in member_ids]
    short = _short_names(case, members)
    rank = {m: i for i, m in enumerate(members)}
    links.sort(key=lambda k: (k.node, -1 if k.target is None else rank[k.target]))
    return Ecomap(
        centre=centre,
        centre_label=_centre_label(case, centre, family),
        members=tuple(EcoMember(m, short[m]) for m in members),
        nodes=tuple(nodes),
        links=tuple(links),
        labels=_labels(case, family),
    )


def _professional_entries(case: Case, centre: str | None) -> list[_Entry]:
    out = []
    for pro in case.records("professionals"):
        works_with = list(pro.get("works_with") or [])
        if centre is not None and works_with and centre not in works_with:
            continue
        target = works_with[0] if centre is None and len(works_with) == 1 else None
        role = pro.get("role")
        out.append(
            _Entry(
                name=str(pro.get("agency") or pro["name"]),
                kind="service",
                target=target,
                strength=pro.get("strength") or UNRECORDED,
                direction=pro.get("support_direction"),
                worker=f"{pro['name']} ({role})" if role else str(pro["name"]),
            )
        )
    return out


def _network_entries(case: Case, centre: str | None) -> list[_Entry]:
    out = []
    for row in case.records("ecomap"):
        person = row.get("person")
        if centre is not None and person not in (None, centre):
            continue
        out.append(
            _Entry(
                name=str(row["name"]),
                kind=row.get("kind") or DEFAULT_KIND,
                target=person if centre is None else None,
                strength=row.get("strength") or UNRECORDED,
                direction=row.get("support_direction"),
                note=row.get("notes"),
            )
        )
    return out


def _add(nodes: list[EcoNode], links: list[EcoLink], entry: _Entry) -> None:
    """Join the entry to a node of the same name whose line to the same end means the same."""
    key = " ".join(entry.name.split()).casefold()
    style = (entry.strength, entry.direction)
    for index, node in enumerate(nodes):
        if " ".join(node.name.split()).casefold() != key:
            continue
        same_end = [i for i, k in enumerate(links) if k.node == index and k.target == entry.target]
        if same_end and (links[same_end[0]].strength, links[same_end[0]].direction) != style:
            continue
        break
    else:
        nodes.append(EcoNode(entry.name, entry.kind))
        index, same_end = len(nodes) - 1, []
    notes = tuple(x for x in (entry.worker, entry.note) if x)
    if entry.worker and entry.worker not in nodes[index].workers:
        node = nodes[index]
        nodes[index] = EcoNode(node.name, node.kind, (*node.workers, entry.worker))
    if same_end:
        old = links[same_end[0]]
        links[same_end[0]] = EcoLink(old.node, old.target, old.strength, old.direction,
                                     (*old.notes, *(x for x in notes if x not in old.notes)))
    else:
        links.append(EcoLink(index, entry.target, entry.strength, entry.direction, notes))


def _short_names(case: Case, ids: Sequence[str]) -> dict[str, str]:
    """First names (or known-as names) for the rim; full names where two would be the same."""
    first = {}
    for pid in ids:
        person = case.person(pid) or {}
        first[pid] = str(person.get("known_as") or person.get("given_name") or pid)
    clash = {v for v in first.values() if list(first.values()).count(v) > 1}
    return {pid: case.person_name(pid) if name in clash else name for pid, name in first.items()}


def _centre_label(case: Case, centre: str | None, family: bool) -> str:
    if centre is not None:
        return case.person_name(centre)
    surname = case.data.get("family_name")
    if surname:
        return f"The {surname} family"
    return "Your family" if family else "The family"


def _labels(case: Case, family: bool) -> dict[str, str]:
    lists = case.formset.lists
    out = {}
    for prefix, options in (("strength", "ecomap_strengths"), ("direction", "support_directions")):
        for option in lists.get(options, ()):
            out[f"{prefix}:{option.value}"] = (option.family_label or option.label) if family \
                else option.label
    out[f"strength:{UNRECORDED}"] = "Not recorded"
    record = case.formset.records.get("ecomap_link")
    kind = record.child("kind") if record else None
    for value in KIND_ORDER:
        out[f"kind:{value}"] = kind.option_label(value, family) if kind else value.title()
    out["centre:family"] = "The whole family" if not family else "All of you"
    return out


def ecomap_rows(
    case: Case, centre: str | None = None, family: bool = False
) -> list[dict[str, str]]:
    """The text alternative: one row per line on the ecomap, in the same words as its key."""
    eco = ecomap_of(case, centre, family)
    rows = []
    for link in eco.links:
        node = eco.nodes[link.node]
        if link.target:
            connected = case.person_name(link.target)
        elif eco.centre:
            connected = eco.centre_label
        else:
            connected = eco.labels["centre:family"]
        rows.append({
            "name": node.name,
            "kind": eco.labels[f"kind:{node.kind}"],
            "connected_to": connected,
            "strength": eco.labels.get(f"strength:{link.strength}", link.strength),
            "direction": eco.labels.get(f"direction:{link.direction}", "Not recorded")
            if link.direction else "Not recorded",
            "notes": "; ".join(link.notes),
        })
    return rows


# --- the layout: a ring of nodes around the centre -------------------------------------------


@dataclass(frozen=True)
class TextRun:
    text: str
    x: float
    y: float  # baseline
    size: float
    bold: bool = False


@dataclass(frozen=True)
class Card:
    node: int
    kind: str
    box: Box
    runs: tuple[TextRun, ...]


@dataclass(frozen=True)
class Chip:
    person: str
    box: Box
    run: TextRun


@dataclass(frozen=True)
class Stroke:
    link: int
    start: Point  # at the node
    end: Point  # at the family end
    strength: str
    direction: str | None


@dataclass(frozen=True)
class EcomapLayout:
    width: float
    height: float
    centre: Point
    radius: float
    title: tuple[TextRun, ...]
    chips: tuple[Chip, ...]
    cards: tuple[Card, ...]
    strokes: tuple[Stroke, ...]


def layout_ecomap(eco: Ecomap) -> EcomapLayout:
    sizes = [_card_size(_card_lines(node)) for node in eco.nodes]
    title = wrap(eco.centre_label, CENTRE_SIZE, 170 * 0.9, 3)
    chip_ids = _member_order(eco)
    chip_w = {m.id: text_width(m.label, CHIP_SIZE, True) + 20 for m in eco.members}
    radius, chip_angles = _centre_radius(title, [chip_w[m] for m in chip_ids])
    angle_of = dict(zip(chip_ids, chip_angles, strict=True))
    prefs = _preferences(eco, angle_of, chip_angles)
    order = sorted(range(len(eco.nodes)),
                   key=lambda i: ((prefs[i] + math.pi / 2) % (2 * math.pi),
                                  KIND_ORDER.index(eco.nodes[i].kind), i))
    frame = _Frame(eco, sizes, title, radius, angle_of, chip_w)
    options = [frame.fit(order, prefs, rings) for rings in ((1, 2) if len(order) >= 8 else (1,))]
    best = options[0]
    if len(options) > 1 and _area(options[1]) < 0.85 * _area(best):
        best = options[1]
    return _framed(best)


def _card_lines(node: EcoNode) -> list[tuple[str, float, bool]]:
    lines = [(t, NAME_SIZE, True) for t in wrap(node.name, NAME_SIZE, CARD_TEXT * 0.9, 3)]
    for worker in node.workers:
        lines += [(t, WORKER_SIZE, False) for t in wrap(worker, WORKER_SIZE, CARD_TEXT, 2)]
    return lines


def _card_size(lines: list[tuple[str, float, bool]]) -> tuple[float, float]:
    width = max(text_width(t, size, bold) for t, size, bold in lines) + 2 * CARD_PAD_X
    height = sum(NAME_LEAD if bold else WORKER_LEAD for _, _, bold in lines) + 2 * CARD_PAD_Y
    return max(width, 64.0), height


def _member_order(eco: Ecomap) -> list[str]:
    """Family members round the rim so that people sharing a contact sit side by side."""
    ids = [m.id for m in eco.members]
    shared = []
    for node in range(len(eco.nodes)):
        targets = {k.target for k in eco.links if k.node == node and k.target}
        if len(targets) > 1:
            shared.append(targets)
    if not shared or len(ids) > 7:
        return ids

    def spread(order: tuple[str, ...]) -> int:
        total = 0
        for group in shared:
            seats = sorted(order.index(t) for t in group)
            gaps = [b - a for a, b in zip(seats, seats[1:], strict=False)]
            gaps.append(seats[0] + len(order) - seats[-1])
            total += len(order) - max(gaps)
        return total

    candidates = ((ids[0], *rest) for rest in itertools.permutations(ids[1:]))
    return list(min(candidates, key=spread))


def _centre_radius(title: list[str], chip_widths: list[float]) -> tuple[float, list[float]]:
    """The smallest centre circle holding the title, with the name tags round its rim."""
    half_w = text_block_width(title, CENTRE_SIZE, True) / 2
    half_h = len(title) * CENTRE_LEAD / 2
    title_box = Box(-half_w, -half_h, 2 * half_w, 2 * half_h).grown(6)
    radius = max(52.0, math.hypot(half_w, half_h) + 10)
    count = len(chip_widths)
    angles = [-math.pi / 2 + i * 2 * math.pi / count for i in range(count)]
    while True:
        boxes = [_chip_box(radius, a, w) for a, w in zip(angles, chip_widths, strict=True)]
        clear = not any(b.overlaps(title_box) for b in boxes) and not any(
            a.grown(5).overlaps(b) for a, b in itertools.combinations(boxes, 2))
        if clear:
            return radius, angles
        radius += 4


def _chip_box(radius: float, angle: float, width: float) -> Box:
    cx, cy = radius * math.cos(angle), radius * math.sin(angle)
    return Box(cx - width / 2, cy - CHIP_H / 2, width, CHIP_H)


def _preferences(eco: Ecomap, angle_of: dict[str, float], chip_angles: list[float]) -> list[float]:
    """Each node's wished-for angle: by its family members, else in the gaps between them."""
    count = len(eco.nodes)
    if not chip_angles:
        ranked = sorted(range(count), key=lambda i: (KIND_ORDER.index(eco.nodes[i].kind), i))
        return [-math.pi / 2 + ranked.index(i) * 2 * math.pi / max(count, 1) for i in range(count)]
    prefs: list[float | None] = []
    for node in range(count):
        angles = [angle_of[k.target] for k in eco.links if k.node == node and k.target]
        prefs.append(_mean_angle(angles) if angles else None)
    free = [i for i in range(count) if prefs[i] is None]
    step = 2 * math.pi / len(chip_angles)
    per_gap: list[list[int]] = [[] for _ in chip_angles]
    for i in free:
        min(per_gap, key=len).append(i)
    for gap, members in enumerate(per_gap):
        for t, node in enumerate(members):
            prefs[node] = chip_angles[gap] + (t + 1) * step / (len(members) + 1)
    return [p if p is not None else 0.0 for p in prefs]


def _mean_angle(angles: list[float]) -> float:
    x, y = sum(math.cos(a) for a in angles), sum(math.sin(a) for a in angles)
    if math.hypot(x, y) < 1e-6:
        return angles[0] + math.pi / 2
    return math.atan2(y, x)


def _extents(width: float, height: float, angle: float) -> tuple[float, float]:
    """A box's extent along the ray at `angle` and across it."""
    c, s = abs(math.cos(angle)), abs(math.sin(angle))
    return width * c + height * s, width * s + height * c


class _Frame:
    """Tries ever larger rings until nodes, name tags and lines keep clear of each other."""

    def __init__(self, eco: Ecomap, sizes: list[tuple[float, float]], title: list[str],
                 radius: float, angle_of: dict[str, float], chip_w: dict[str, float]) -> None:
        self.eco, self.sizes, self.radius = eco, sizes, radius
        self.title = tuple(
            TextRun(t, 0.0, (i - (len(title) - 1) / 2) * CENTRE_LEAD + CENTRE_SIZE * 0.35,
                    CENTRE_SIZE, True) for i, t in enumerate(title))
        self.chips = tuple(
            Chip(m, box, TextRun(label, box.cx, box.cy + CHIP_SIZE * 0.35, CHIP_SIZE, True))
            for m, box, label in (
                (m.id, _chip_box(radius, angle_of[m.id], chip_w[m.id]), m.label)
                for m in eco.members))
        self.ring_gap = max((h for _, h in sizes), default=0.0) + 2 * GAP

    def fit(self, order: list[int], prefs: list[float], rings: int) -> EcomapLayout:
        ring = self.radius + 36
        attempt = self.attempt(order, prefs, rings, ring)
        for _ in range(120):
            if not problems(attempt):
                break
            ring += max(8.0, ring * 0.04)
            attempt = self.attempt(order, prefs, rings, ring)
        return attempt

    def attempt(self, order: list[int], prefs: list[float], rings: int,
                ring: float) -> EcomapLayout:
        inner = [ring + (self.ring_gap if rings == 2 and i % 2 else 0) for i in range(len(order))]
        angles = self.spread(order, prefs, inner, rings)
        cards = []
        for seat, node in enumerate(order):
            w, h = self.sizes[node]
            along, _ = _extents(w, h, angles[seat])
            r = inner[seat] + along / 2
            cx, cy = r * math.cos(angles[seat]), r * math.sin(angles[seat])
            cards.append(_card(node, self.eco.nodes[node], Box(cx - w / 2, cy - h / 2, w, h)))
        cards.sort(key=lambda c: c.node)
        strokes = tuple(self.stroke(i, cards) for i in range(len(self.eco.links)))
        return EcomapLayout(0, 0, (0.0, 0.0), self.radius, self.title, self.chips,
                            tuple(cards), strokes)

    def spread(self, order: list[int], prefs: list[float], inner: list[float],
               rings: int) -> list[float]:
        """Angles near each node's preference, pushed apart until neighbours have room."""
        count = len(order)
        angles = [-math.pi / 2 + (prefs[i] + math.pi / 2) % (2 * math.pi) for i in order]
        pairs = [(i, (i + 1) % count) for i in range(count)] if count > 1 else []
        if rings == 2 and count >= 4:
            pairs += [(i, (i + 2) % count) for i in range(count)]
        for _ in range(800):
            moved = False
            for i, j in pairs:
                gap = angles[j] + (2 * math.pi if j < i else 0) - angles[i]
                need = self.separation(order[i], order[j], angles[i], angles[j],
                                       inner[i], inner[j])
                if gap < need - 1e-9:
                    push = (need - gap) / 2
                    angles[i] -= push
                    angles[j] += push
                    moved = True
            if not moved:
                break
        return angles

    def separation(self, a: int, b: int, angle_a: float, angle_b: float,
                   inner_a: float, inner_b: float) -> float:
        along_a, across_a = _extents(*self.sizes[a], angle_a)
        along_b, across_b = _extents(*self.sizes[b], angle_b)
        apart_radially = inner_a + along_a + GAP < inner_b or inner_b + along_b + GAP < inner_a
        if not apart_radially:
            radius = min(inner_a + along_a / 2, inner_b + along_b / 2)
            return (across_a / 2 + across_b / 2 + GAP) / radius
        # different rings: the outer node's line must pass the inner node
        across, along, inner = (across_a, along_a, inner_a) if inner_a < inner_b else (
            across_b, along_b, inner_b)
        return (across / 2 + GAP) / (inner + along / 2)

    def stroke(self, index: int, cards: list[Card]) -> Stroke:
        link = self.eco.links[index]
        box = cards[link.node].box
        if link.target is not None:
            chip = next(c for c in self.chips if c.person == link.target).box
            start = clip_to_box(box, (chip.cx, chip.cy))
            end = clip_to_box(chip, (box.cx, box.cy))
            return Stroke(index, start, end, link.strength, link.direction)
        facing = math.atan2(box.cy, box.cx)
        fallback = None
        for turn in [0.0, *(s * d for d in range(3, 91, 3) for s in (1, -1))]:
            angle = facing + math.radians(turn)
            end = (self.radius * math.cos(angle), self.radius * math.sin(angle))
            start = clip_to_box(box, end)
            fallback = fallback or (start, end)
            if segment_distance((0.0, 0.0), start, end) < self.radius - 0.5:
                continue
            if any(c.box.grown(4).crossed_by(start, end) for c in self.chips):
                continue
            if any(c.box.grown(GAP / 2).crossed_by(start, end) for c in cards if c.box != box):
                continue
            return Stroke(index, start, end, link.strength, link.direction)
        assert fallback is not None
        return Stroke(index, *fallback, link.strength, link.direction)


def _card(node: int, data: EcoNode, box: Box) -> Card:
    lines = _card_lines(data)
    runs = []
    y = box.y + CARD_PAD_Y
    for t, size, bold in lines:
        lead = NAME_LEAD if bold else WORKER_LEAD
        runs.append(TextRun(t, box.cx, y + lead * 0.5 + size * 0.35, size, bold))
        y += lead
    return Card(node, data.kind, box, tuple(runs))


def problems(layout: EcomapLayout) -> list[str]:
    """What breaks the ecomap's rules: overlapping nodes, tags or titles; lines through nodes."""
    out = []
    cx, cy = layout.centre
    for a, b in itertools.combinations(layout.cards, 2):
        if a.box.grown(GAP / 2).overlaps(b.box):
            out.append(f"nodes {a.node} and {b.node} overlap")
    for card in layout.cards:
        nearest = (min(max(cx, card.box.x), card.box.right),
                   min(max(cy, card.box.y), card.box.bottom))
        if math.dist(nearest, layout.centre) < layout.radius + GAP:
            out.append(f"node {card.node} touches the centre")
        for chip in layout.chips:
            if card.box.grown(GAP / 2).overlaps(chip.box):
                out.append(f"node {card.node} overlaps the name of {chip.person}")
    for a, b in itertools.combinations(layout.chips, 2):
        if a.box.overlaps(b.box):
            out.append(f"names of {a.person} and {b.person} overlap")
    for stroke in layout.strokes:
        own = stroke_node(layout, stroke)
        for card in layout.cards:
            if card.node != own and card.box.grown(5).crossed_by(stroke.start, stroke.end):
                out.append(f"line {stroke.link} crosses node {card.node}")
        for chip in layout.chips:
            if chip.box.grown(3).crossed_by(stroke.start, stroke.end) and not _ends_at(stroke,
                                                                                         chip):
                out.append(f"line {stroke.link} crosses the name of {chip.person}")
        reach = layout.radius - (CHIP_H / 2 + 2 if _ends_at_any(stroke, layout) else 0.5)
        if segment_distance(layout.centre, stroke.start, stroke.end) < reach:
            out.append(f"line {stroke.link} crosses the centre")
    return out


def stroke_node(layout: EcomapLayout, stroke: Stroke) -> int:
    """The node a line starts at: the card whose edge holds its start."""
    return min(layout.cards, key=lambda c: _box_edge_distance(c.box, stroke.start)).node


def _box_edge_distance(box: Box, p: Point) -> float:
    dx = max(box.x - p[0], 0.0, p[0] - box.right)
    dy = max(box.y - p[1], 0.0, p[1] - box.bottom)
    return math.hypot(dx, dy)


def _ends_at(stroke: Stroke, chip: Chip) -> bool:
    return _box_edge_distance(chip.box, stroke.end) < 0.5


def _ends_at_any(stroke: Stroke, layout: EcomapLayout) -> bool:
    return any(_ends_at(stroke, c) for c in layout.chips)


def _bounds(layout: EcomapLayout) -> Box:
    boxes = [c.box for c in layout.cards] + [c.box for c in layout.chips]
    r = layout.radius
    boxes.append(Box(layout.centre[0] - r, layout.centre[1] - r, 2 * r, 2 * r))
    left, top = min(b.x for b in boxes), min(b.y for b in boxes)
    return Box(left, top, max(b.right for b in boxes) - left, max(b.bottom for b in boxes) - top)


def _area(layout: EcomapLayout) -> float:
    box = _bounds(layout)
    return box.w * box.h


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
        cards=tuple(Card(c.node, c.kind, mb(c.box), tuple(mr(r) for r in c.runs))
                    for c in layout.cards),
        strokes=tuple(Stroke(s.link, mv(s.start), mv(s.end), s.strength, s.direction)
                      for s in layout.strokes),
    )


# --- drawing ---------------------------------------------------------------------------------


def ecomap_svg(
    case: Case, centre: str | None = None, today: dt.date | None = None, family: bool = False
) -> str:
    """The ecomap of a case as SVG text: same case and date, same bytes."""
    eco = ecomap_of(case, centre, family)
    today = today or dt.date.today()
    layout = layout_ecomap(eco)
    items = _key_items(eco, layout)
    width = max(layout.width, 2 * 270 + 2 * PAD)
    shift = (width - layout.width) / 2
    height = layout.height + key_height(items, width)
    body = [f'<g transform="translate({n(shift)},0)">', *_draw_map(layout), "</g>"]
    body += draw_key(items, layout.height, width, "Key", f"Drawn on {format_date(today)}")
    return document(width, height, ecomap_title(eco, family), ecomap_description(eco, today), body)


def ecomap_title(eco: Ecomap, family: bool) -> str:
    who = eco.centre_label if eco.centre else (
        "your family" if family else eco.centre_label[:1].lower() + eco.centre_label[1:])
    if family:
        return f"The people and services around {who}"
    return f"Ecomap: the people and services around {who}"


def ecomap_description(eco: Ecomap, today: dt.date) -> str:
    count = len(eco.links)
    if not count:
        return (f"No connections with people or services are recorded yet "
                f"({format_date(today)}).")
    parts = []
    for strength in STRENGTH_ORDER:
        k = sum(1 for link in eco.links if link.strength == strength)
        if k:
            parts.append(f"{k} {eco.labels[f'strength:{strength}'].lower()}")
    text_ = (f"{count} connection{'s' if count != 1 else ''} with {len(eco.nodes)} "
             f"{'person or service' if len(eco.nodes) == 1 else 'people and services'} around "
             f"{eco.centre_label}, drawn on {format_date(today)}: {', '.join(parts)}.")
    return text_ + " The table of connections gives the same information in words."


def _draw_map(layout: EcomapLayout) -> list[str]:
    cx, cy = layout.centre
    out = ['<g class="links" fill="none" stroke-linecap="round" stroke-linejoin="round">']
    for s in layout.strokes:
        out.extend(link_svg(s.start, s.end, s.strength, s.direction))
    out += [
        "</g>",
        f'<circle class="centre" cx="{n(cx)}" cy="{n(cy)}" r="{n(layout.radius)}" '
        f'fill="#f2f2f2" stroke="{INK}" stroke-width="2.2"/>',
        *(_run(r, "middle") for r in layout.title),
        '<g class="members">',
    ]
    for chip in layout.chips:
        b = chip.box
        out.append(f'<rect x="{n(b.x)}" y="{n(b.y)}" width="{n(b.w)}" height="{n(b.h)}" '
                   f'rx="{n(b.h / 2)}" fill="#ffffff" stroke="{INK}" stroke-width="1.6"/>')
        out.append(_run(chip.run, "middle"))
    out += ["</g>", '<g class="nodes">']
    for card in layout.cards:
        out.append(node_shape(card.kind, card.box))
        out.extend(_run(r, "middle") for r in card.runs)
    out.append("</g>")
    return out


def _run(r: TextRun, anchor: str) -> str:
    return text(r.text, r.x, r.y, r.size, r.bold, anchor)


def node_shape(kind: str, b: Box) -> str:
    """Person: rounded ends; service: a plain box; community: a box with cut corners."""
    attrs = (f'class="node {kind}" fill="{FILLS.get(kind, "#ffffff")}" stroke="{INK}" '
             f'stroke-width="1.4"')
    if kind == "community":
        c = min(9.0, b.h / 3)
        pts = ((b.x + c, b.y), (b.right - c, b.y), (b.right, b.y + c), (b.right, b.bottom - c),
               (b.right - c, b.bottom), (b.x + c, b.bottom), (b.x, b.bottom - c), (b.x, b.y + c))
        return f'<polygon points="{points(pts)}" {attrs}/>'
    rx = min(b.h / 2, 16.0) if kind == "person" else 2.5
    return (f'<rect x="{n(b.x)}" y="{n(b.y)}" width="{n(b.w)}" height="{n(b.h)}" '
            f'rx="{n(rx)}" {attrs}/>')


def link_svg(start: Point, end: Point, strength: str, direction: str | None) -> list[str]:
    """One connection: its line in the strength's style, with arrowheads where support flows."""
    ink = {"stressful": STRESS, UNRECORDED: UNRECORDED_INK}.get(strength, INK)
    length, half = (15.0, 8.0) if strength == "strong" else (11.0, 5.5)
    heads = []
    a, b = start, end
    if direction in ("to_family", "both"):
        heads.append(arrowhead(end, start, length, half))
        b = _towards(end, start, length - 1)
    if direction in ("from_family", "both"):
        heads.append(arrowhead(start, end, length, half))
        a = _towards(start, end, length - 1)
    cls = f'class="link {strength} {direction or "unrecorded-direction"}"'
    if strength == "stressful":
        line = (f'<polyline {cls} points="{points(zigzag(a, b, 8.0, 4.5, 7.0))}" '
                f'stroke="{ink}" stroke-width="2"/>')
    else:
        width = {"strong": "4.5", "weak": "1.8", UNRECORDED: "1.4"}.get(strength, "1.8")
        dash = ' stroke-dasharray="9 6"' if strength == "weak" else ""
        line = (f'<line {cls} x1="{n(a[0])}" y1="{n(a[1])}" x2="{n(b[0])}" y2="{n(b[1])}" '
                f'stroke="{ink}" stroke-width="{width}"{dash}/>')
    arrows = [f'<polygon class="arrow" points="{points(h)}" fill="{ink}" stroke="none"/>'
              for h in heads]
    return [line, *arrows]


def _towards(p: Point, q: Point, d: float) -> Point:
    length = math.dist(p, q) or 1.0
    return p[0] + (q[0] - p[0]) * d / length, p[1] + (q[1] - p[1]) * d / length


def _key_items(eco: Ecomap, layout: EcomapLayout) -> list[KeyItem]:
    labels = eco.labels
    used_strengths = {k.strength for k in eco.links}
    used_directions = {k.direction for k in eco.links}
    used_kinds = {node.kind for node in eco.nodes}
    items = [KeyItem(_strength_glyph(s), labels[f"strength:{s}"])
             for s in STRENGTH_ORDER if s in used_strengths]
    items += [KeyItem(_direction_glyph(d), labels.get(f"direction:{d}", d))
              for d in DIRECTION_ORDER if d in used_directions]
    items += [KeyItem(_kind_glyph(k), labels[f"kind:{k}"]) for k in KIND_ORDER if k in used_kinds]
    if layout.chips:
        items.append(KeyItem(_chip_glyph, "A family member: a line to a name is their own link"))
    return items


def _strength_glyph(strength: str) -> Any:
    return lambda x, y: link_svg((x - 22, y), (x + 22, y), strength, None)


def _direction_glyph(direction: str) -> Any:
    def draw(x: float, y: float) -> list[str]:
        node = Box(x - 24, y - 6, 10, 12)
        family = (x + 20, y)
        return [
            node_shape("service", node),
            f'<circle cx="{n(family[0])}" cy="{n(y)}" r="5" fill="#f2f2f2" stroke="{INK}" '
            f'stroke-width="1.4"/>',
            *link_svg((node.right, y), (family[0] - 5, y), "weak-key", direction),
        ]

    return draw


def _kind_glyph(kind: str) -> Any:
    return lambda x, y: [node_shape(kind, Box(x - 17, y - 10, 34, 20))]


def _chip_glyph(x: float, y: float) -> list[str]:
    return [f'<rect x="{n(x - 17)}" y="{n(y - 9)}" width="34" height="18" rx="9" '
            f'fill="#ffffff" stroke="{INK}" stroke-width="1.6"/>']


__all__ = [
    "Ecomap", "EcomapLayout", "ecomap_of", "ecomap_rows", "ecomap_svg", "layout_ecomap",
    "problems",
]  # fmt: skip

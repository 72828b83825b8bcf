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

import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ehdocs.case.model import Case
from ehdocs.diagrams.svgutil import (
    INK,
    KEY_COLUMN,
    PAD,
    Box,
    Glyph,
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
            entry = dataclasses.replace(entry, target=None)
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
        links[same_end[0]] = EcoLink(
            old.node,
            old.target,
            old.strength,
            old.direction,
            (*old.notes, *(x for x in notes if x not in old.notes)),
        )
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
            out[f"{prefix}:{option.value}"] = (
                (option.family_label or option.label) if family else option.label
            )
    out[f"strength:{UNRECORDED}"] = "Not recorded"
    out[f"key:{UNRECORDED}"] = "Strength not recorded"
    record = case.formset.records.get("ecomap_link")
    kind = record.child("kind") if record else None
    for value in KIND_ORDER:
        out[f"kind:{value}"] = kind.option_label(value, family) if kind else value.title()
    out["centre:family"] = "The whole family"
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
        rows.append(
            {
                "name": node.name,
                "kind": eco.labels[f"kind:{node.kind}"],
                "connected_to": connected,
                "strength": eco.labels.get(f"strength:{link.strength}", link.strength),
                "direction": eco.labels.get(f"direction:{link.direction}", "Not recorded"),
                "notes": "; ".join(link.notes),
            }
        )
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
    node: int
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


def _card_lines(node: EcoNode) -> list[tuple[str, float, bool]]:
    lines = [(t, NAME_SIZE, True) for t in wrap(node.name, NAME_SIZE, CARD_TEXT * 0.9, 4)]
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


def _centre_radius(title: list[str], widths: list[float]) -> float:
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
        _chip_box(radius, math.radians(d), widest).overlaps(title_box) for d in range(0, 360, 5)
    ):
        radius += 4
    return radius


def _chip_box(radius: float, angle: float, width: float) -> Box:
    cx, cy = radius * math.cos(angle), radius * math.sin(angle)
    return Box(cx - width / 2, cy - CHIP_H / 2, width, CHIP_H)


def _plan(eco: Ecomap, chip_ids: list[str]) -> tuple[list[float], list[float]]:
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
        prefs[i] = _mean_angle([chip_angles[g] for g in sorted(targets[i])])
    return chip_angles, prefs


def _between(seats: set[int], k: int) -> int | None:
    """For two neighbouring seats on the rim, the first of them going clockwise."""
    if len(seats) != 2:
        return None
    a, b = sorted(seats)
    if b == a + 1:
        return a
    return b if (a, b) == (0, k - 1) else None


def _push_apart(
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

    def __init__(self, eco: Ecomap) -> None:
        self.eco = eco
        self.sizes = [_card_size(_card_lines(node)) for node in eco.nodes]
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
        self.chip_ids = _member_order(eco)
        labels = {m.id: m.label for m in eco.members}
        self.chip_labels = [labels[m] for m in self.chip_ids]
        self.chip_w = [text_width(label, CHIP_SIZE, True) + 20 for label in self.chip_labels]
        seat = {m: i for i, m in enumerate(self.chip_ids)}
        self.targets = [
            sorted({seat[k.target] for k in eco.links if k.node == i and k.target})
            for i in range(len(eco.nodes))
        ]
        self.chip_angles, self.prefs = _plan(eco, self.chip_ids)
        self.radius = _centre_radius(title, self.chip_w)

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
            new = _mean_angle(mine) if mine else old
            moved.append(old + (new - old + math.pi) % (2 * math.pi) - math.pi)
        count = len(moved)
        pairs = [(i, (i + 1) % count) for i in range(count)] if count > 1 else []
        return _push_apart(
            moved, pairs, lambda i, j: ((self.chip_w[i] + self.chip_w[j]) / 2 + 10) / self.radius
        )

    def preferences(self, chips: list[float]) -> list[float]:
        """Wished-for angles: by the node's family members, else spread over the widest gaps."""
        prefs = [_mean_angle([chips[t] for t in found]) if found else 0.0 for found in self.targets]
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
            r = ring + _extents(w, h, angle)[0] / 2  # the node's nearest side touches the ring
            cx, cy = r * math.cos(angle), r * math.sin(angle)
            cards.append(_card(node, self.eco.nodes[node], Box(cx - w / 2, cy - h / 2, w, h)))
        tags = []
        for person, label, width, angle in zip(
            self.chip_ids, self.chip_labels, self.chip_w, chips, strict=True
        ):
            box = _chip_box(self.radius, angle, width)
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
            along_a, across_a = _extents(*self.sizes[order[i]], angles[i])
            along_b, across_b = _extents(*self.sizes[order[j]], angles[j])
            radius = ring + min(along_a, along_b) / 2
            return (across_a / 2 + across_b / 2 + GAP) / radius

        # no room round this ring: a rough spread is enough to be rejected
        crowded = sum(need(i, j) for i, j in pairs) > 2 * math.pi
        return _push_apart(angles, pairs, need, 30 if crowded else 400)

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
            if any(_box_edge_distance(c.box, end) < 30 for c in chips):
                continue
            if any(
                c.box.grown(GAP / 2).crossed_by(start, end) for c in cards if c.node != link.node
            ):
                continue
            return Stroke(index, link.node, start, end, link.strength, link.direction)
        assert fallback is not None
        return Stroke(index, link.node, *fallback, link.strength, link.direction)


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
        nearest = (
            min(max(cx, card.box.x), card.box.right),
            min(max(cy, card.box.y), card.box.bottom),
        )
        if math.dist(nearest, layout.centre) < layout.radius + GAP:
            out.append(f"node {card.node} touches the centre")
        for chip in layout.chips:
            if card.box.grown(GAP / 2).overlaps(chip.box):
                out.append(f"node {card.node} overlaps the name of {chip.person}")
    for tag, other in itertools.combinations(layout.chips, 2):
        if tag.box.overlaps(other.box):
            out.append(f"names of {tag.person} and {other.person} overlap")
    for stroke in layout.strokes:
        for card in layout.cards:
            if card.node != stroke.node and card.box.grown(5).crossed_by(stroke.start, stroke.end):
                out.append(f"line {stroke.link} crosses node {card.node}")
        for chip in layout.chips:
            if chip.box.grown(3).crossed_by(stroke.start, stroke.end) and not _ends_at(
                stroke, chip
            ):
                out.append(f"line {stroke.link} crosses the name of {chip.person}")
        if segment_distance(layout.centre, stroke.start, stroke.end) < layout.radius - 1:
            out.append(f"line {stroke.link} crosses the centre")
    return out


def _box_edge_distance(box: Box, p: Point) -> float:
    dx = max(box.x - p[0], 0.0, p[0] - box.right)
    dy = max(box.y - p[1], 0.0, p[1] - box.bottom)
    return math.hypot(dx, dy)


def _ends_at(stroke: Stroke, chip: Chip) -> bool:
    return _box_edge_distance(chip.box, stroke.end) < 0.5


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


# --- drawing ---------------------------------------------------------------------------------


def ecomap_svg(
    case: Case, centre: str | None = None, today: dt.date | None = None, family: bool = False
) -> str:
    """The ecomap of a case as SVG text: same case and date, same bytes."""
    eco = ecomap_of(case, centre, family)
    today = today or dt.date.today()
    layout = layout_ecomap(eco)
    items = _key_items(eco, layout)
    width = max(layout.width, 2 * KEY_COLUMN + 2 * PAD)  # room for a key in two columns
    shift = (width - layout.width) / 2
    height = layout.height + key_height(items, width)
    body = [f'<g transform="translate({n(shift)},0)">', *_draw_map(layout), "</g>"]
    body += draw_key(items, layout.height, width, "Key", f"Drawn on {format_date(today)}")
    return document(width, height, ecomap_title(eco, family), ecomap_description(eco, today), body)


def ecomap_title(eco: Ecomap, family: bool) -> str:
    who = (
        eco.centre_label
        if eco.centre
        else ("your family" if family else eco.centre_label[:1].lower() + eco.centre_label[1:])
    )
    if family:
        return f"The people and services around {who}"
    return f"Ecomap: the people and services around {who}"


def ecomap_description(eco: Ecomap, today: dt.date) -> str:
    count = len(eco.links)
    if not count:
        return f"No connections with people or services are recorded yet ({format_date(today)})."
    parts = []
    for strength in STRENGTH_ORDER:
        k = sum(1 for link in eco.links if link.strength == strength)
        if k:
            parts.append(f"{k} {eco.labels[f'strength:{strength}'].lower()}")
    text_ = (
        f"{count} connection{'s' if count != 1 else ''} with {len(eco.nodes)} "
        f"{'person or service' if len(eco.nodes) == 1 else 'people and services'} around "
        f"{eco.centre_label}, drawn on {format_date(today)}: {', '.join(parts)}."
    )
    return text_ + " The table of connections gives the same information in words."


def _draw_map(layout: EcomapLayout) -> list[str]:
    cx, cy = layout.centre
    out = ['<g class="links">']
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
        out.append(
            f'<rect x="{n(b.x)}" y="{n(b.y)}" width="{n(b.w)}" height="{n(b.h)}" '
            f'rx="{n(b.h / 2)}" fill="#ffffff" stroke="{INK}" stroke-width="1.6"/>'
        )
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
    attrs = (
        f'class="node {kind}" fill="{FILLS.get(kind, "#ffffff")}" stroke="{INK}" stroke-width="1.4"'
    )
    if kind == "community":
        c = min(9.0, b.h / 3)
        pts = (
            (b.x + c, b.y),
            (b.right - c, b.y),
            (b.right, b.y + c),
            (b.right, b.bottom - c),
            (b.right - c, b.bottom),
            (b.x + c, b.bottom),
            (b.x, b.bottom - c),
            (b.x, b.y + c),
        )
        return f'<polygon points="{points(pts)}" {attrs}/>'
    rx = min(b.h / 2, 16.0) if kind == "person" else 2.5
    return (
        f'<rect x="{n(b.x)}" y="{n(b.y)}" width="{n(b.w)}" height="{n(b.h)}" rx="{n(rx)}" {attrs}/>'
    )


def link_svg(
    start: Point, end: Point, strength: str, direction: str | None, role: str = "link"
) -> list[str]:
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
    group = (
        f'<g class="{role}" data-strength="{strength}" data-direction="{direction or ""}" '
        'fill="none" stroke-linecap="round" stroke-linejoin="round">'
    )
    if strength == "stressful":
        line = (
            f'<polyline points="{points(zigzag(a, b, 6.0, 4.5, 7.0))}" '
            f'stroke="{ink}" stroke-width="2"/>'
        )
    else:
        width = {"strong": "4.5", "weak": "1.8", UNRECORDED: "1.4"}.get(strength, "1.8")
        dash = ' stroke-dasharray="9 6"' if strength == "weak" else ""
        line = (
            f'<line x1="{n(a[0])}" y1="{n(a[1])}" x2="{n(b[0])}" y2="{n(b[1])}" '
            f'stroke="{ink}" stroke-width="{width}"{dash}/>'
        )
    arrows = [
        f'<polygon class="arrow" points="{points(h)}" fill="{ink}" stroke="none"/>' for h in heads
    ]
    return [group, line, *arrows, "</g>"]


def _towards(p: Point, q: Point, d: float) -> Point:
    length = math.dist(p, q) or 1.0
    return p[0] + (q[0] - p[0]) * d / length, p[1] + (q[1] - p[1]) * d / length


def _key_items(eco: Ecomap, layout: EcomapLayout) -> list[KeyItem]:
    labels = eco.labels
    used_strengths = {k.strength for k in eco.links}
    used_directions = {k.direction for k in eco.links}
    used_kinds = {node.kind for node in eco.nodes}
    items = [
        KeyItem(_strength_glyph(s), labels.get(f"key:{s}", labels[f"strength:{s}"]))
        for s in STRENGTH_ORDER
        if s in used_strengths
    ]
    items += [
        KeyItem(_direction_glyph(d), labels.get(f"direction:{d}", d))
        for d in DIRECTION_ORDER
        if d in used_directions
    ]
    items += [KeyItem(_kind_glyph(k), labels[f"kind:{k}"]) for k in KIND_ORDER if k in used_kinds]
    if layout.chips:
        items.append(KeyItem(_chip_glyph, "A family member: a line to a name is their own link"))
    return items


def _strength_glyph(strength: str) -> Glyph:
    return lambda x, y: link_svg((x - 20, y), (x + 20, y), strength, None, "key-line")


def _direction_glyph(direction: str) -> Glyph:
    def draw(x: float, y: float) -> list[str]:
        node = Box(x - 24, y - 6, 10, 12)
        family = (x + 20, y)
        return [
            node_shape("service", node),
            f'<circle cx="{n(family[0])}" cy="{n(y)}" r="5" fill="#f2f2f2" stroke="{INK}" '
            f'stroke-width="1.4"/>',
            *link_svg((node.right, y), (family[0] - 5, y), "plain", direction, "key-line"),
        ]

    return draw


def _kind_glyph(kind: str) -> Glyph:
    return lambda x, y: [node_shape(kind, Box(x - 17, y - 10, 34, 20))]


def _chip_glyph(x: float, y: float) -> list[str]:
    return [
        f'<rect x="{n(x - 17)}" y="{n(y - 9)}" width="34" height="18" rx="9" '
        f'fill="#ffffff" stroke="{INK}" stroke-width="1.6"/>'
    ]


__all__ = [
    "Ecomap", "EcomapLayout", "ecomap_of", "ecomap_rows", "ecomap_svg", "layout_ecomap",
    "problems",
]  # fmt: skip

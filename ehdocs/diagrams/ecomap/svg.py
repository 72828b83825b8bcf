"""Drawing the ecomap: lines in the strength's style, arrows where support flows, and a key."""

from __future__ import annotations

import datetime as dt
import math

from ehdocs.case.model import Case
from ehdocs.diagrams.ecomap.geometry import EcomapLayout, TextRun
from ehdocs.diagrams.ecomap.layout import layout_ecomap
from ehdocs.diagrams.ecomap.model import (
    DIRECTION_ORDER,
    KIND_ORDER,
    STRENGTH_ORDER,
    UNRECORDED,
    Ecomap,
    ecomap_of,
)
from ehdocs.diagrams.ecomap.text import ecomap_description, ecomap_title
from ehdocs.diagrams.svgutil import (
    INK,
    KEY_COLUMN,
    PAD,
    Box,
    Glyph,
    KeyItem,
    Point,
    arrowhead,
    document,
    draw_key,
    key_height,
    n,
    points,
    text,
    zigzag,
)
from ehdocs.fields import format_date

STRESS = "#a33a00"  # dark vermilion: the jagged shape carries the meaning, the colour helps
UNRECORDED_INK = "#8a8a8a"
FILLS = {"person": "#fdf0e4", "service": "#e6f0fa", "community": "#e7f5ea"}


def ecomap_svg(
    case: Case, centre: str | None = None, today: dt.date | None = None, family: bool = False
) -> str:
    """The ecomap of a case as SVG text: same case and date, same bytes."""
    return draw_ecomap(ecomap_of(case, centre, family), today, family)


def draw_ecomap(eco: Ecomap, today: dt.date | None = None, family: bool = False) -> str:
    """An ecomap (the whole of a case's, or a part of it) as SVG text."""
    today = today or dt.date.today()
    layout = layout_ecomap(eco)
    items = _key_items(eco, layout)
    width = max(layout.width, 2 * KEY_COLUMN + 2 * PAD)  # room for a key in two columns
    shift = (width - layout.width) / 2
    height = layout.height + key_height(items, width)
    body = [f'<g transform="translate({n(shift)},0)">', *_draw_map(layout), "</g>"]
    body += draw_key(items, layout.height, width, "Key", f"Drawn on {format_date(today)}")
    return document(width, height, ecomap_title(eco, family), ecomap_description(eco, today), body)


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

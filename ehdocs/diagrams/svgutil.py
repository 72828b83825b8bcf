"""SVG pieces the ecomap and the outcome-scales chart share: the frame, the key, some geometry.

Numbers, text widths, boxes and <text> elements come from the genogram's modules, so every
diagram rounds, measures and escapes the same way (same case, same bytes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax import saxutils

from ehdocs.diagrams.fonts import SVG_FONT_FAMILY
from ehdocs.diagrams.geometry import Box, Point
from ehdocs.diagrams.metrics import text_width, wrap

# Characters XML 1.0 cannot carry at all (cleaned at the way in; this keeps a diagram drawable
# whatever reaches it): the C0 controls but tab and line ends, lone surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(value: str) -> str:
    return saxutils.escape(_NOT_XML.sub("", value))


def quoteattr(value: str) -> str:
    return saxutils.quoteattr(_NOT_XML.sub("", value))


# The text widths in metrics.py are DejaVu Sans's: draw with that font.
FONT = SVG_FONT_FAMILY
INK = "#1a1a1a"
MUTED = "#555555"
RULE = "#999999"
PAD = 24.0

KEY_TITLE_SIZE = 13.0
KEY_TEXT_SIZE = 11.5
KEY_COLUMN = 270.0
KEY_GLYPH = 52.0  # width kept left of each key entry's words for its picture
KEY_LEAD = 14.0
KEY_ROW = 28.0

__all__ = [
    "FONT", "INK", "KEY_COLUMN", "MUTED", "PAD", "RULE", "Box", "Glyph", "KeyItem", "Point",
    "arrowhead", "clip_to_box", "document", "draw_key", "key_height", "n", "points",
    "segment_distance", "text", "text_block_width", "text_width", "wrap", "zigzag",
]  # fmt: skip


def n(value: float) -> str:
    """Fixed formatting: one decimal, no trailing zero, never "-0"."""
    if abs(value) < 0.05:
        return "0"
    return f"{value:.1f}".removesuffix(".0")


def text(
    value: str,
    x: float,
    y: float,
    size: float,
    bold: bool = False,
    anchor: str = "start",
    fill: str | None = None,
) -> str:
    attrs = f'x="{n(x)}" y="{n(y)}" font-size="{n(size)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    if fill:
        attrs += f' fill="{fill}"'
    return f"<text {attrs}>{escape(value)}</text>"


def document(width: float, height: float, title: str, desc: str, body: Sequence[str]) -> str:
    """A whole SVG: accessible name and description, white ground, then `body`."""
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{n(width)}" height="{n(height)}" '
        f'viewBox="0 0 {n(width)} {n(height)}" role="img" aria-label={quoteattr(title)} '
        f'font-family="{FONT}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
        f'<rect x="0" y="0" width="{n(width)}" height="{n(height)}" fill="#ffffff"/>',
    ]
    return "\n".join([*head, *body, "</svg>"]) + "\n"


def points(pts: Sequence[Point]) -> str:
    return " ".join(f"{n(x)},{n(y)}" for x, y in pts)


def text_block_width(lines: Sequence[str], size: float, bold: bool = False) -> float:
    return max((text_width(line, size, bold) for line in lines), default=0.0)


# --- the key ---------------------------------------------------------------------------------

Glyph = Callable[[float, float], list[str]]  # draws a key picture centred at (x, y)


@dataclass(frozen=True)
class KeyItem:
    glyph: Glyph
    label: str


def _key_columns(width: float) -> int:
    return max(1, int((width - 2 * PAD) // KEY_COLUMN))


def _key_lines(item: KeyItem) -> list[str]:
    return wrap(item.label, KEY_TEXT_SIZE, KEY_COLUMN - KEY_GLYPH - 12)


def key_height(items: Sequence[KeyItem], width: float) -> float:
    if not items:
        return 0.0
    columns = _key_columns(width)
    rows = [items[i : i + columns] for i in range(0, len(items), columns)]
    body = sum(max(KEY_ROW, max(len(_key_lines(i)) for i in row) * KEY_LEAD + 8) for row in rows)
    return PAD + KEY_TITLE_SIZE + 12 + body + PAD / 2


def draw_key(
    items: Sequence[KeyItem], top: float, width: float, heading: str, aside: str = ""
) -> list[str]:
    """The key: a rule, a heading (and `aside` at the right), then entries in columns."""
    out = [
        '<g class="key">',
        f'<line x1="{n(PAD)}" y1="{n(top)}" x2="{n(width - PAD)}" y2="{n(top)}" '
        f'stroke="{RULE}" stroke-width="0.8"/>',
        text(heading, PAD, top + PAD, KEY_TITLE_SIZE, True),
    ]
    if aside:
        out.append(text(aside, width - PAD, top + PAD, KEY_TEXT_SIZE, anchor="end", fill=MUTED))
    columns = _key_columns(width)
    y = top + PAD + 12
    for start in range(0, len(items), columns):
        row = items[start : start + columns]
        height = max(KEY_ROW, max(len(_key_lines(i)) for i in row) * KEY_LEAD + 8)
        middle = y + height / 2
        for col, item in enumerate(row):
            x = PAD + col * KEY_COLUMN
            out.extend(item.glyph(x + KEY_GLYPH / 2 - 4, middle))
            lines = _key_lines(item)
            first = middle - (len(lines) - 1) * KEY_LEAD / 2 + KEY_TEXT_SIZE * 0.35
            for i, line in enumerate(lines):
                out.append(text(line, x + KEY_GLYPH, first + i * KEY_LEAD, KEY_TEXT_SIZE))
        y += height
    out.append("</g>")
    return out


# --- geometry --------------------------------------------------------------------------------


def clip_to_box(box: Box, towards: Point) -> Point:
    """Where the ray from the box's centre towards `towards` leaves the box."""
    dx, dy = towards[0] - box.cx, towards[1] - box.cy
    scale = min(
        (box.w / 2) / abs(dx) if dx else math.inf,
        (box.h / 2) / abs(dy) if dy else math.inf,
    )
    if scale == math.inf:
        return box.cx, box.cy
    return box.cx + dx * scale, box.cy + dy * scale


def segment_distance(p: Point, a: Point, b: Point) -> float:
    """The distance from p to the nearest point of the segment a-b."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = (
        0.0
        if not length2
        else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    )
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def _along(a: Point, b: Point, distance: float) -> Point:
    length = math.dist(a, b) or 1.0
    return a[0] + (b[0] - a[0]) * distance / length, a[1] + (b[1] - a[1]) * distance / length


def arrowhead(tip: Point, tail: Point, length: float, half_width: float) -> tuple[Point, ...]:
    """A filled triangle with its point at `tip`, pointing away from `tail`."""
    bx, by = _along(tip, tail, length)
    ux, uy = (tip[0] - bx) / length, (tip[1] - by) / length
    return (
        tip,
        (bx - uy * half_width, by + ux * half_width),
        (bx + uy * half_width, by - ux * half_width),
    )


def zigzag(a: Point, b: Point, lead: float, amplitude: float, pitch: float) -> tuple[Point, ...]:
    """A jagged line from a to b, straight for `lead` at each end so arrowheads sit square."""
    length = math.dist(a, b)
    middle = length - 2 * lead
    teeth = int(middle // pitch)
    if teeth < 2:
        return a, b
    step = middle / teeth
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    pts = [a]
    for i in range(teeth + 1):
        d = lead + i * step
        side = 0.0 if i in (0, teeth) else (amplitude if i % 2 else -amplitude)
        pts.append((a[0] + ux * d - uy * side, a[1] + uy * d + ux * side))
    pts.append(b)
    return tuple(pts)

"""SVG text for a genogram layout: the same layout always gives the same bytes.

No ids, no timestamps, coordinates rounded to 0.1 px; attributes rather than CSS, since
cairosvg (PNG for DOCX) and WeasyPrint (PDF) read presentation attributes most reliably.
"""

from __future__ import annotations

from ehdocs.diagrams.genogram.key import COLUMN, GLYPH, LEAD, PAD, TEXT_SIZE, TITLE_SIZE, key_for
from ehdocs.diagrams.geometry import Box, Layout, Line, Outline, Point, Symbol
from ehdocs.diagrams.svgutil import document, n, text

INK = "#1a1a1a"
DASHES = {
    "solid": None,
    "dashed": "7 4",
    "dotted": "0.1 4",
    "dashdot": "9 3 0.1 3",
    "unrecorded": None,
}
# Okabe–Ito colours (safe for colour-blind readers), each with its own dot rhythm for greyscale.
HOUSEHOLD_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
HOUSEHOLD_DOTS = ("0.1 4.5", "0.1 3 0.1 8", "0.1 7", "0.1 3 0.1 3 0.1 8")


def render_svg(layout: Layout, title: str, desc: str) -> str:
    entries = len(layout.used) + len(layout.outlines)
    # A narrow family still gets a key in two columns rather than one long list.
    width = max(layout.width, (2 if entries > 6 else 1) * COLUMN + 2 * PAD)
    key = key_for(layout, layout.height, width)
    height = layout.height + key.height
    out = [
        '<g fill="none" stroke-width="1.8" stroke-linecap="round">',
        *(outline(o) for o in layout.outlines),
        "</g>",
        f'<g fill="none" stroke="{INK}" stroke-width="1.6" stroke-linecap="round">',
        *(line(ln) for ln in layout.lines),
        "</g>",
        "<g>",
        *(s for sym in layout.symbols for s in symbol(sym)),
        "</g>",
        f'<g fill="{INK}">',
        *(
            text(t.text, t.x, t.y, t.size, t.bold, t.anchor)
            for lb in layout.labels
            for t in lb.lines
        ),
        "</g>",
    ]
    if key.entries:
        out.append('<g class="key">')
        out.append(
            f'<line x1="{n(PAD)}" y1="{n(key.top)}" x2="{n(width - PAD)}" '
            f'y2="{n(key.top)}" stroke="#999999" stroke-width="0.8"/>'
        )
        out.append(text("Key", PAD, key.top + PAD + TITLE_SIZE - 4, TITLE_SIZE, True))
        for e in key.entries:
            out.extend(key_glyph(e.kind, e.x, e.y, e.household))
            first = e.y - (len(e.lines) - 1) * LEAD / 2 + TEXT_SIZE * 0.35
            for i, t in enumerate(e.lines):
                out.append(text(t, e.x + GLYPH, first + i * LEAD, TEXT_SIZE))
        out.append("</g>")
    return document(width, height, title, desc, out)


def points(pts: tuple[Point, ...]) -> str:
    return " ".join(f"{n(x)},{n(y)}" for x, y in pts)


def line(ln: Line) -> str:
    attrs = ""
    dash = DASHES.get(ln.style)
    if dash:
        attrs += f' stroke-dasharray="{dash}"'
    if ln.style == "dotted":
        attrs += ' stroke-width="2.2"'
    if ln.style == "unrecorded":
        attrs += ' stroke="#8a8a8a" stroke-width="1.2"'
    if len(ln.points) == 2:
        (x1, y1), (x2, y2) = ln.points
        return f'<line x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}"{attrs}/>'
    return f'<polyline points="{points(ln.points)}"{attrs}/>'


def outline(o: Outline) -> str:
    colour = HOUSEHOLD_COLOURS[o.style % len(HOUSEHOLD_COLOURS)]
    dots = HOUSEHOLD_DOTS[o.style % len(HOUSEHOLD_DOTS)]
    d = " ".join(rounded_path(loop, 8.0) for loop in o.loops)
    return f'<path d="{d}" stroke="{colour}" stroke-dasharray="{dots}"/>'


def rounded_path(loop: tuple[Point, ...], radius: float) -> str:
    """A closed path through the corners, each corner rounded (inner corners too)."""
    count = len(loop)
    parts = []
    for i, (x, y) in enumerate(loop):
        px, py = loop[i - 1]
        nx, ny = loop[(i + 1) % count]
        r_in = min(radius, _dist(px, py, x, y) / 2)
        r_out = min(radius, _dist(x, y, nx, ny) / 2)
        ax, ay = _towards(x, y, px, py, r_in)
        bx, by = _towards(x, y, nx, ny, r_out)
        parts.append(f"{'M' if i == 0 else 'L'}{n(ax)},{n(ay)} Q{n(x)},{n(y)} {n(bx)},{n(by)}")
    return " ".join(parts) + " Z"


def _dist(x1: float, y1: float, x2: float, y2: float) -> float:
    return float(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5)


def _towards(x: float, y: float, tx: float, ty: float, d: float) -> Point:
    length = _dist(x, y, tx, ty) or 1.0
    return x + (tx - x) * d / length, y + (ty - y) * d / length


def symbol(sym: Symbol) -> list[str]:
    b = sym.box
    out = [shape(sym.shape, b, 'fill="#ffffff" stroke="#1a1a1a" stroke-width="1.8"')]
    if sym.index:
        out.append(
            shape(sym.shape, b.grown(-4.5), 'fill="none" stroke="#1a1a1a" stroke-width="1.4"')
        )
    if sym.deceased and sym.shape in ("male", "female", "other"):
        h = {"male": b.w / 2, "female": b.w / 2 * 0.7071, "other": b.w / 4}[sym.shape]
        out.append(
            f'<path d="M{n(b.cx - h)},{n(b.cy - h)} L{n(b.cx + h)},{n(b.cy + h)} '
            f'M{n(b.cx + h)},{n(b.cy - h)} L{n(b.cx - h)},{n(b.cy + h)}" '
            f'stroke="{INK}" stroke-width="1.6"/>'
        )
    if sym.age and not sym.deceased:  # someone who has died: the age is in their label
        out.append(text(sym.age, b.cx, b.cy + 4.3, 12, True, "middle"))
    return out


def shape(kind: str, b: Box, attrs: str) -> str:
    if kind == "male":
        return f'<rect x="{n(b.x)}" y="{n(b.y)}" width="{n(b.w)}" height="{n(b.h)}" {attrs}/>'
    if kind in ("female", "miscarriage"):
        if kind == "miscarriage":
            attrs = 'fill="#1a1a1a" stroke="none"'
        return f'<circle cx="{n(b.cx)}" cy="{n(b.cy)}" r="{n(b.w / 2)}" {attrs}/>'
    pts: tuple[Point, ...]
    if kind == "pregnancy":
        pts = ((b.cx, b.y), (b.right, b.bottom), (b.x, b.bottom))
    else:
        pts = ((b.cx, b.y), (b.right, b.cy), (b.cx, b.bottom), (b.x, b.cy))
    return f'<polygon points="{points(pts)}" {attrs}/>'


def key_glyph(kind: str, x: float, y: float, household: int) -> list[str]:
    """A small picture of one key entry, centred in the glyph area at (x, y)."""
    cx = x + 16
    small = Box(cx - 11, y - 11, 22, 22)
    if kind in ("male", "female", "other"):
        return symbol(Symbol("", kind, small))
    if kind == "pregnancy":
        return symbol(Symbol("", kind, Box(cx - 11, y - 10, 22, 20)))
    if kind == "miscarriage":
        return symbol(Symbol("", kind, Box(cx - 6, y - 6, 12, 12)))
    if kind == "index":
        return [
            shape("male", small, 'fill="#ffffff" stroke="#1a1a1a" stroke-width="1.6"'),
            shape("male", small.grown(-3.5), 'fill="none" stroke="#1a1a1a" stroke-width="1.2"'),
        ]
    if kind == "deceased":
        return symbol(Symbol("", "male", small, deceased=True))
    if kind in ("age", "age~"):
        return symbol(Symbol("", "female", small, age="9"))
    if kind == "household":
        o = Outline(
            "", "", household, (), (((x, y - 10), (x + 32, y - 10), (x + 32, y + 10), (x, y + 10)),)
        )
        return [
            outline(o).replace(
                "<path ", '<path fill="none" stroke-width="1.8" stroke-linecap="round" '
            )
        ]
    if kind in ("twins", "identical"):
        pts = [
            Line(((cx, y - 10), (cx - 10, y + 10)), "solid", "drop"),
            Line(((cx, y - 10), (cx + 10, y + 10)), "solid", "drop"),
        ]
        if kind == "identical":
            pts.append(Line(((cx - 5, y), (cx + 5, y)), "solid", "twin-bar"))
        return [_stroked(line(p)) for p in pts]
    if kind in ("birth", "adoptive", "foster", "kinship", "special_guardian", "step"):
        style = {"birth": "solid", "adoptive": "dashed", "step": "dashdot"}.get(kind, "dotted")
        return [_stroked(line(Line(((cx, y - 11), (cx, y + 11)), style, "drop")))]
    if kind == "step-note":
        return []
    style = {"cohabiting": "dashed", "dating": "dotted", "unrecorded": "unrecorded"}.get(
        kind, "solid"
    )
    out = [_stroked(line(Line(((x, y), (x + 32, y)), style, "partnership")))]
    for i in range({"separated": 1, "divorced": 2}.get(kind, 0)):
        sx = cx + (i - (0.5 if kind == "divorced" else 0)) * 7
        out.append(_stroked(line(Line(((sx - 3, y + 6), (sx + 3, y - 6)), "solid", "slash"))))
    return out


def _stroked(element: str) -> str:
    """A key line drawn outside the lines group: give it the attributes that group gives."""
    extra = ' fill="none" stroke-linecap="round"'
    if " stroke=" not in element:
        extra += f' stroke="{INK}"'
    if "stroke-width=" not in element:
        extra += ' stroke-width="1.6"'
    return element.replace("/>", extra + "/>")

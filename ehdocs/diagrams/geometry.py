"""Plain geometry the layout produces and the SVG writer draws: boxes, lines, labels, outlines."""

from __future__ import annotations

from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def grown(self, by: float) -> Box:
        return Box(self.x - by, self.y - by, self.w + 2 * by, self.h + 2 * by)

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def crossed_by(self, a: Point, b: Point) -> bool:
        """Whether the segment a-b enters the inside of the box (touching the edge is not)."""
        t0, t1 = 0.0, 1.0
        dx, dy = b[0] - a[0], b[1] - a[1]
        for p, q in (
            (-dx, a[0] - self.x),
            (dx, self.right - a[0]),
            (-dy, a[1] - self.y),
            (dy, self.bottom - a[1]),
        ):
            if p == 0:
                if q <= 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 >= t1:
                return False
        return True


@dataclass(frozen=True)
class Symbol:
    person: str
    shape: str  # male | female | other | pregnancy | miscarriage
    box: Box
    index: bool = False
    deceased: bool = False
    age: str | None = None


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float
    y: float  # baseline
    size: float
    bold: bool = False
    anchor: str = "middle"  # or "start"


@dataclass(frozen=True)
class Label:
    person: str
    box: Box
    lines: tuple[TextLine, ...]


@dataclass(frozen=True)
class Line:
    points: tuple[Point, ...]
    style: str  # solid | dashed | dotted | dashdot | unrecorded
    role: str  # partnership | arc | slash | stem | bus | drop | twin-bar
    ends: tuple[str, ...] = ()  # the people whose symbols this line meets
    # A child line from parents other than those the child hangs from (kinship or foster
    # carers, a special guardian, a step-parent): drawn whole from its own start on their
    # partnership line (or the foot of a lone carer), sharing no segment with another line.
    secondary: bool = False

    def segments(self) -> list[tuple[Point, Point]]:
        return list(zip(self.points, self.points[1:], strict=False))


@dataclass(frozen=True)
class Outline:
    household: str
    name: str
    style: int  # which of the household line styles, in order of first use
    rects: tuple[Box, ...]  # the pieces whose union is the outline
    loops: tuple[tuple[Point, ...], ...]  # the union's boundary, corners in order


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    symbols: tuple[Symbol, ...]
    labels: tuple[Label, ...]
    lines: tuple[Line, ...]
    outlines: tuple[Outline, ...]
    rows: tuple[tuple[str, ...], ...]
    used: tuple[str, ...]  # key entries, in key order

    def symbol(self, person: str) -> Symbol:
        return next(s for s in self.symbols if s.person == person)

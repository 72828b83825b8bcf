"""The laid-out ecomap: text runs, node cards, name tags and strokes, and their sizes."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ehdocs.diagrams.ecomap.model import EcoNode
from ehdocs.diagrams.svgutil import Box, Point, text_width, wrap

NAME_SIZE, NAME_LEAD = 12.5, 15.0
WORKER_SIZE, WORKER_LEAD = 11.5, 14.0  # no smaller than the name tags and the key
CARD_TEXT = 160.0  # widest line inside a node
CARD_PAD_X, CARD_PAD_Y = 9.0, 7.0
CHIP_SIZE, CHIP_H = 11.5, 22.0
CENTRE_SIZE, CENTRE_LEAD = 15.0, 18.0
GAP = 12.0  # air between nodes, and between a line and a node it passes


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


def card_lines(node: EcoNode) -> list[tuple[str, float, bool]]:
    lines = [(t, NAME_SIZE, True) for t in wrap(node.name, NAME_SIZE, CARD_TEXT * 0.9, 4)]
    for worker in node.workers:
        lines += [(t, WORKER_SIZE, False) for t in wrap(worker, WORKER_SIZE, CARD_TEXT, 2)]
    return lines


def card_size(lines: list[tuple[str, float, bool]]) -> tuple[float, float]:
    width = max(text_width(t, size, bold) for t, size, bold in lines) + 2 * CARD_PAD_X
    height = sum(NAME_LEAD if bold else WORKER_LEAD for _, _, bold in lines) + 2 * CARD_PAD_Y
    return max(width, 64.0), height


def chip_box(radius: float, angle: float, width: float) -> Box:
    cx, cy = radius * math.cos(angle), radius * math.sin(angle)
    return Box(cx - width / 2, cy - CHIP_H / 2, width, CHIP_H)


def extents(width: float, height: float, angle: float) -> tuple[float, float]:
    """A box's extent along the ray at `angle` and across it."""
    c, s = abs(math.cos(angle)), abs(math.sin(angle))
    return width * c + height * s, width * s + height * c


def card_at(node: int, data: EcoNode, box: Box) -> Card:
    lines = card_lines(data)
    runs = []
    y = box.y + CARD_PAD_Y
    for t, size, bold in lines:
        lead = NAME_LEAD if bold else WORKER_LEAD
        runs.append(TextRun(t, box.cx, y + lead * 0.5 + size * 0.35, size, bold))
        y += lead
    return Card(node, data.kind, box, tuple(runs))


def box_edge_distance(box: Box, p: Point) -> float:
    dx = max(box.x - p[0], 0.0, p[0] - box.right)
    dy = max(box.y - p[1], 0.0, p[1] - box.bottom)
    return math.hypot(dx, dy)

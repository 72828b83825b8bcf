"""The ecomap's rules, checked on a layout: nothing overlaps, no line runs through a node."""

from __future__ import annotations

import itertools
import math

from ehdocs.diagrams.ecomap.geometry import GAP, Chip, EcomapLayout, Stroke, box_edge_distance
from ehdocs.diagrams.svgutil import segment_distance


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


def _ends_at(stroke: Stroke, chip: Chip) -> bool:
    return box_edge_distance(chip.box, stroke.end) < 0.5

"""The key under a genogram: one entry per symbol or line actually used, and one per household."""

from __future__ import annotations

from dataclasses import dataclass

from ehdocs.diagrams.geometry import Layout
from ehdocs.diagrams.metrics import wrap

KEY_TEXT = {
    "male": "Male",
    "female": "Female",
    "other": "Another gender, or not known",
    "pregnancy": "Pregnancy",
    "miscarriage": "Miscarriage or stillbirth",
    "index": "The child the work is about",
    "deceased": "Died (d. year of death, age)",
    "age": "Number inside: age",
    "age~": "Number inside: age (~ about)",
    "married": "Married or civil partners",
    "cohabiting": "Living together",
    "dating": "In a relationship, not living together",
    "separated": "Separated",
    "divorced": "Divorced or dissolved",
    "unrecorded": "Parents (relationship not recorded)",
    "birth": "Child",
    "adoptive": "Adopted child",
    "foster": "Fostered child",
    "kinship": "Child in kinship care",
    "special_guardian": "Child under special guardianship",
    "step": "Step-child (step-parent not a parent's partner)",
    "step-note": "A step-parent is drawn as the partner of the child's parent",
    "twins": "Twins",
    "identical": "Identical twins",
}
TITLE_SIZE = 13.0
TEXT_SIZE = 11.5
COLUMN = 270.0
GLYPH = 44.0  # width kept for the glyph left of the text
LEAD = 14.0
ROW_MIN = 28.0
PAD = 24.0


@dataclass(frozen=True)
class KeyEntry:
    kind: str  # a KEY_TEXT key, or "household"
    x: float  # left of the glyph area
    y: float  # middle of the glyph
    lines: tuple[str, ...]
    household: int = -1  # the outline style, for household entries


@dataclass(frozen=True)
class Key:
    top: float
    height: float
    entries: tuple[KeyEntry, ...]


def key_for(layout: Layout, top: float, width: float) -> Key:
    items: list[tuple[str, str, int]] = [(k, KEY_TEXT[k], -1) for k in layout.used]
    items += [("household", f"Household: {o.name}", o.style) for o in layout.outlines]
    if not items:
        return Key(top, 0.0, ())
    columns = max(1, int((width - 2 * PAD) // COLUMN))
    per_column = -(-len(items) // columns)
    entries = []
    heights: list[float] = [0.0] * columns
    for n, (kind, text, style) in enumerate(items):
        col = n // per_column
        lines = tuple(wrap(text, TEXT_SIZE, COLUMN - GLYPH - 12))
        h = max(ROW_MIN, len(lines) * LEAD + 8)
        y = top + PAD + TITLE_SIZE + 8 + heights[col]
        entries.append(KeyEntry(kind, PAD + col * COLUMN, y + h / 2, lines, style))
        heights[col] += h
    return Key(top, PAD + TITLE_SIZE + 8 + max(heights) + PAD / 2, tuple(entries))

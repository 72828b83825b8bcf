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

model (the case read into nodes and links) → plan and layout (the ring) → check (the rules a
layout must keep) → svg (the drawing); text has the table and the drawing's words; split cuts
an ecomap too big to print readably into parts.
"""

from ehdocs.diagrams.ecomap.check import problems
from ehdocs.diagrams.ecomap.geometry import EcomapLayout
from ehdocs.diagrams.ecomap.layout import layout_ecomap
from ehdocs.diagrams.ecomap.model import Ecomap, ecomap_of
from ehdocs.diagrams.ecomap.split import EcomapPart, ecomap_parts
from ehdocs.diagrams.ecomap.svg import draw_ecomap, ecomap_svg
from ehdocs.diagrams.ecomap.text import ecomap_rows, rows_of

__all__ = [
    "Ecomap", "EcomapLayout", "EcomapPart", "draw_ecomap", "ecomap_of", "ecomap_parts",
    "ecomap_rows", "ecomap_svg", "layout_ecomap", "problems", "rows_of",
]  # fmt: skip

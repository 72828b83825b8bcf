"""Genograms: model (input) → layout (geometry) → svg (drawing), and text (the table)."""

from ehdocs.diagrams.genogram.layout import layout
from ehdocs.diagrams.genogram.model import Genogram, from_case
from ehdocs.diagrams.genogram.svg import render_svg
from ehdocs.diagrams.genogram.text import genogram_rows

__all__ = ["Genogram", "from_case", "genogram_rows", "layout", "render_svg"]

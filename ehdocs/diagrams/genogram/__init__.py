"""Genograms: model (input) → layout (geometry) → svg (drawing), and text (the table).

Import from the modules; `ehdocs.diagrams` has the case-level entry points.
"""

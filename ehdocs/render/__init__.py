"""Rendering: case data → document context → HTML → PDF, or → DOCX; packs of parts."""

"""What the DOCX renderer asks of a Word template (templates/docx/*.docx): the paragraph and
table styles it gives the sections it builds, by name, and the width of the text it lays tables
across. A council's own template must define these styles (`ehdocs templates check` says which
are missing); everything else in it — page, letterhead, fonts, colours, wording — is its own.
"""

from __future__ import annotations

from docx.shared import Mm

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
TEXT_TWIPS = round(Mm(174).twips)  # A4 between 18 mm side margins, as the PDF's @page
CELL_MARGIN_X = 91  # twips: 1.6 mm, as the PDF's cell padding
LIGHT = "F3F2F1"  # a table's header row, as document.css

# Style names (as Word shows them) to the style ids the body's XML refers to.
DOCUMENT_TABLE = "Document Table"
STYLE = {
    "Normal": "Normal",
    "heading 1": "Heading1",
    "heading 2": "Heading2",
    "Description": "Description",
    "Question": "Question",
    "Answer": "Answer",
    "Not Recorded": "NotRecorded",
    "Table Caption": "TableCaption",
    "Table Text": "TableText",
    "Table Heading": "TableHeading",
    "Table Empty": "TableEmpty",
    DOCUMENT_TABLE: "DocumentTable",
}

"""The DOCX template: A4 page, styles, header and footer, built in code and kept as an asset.

`python -m ehdocs.render.docx_template` rewrites assets/document-template.docx. The file is
committed (it can be opened in Word and reviewed) and a test fails when it is not what this code
builds. Only our own Jinja tags are in it: user text arrives as values, never as template.
"""

from __future__ import annotations

import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.shared import Mm
from lxml import etree

TEMPLATE = Path(__file__).parent / "assets" / "document-template.docx"

# Page geometry, as the PDF's @page: A4, margins 22 mm top and bottom, 18 mm at the sides.
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_Y, MARGIN_X, HEADER_DISTANCE = Mm(22), Mm(18), Mm(10)
TEXT_WIDTH = Mm(174)  # between the side margins
TEXT_TWIPS = round(TEXT_WIDTH.twips)
FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans, as in the PDF

# The colours of document.css.
INK, GREY, RULE, BLUE, RED, PINK, LIGHT = (
    "0B0C0C", "505A5F", "B1B4B6", "1D4F91", "D4351C", "FDF1EF", "F3F2F1",
)  # fmt: skip

NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "w10": "urn:schemas-microsoft-com:office:word",
}
_NSDECLS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())


@dataclass(frozen=True)
class ParagraphStyle:
    """A paragraph style; sizes and spacing in points. `borders` is a w:pBdr body."""

    style_id: str
    name: str
    base: str | None = "Normal"
    size: float | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    before: float | None = None
    after: float | None = None
    keep_next: bool = False
    outline: int | None = None
    borders: str = ""
    fill: str | None = None
    indent: float | None = None  # left and right, points
    right_tab: bool = False
    letter_spacing: float | None = None


def _border(side: str, points: float, color: str, space: int) -> str:
    return (
        f'<w:{side} w:val="single" w:sz="{round(points * 8)}" w:space="{space}" w:color="{color}"/>'
    )


PARAGRAPH_STYLES = (
    ParagraphStyle("Normal", "Normal", base=None, size=10.5, color=INK, after=0),
    ParagraphStyle("Title", "Title", size=20, bold=True, after=8, keep_next=True),
    ParagraphStyle(
        "Heading1",
        "heading 1",
        size=14,
        bold=True,
        before=22,
        after=8,
        keep_next=True,
        outline=0,
        borders=_border("top", 0.75, RULE, 6),
    ),
    ParagraphStyle(
        "Heading2", "heading 2", size=11, bold=True, before=9, after=4, keep_next=True, outline=1
    ),
    ParagraphStyle("Header", "header", size=9, right_tab=True),
    ParagraphStyle("Footer", "footer", size=8.5, color=GREY),
    ParagraphStyle("Marking", "Marking", size=9, bold=True, after=6, letter_spacing=0.4),
    ParagraphStyle(
        "Masthead",
        "Masthead",
        size=11,
        bold=True,
        after=16,
        right_tab=True,
        borders=_border("bottom", 2.25, BLUE, 8),
    ),
    ParagraphStyle("Meta", "Meta", color=GREY, after=14),
    ParagraphStyle(
        "Notice",
        "Notice",
        bold=True,
        after=16,
        fill=PINK,
        indent=8,
        borders=_border("top", 0.5, PINK, 6)
        + _border("left", 4, RED, 8)
        + _border("bottom", 0.5, PINK, 6)
        + _border("right", 0.5, PINK, 8),
    ),
    ParagraphStyle("Description", "Description", color=GREY, after=8),
    ParagraphStyle("Question", "Question", bold=True, before=6, after=1, keep_next=True),
    ParagraphStyle("Answer", "Answer", after=3),
    ParagraphStyle("NotRecorded", "Not Recorded", base="Answer", italic=True, color=GREY),
    ParagraphStyle("TableCaption", "Table Caption", bold=True, before=6, after=4, keep_next=True),
    ParagraphStyle("TableText", "Table Text", size=9),
    ParagraphStyle("TableHeading", "Table Heading", base="TableText", bold=True),
    ParagraphStyle("TableEmpty", "Table Empty", base="TableText", italic=True, color=GREY),
    ParagraphStyle(
        "Contact", "Contact", size=9, color=GREY, before=22, borders=_border("top", 0.75, RULE, 6)
    ),
)
DOCUMENT_TABLE = "Document Table"
CELL_MARGIN_X = 91  # twips: 1.6 mm, as the PDF's cell padding
STYLE = {s.name: s.style_id for s in PARAGRAPH_STYLES} | {DOCUMENT_TABLE: "DocumentTable"}


def _paragraph_style_xml(style: ParagraphStyle) -> str:
    ppr = ""  # children in the schema's order: keepNext, pBdr, shd, tabs, spacing, ind, outlineLvl
    if style.keep_next:
        ppr += "<w:keepNext/>"
    if style.borders:
        ppr += f"<w:pBdr>{style.borders}</w:pBdr>"
    if style.fill:
        ppr += f'<w:shd w:val="clear" w:color="auto" w:fill="{style.fill}"/>'
    if style.right_tab:
        ppr += f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_TWIPS}"/></w:tabs>'
    spacing = {"before": style.before, "after": style.after}
    attrs = "".join(f' w:{k}="{round(v * 20)}"' for k, v in spacing.items() if v is not None)
    if attrs:
        ppr += f"<w:spacing{attrs}/>"
    if style.indent is not None:
        twips = round(style.indent * 20)
        ppr += f'<w:ind w:left="{twips}" w:right="{twips}"/>'
    if style.outline is not None:
        ppr += f'<w:outlineLvl w:val="{style.outline}"/>'
    rpr = ""  # b, bCs, i, iCs, color, spacing, sz, szCs
    if style.bold:
        rpr += "<w:b/><w:bCs/>"
    if style.italic:
        rpr += "<w:i/><w:iCs/>"
    if style.color:
        rpr += f'<w:color w:val="{style.color}"/>'
    if style.letter_spacing:
        rpr += f'<w:spacing w:val="{round(style.letter_spacing * 20)}"/>'
    if style.size:
        rpr += f'<w:sz w:val="{round(style.size * 2)}"/><w:szCs w:val="{round(style.size * 2)}"/>'
    default = ' w:default="1"' if style.style_id == "Normal" else ""
    based = f'<w:basedOn w:val="{style.base}"/>' if style.base else ""
    return (
        f'<w:style w:type="paragraph"{default} w:styleId="{style.style_id}">'
        f'<w:name w:val="{style.name}"/>{based}<w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def _other_styles_xml() -> list[str]:
    """The defaults every document needs, and the bordered table style."""
    cell_margins = "".join(
        f'<w:{side} w:w="{w}" w:type="dxa"/>'
        for side, w in (
            ("top", 68),
            ("left", CELL_MARGIN_X),
            ("bottom", 68),
            ("right", CELL_MARGIN_X),
        )
    )
    borders = "".join(
        _border(side, 0.5, RULE, 0)
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    return [
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "<w:unhideWhenUsed/></w:style>",
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr>'
        '<w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList">'
        '<w:name w:val="No List"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        f'<w:style w:type="table" w:styleId="{STYLE[DOCUMENT_TABLE]}">'
        f'<w:name w:val="{DOCUMENT_TABLE}"/><w:basedOn w:val="TableNormal"/><w:qFormat/>'
        f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders>"
        f"<w:tblCellMar>{cell_margins}</w:tblCellMar></w:tblPr></w:style>",
    ]


def _styles(document: DocxDocument) -> None:
    """Replace python-docx's 440 kB of Office styles with the few ours use: faster to open."""
    root = document.styles.element
    for old in root.findall("w:style", NAMESPACES):
        root.remove(old)
    for style in _fragment(
        "".join(_paragraph_style_xml(s) for s in PARAGRAPH_STYLES) + "".join(_other_styles_xml())
    ):
        root.append(style)
    rpr = root.find("w:docDefaults/w:rPrDefault/w:rPr", NAMESPACES)
    assert rpr is not None
    rpr.clear()
    # No East Asian font: Word and LibreOffice then choose one that has the glyphs (naming one,
    # as python-docx's theme does, gave LibreOffice empty boxes for Chinese names).
    for child in _fragment(
        f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>'
        '<w:sz w:val="21"/><w:szCs w:val="21"/>'
        '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'
    ):
        rpr.append(child)
    ppr = root.find("w:docDefaults/w:pPrDefault/w:pPr", NAMESPACES)
    assert ppr is not None
    ppr.clear()
    ppr.append(_fragment('<w:spacing w:after="0" w:line="264" w:lineRule="auto"/>')[0])


def _fragment(xml: str) -> list[etree._Element]:
    root = parse_xml(f"<w:root {_NSDECLS}>{xml}</w:root>")
    etree.cleanup_namespaces(root)  # declare only what is used, once, on the part's root
    return list(root)


def _run(text: str, props: str = "") -> str:
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _paragraph(style: str, *runs: str) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{"".join(runs)}</w:p>'


def _field(instruction: str) -> str:
    """A complex field (PAGE, NUMPAGES) as Word writes it, with "1" as its cached result."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


# Word's own watermark: a VML text path behind the page, centred and turned 45 degrees.
# LibreOffice imports it as Fontwork. Only drawn when the document is a draft.
_WATERMARK = (
    "<w:r><w:rPr><w:noProof/></w:rPr><w:pict>"
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{eqn}"/>'
        for eqn in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
    '<v:shape id="DraftWatermark" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:460pt;height:150pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#B1B4B6" '
    'stroked="f"><v:fill opacity=".3"/>'
    f'<v:textpath style="font-family:&quot;{FONT}&quot;;font-size:1pt;font-weight:bold" '
    'string="DRAFT"/><w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>'
)

_HEADER = _paragraph(
    "Header",
    _run("{%r if doc.draft %}"),
    _WATERMARK,
    _run("{%r endif %}"),
    _run("{{ doc.marking }}", "<w:b/>"),
    "<w:r><w:tab/></w:r>",
    _run("{%r if doc.draft %}"),
    _run("DRAFT  ", f'<w:b/><w:color w:val="{RED}"/>'),
    _run("{%r endif %}"),
    _run("{{ doc.title }}", f'<w:color w:val="{GREY}"/>'),
)


def _footer_xml() -> str:
    """Marking, case and date, page X of Y: a borderless three-cell table, so a long marking
    wraps in its own column instead of running into the centre text (widths as the PDF's)."""
    widths = [round(TEXT_TWIPS * share) for share in (0.28, 0.50, 0.22)]
    widths[-1] = TEXT_TWIPS - sum(widths[:-1])
    cells = [
        _paragraph("Footer", _run("{{ doc.marking }}", f'<w:b/><w:color w:val="{INK}"/>')),
        '<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>'
        + _run("Case {{ doc.reference }} · Generated {{ doc.generated }}")
        + "</w:p>",
        '<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="right"/></w:pPr>'
        + _run("Page ")
        + _field("PAGE")
        + _run(" of ")
        + _field("NUMPAGES")
        + "</w:p>",
    ]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    row = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{cell}</w:tc>'
        for w, cell in zip(widths, cells, strict=True)
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{TEXT_TWIPS}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        '</w:tblCellMar><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid><w:tr>{row}</w:tr></w:tbl>"
        # A footer must end with a paragraph; keep it one point high.
        '<w:p><w:pPr><w:pStyle w:val="Footer"/><w:spacing w:line="20" w:lineRule="exact"/>'
        "</w:pPr></w:p>"
    )


# The body: the PDF's masthead, title, meta line and notice; then the sections (a subdocument
# built by docx.py); then the contact line. The wording follows templates/document.html.
_BODY = "".join(
    (
        _paragraph("Marking", _run("{{ doc.marking }}")),
        _paragraph(
            "Masthead",
            # Next to the 12 mm logo, the name is raised to its middle, as in the PDF.
            _run("{%r if logo %}"),
            _run("{{ doc.profile_name }}", '<w:position w:val="22"/>'),
            "<w:r><w:tab/></w:r>",
            _run("{{ logo }}"),
            _run("{%r else %}"),
            _run("{{ doc.profile_name }}"),
            _run("{%r endif %}"),
        ),
        _paragraph("Title", _run("{{ doc.title }}")),
        _paragraph(
            "Meta",
            _run(
                "Case reference {{ doc.reference }}"
                "{% if doc.family_name %} · {{ doc.family_name }} family{% endif %}"
                " · {{ doc.copy_name }}"
                " · {{ doc.status_label }}"
                " · Generated {{ doc.generated }}"
            ),
        ),
        _paragraph("Normal", _run("{%p if doc.notice %}")),
        _paragraph("Notice", _run("{{ doc.notice }}")),
        _paragraph("Normal", _run("{%p endif %}")),
        _paragraph("Normal", _run("{{p body }}")),
        _paragraph("Normal", _run("{%p if doc.contact %}")),
        _paragraph(
            "Contact",
            _run(
                "{% for label, value in doc.contact %}{{ label }}: {{ value }}"
                "{% if not loop.last %} · {% endif %}{% endfor %}"
            ),
        ),
        _paragraph("Normal", _run("{%p endif %}")),
    )
)


def _replace_children(element: etree._Element, xml: str, keep_last: bool = False) -> None:
    children = list(element)
    for child in children[:-1] if keep_last else children:
        element.remove(child)
    anchor = children[-1] if keep_last else None
    for child in _fragment(xml):
        if anchor is not None:
            anchor.addprevious(child)
        else:
            element.append(child)


def _page(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin = section.bottom_margin = MARGIN_Y
    section.left_margin = section.right_margin = MARGIN_X
    section.header_distance = section.footer_distance = HEADER_DISTANCE
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    _replace_children(section.header._element, _HEADER)
    _replace_children(section.footer._element, _footer_xml())
    _replace_children(document.element.body, _BODY, keep_last=True)  # keeps w:sectPr


_APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"><Application>ehdocs</Application>'
    b"<DocSecurity>0</DocSecurity></Properties>"
)
# Written out, not through python-docx's core_properties: importing docxtpl (docxcompose) rebinds
# python-docx's "cp" prefix to the custom-properties namespace, after which python-docx reads
# cp: properties as empty and writes new ones in the wrong namespace. docxtpl also renders these
# values as templates, so they stay our constants; docx.py sets the dc: ones after rendering.
_CORE_XML = (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title></dc:title><dc:subject></dc:subject><dc:creator></dc:creator>"
    "<cp:keywords></cp:keywords><dc:description></dc:description>"
    "<cp:lastModifiedBy></cp:lastModifiedBy><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-01-01T00:00:00Z</dcterms:modified>'
    "<dc:language>en-GB</dc:language></cp:coreProperties>"
)


def _package(document: DocxDocument) -> None:
    """Drop what python-docx's default carries and a document does not need, and its metadata."""
    part = document.part
    unwanted = ("/customXml", "/stylesWithEffects", "/numbering")
    for rid in [rid for rid, rel in part.rels.items() if rel.reltype.endswith(unwanted)]:
        part.rels.pop(rid)
    package_rels = part.package.rels
    for rid in [rid for rid, rel in package_rels.items() if rel.reltype == RT.THUMBNAIL]:
        package_rels.pop(rid)
    for candidate in part.package.iter_parts():
        if candidate.partname == "/docProps/app.xml":
            candidate._blob = _APP_XML
        elif candidate.partname == "/docProps/core.xml":
            candidate._element = parse_xml(_CORE_XML)
    settings = document.settings.element
    # No preview picture: Word would save page 1, names and all, as a thumbnail.
    for name in ("w:rsids", "w:proofState", "w:attachedTemplate", "w:savePreviewPicture"):
        for old in settings.findall(name, NAMESPACES):
            settings.remove(old)
    lang = settings.find("w:themeFontLang", NAMESPACES)
    if lang is not None:
        lang.set(f"{{{NAMESPACES['w']}}}val", "en-GB")


def build_template() -> bytes:
    """The template's bytes, the same on every run (fixed zip times and part order)."""
    document = Document()
    _package(document)
    _styles(document)
    _page(document)
    out = io.BytesIO()
    document.save(out)
    return _normalised_zip(out.getvalue())


def _normalised_zip(data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def template_parts(data: bytes) -> dict[str, bytes]:
    """A DOCX's parts by name: what the up-to-date test compares (not zip bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def main() -> None:
    TEMPLATE.write_bytes(build_template())
    sys.stdout.write(f"wrote {TEMPLATE}\n")


if __name__ == "__main__":
    main()

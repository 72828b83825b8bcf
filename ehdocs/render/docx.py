"""Document context to DOCX: the Word template filled by docxtpl, the sections built as XML.

The template (templates/docx/document.docx, or a council's own: render/template_files.py)
holds the page, header, footer, masthead and title with Jinja tags for the context's values;
the sections go in at `{{p body }}` as WordprocessingML built
with lxml, which escapes text itself. Every value passes one finalizer that strips XML-invalid
control characters and escapes it, so no user text is ever compiled as a template or breaks
the XML.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import cairosvg
import jinja2
from docx.image.image import Image
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from ehdocs.diagrams.fonts import svg_to_png
from ehdocs.errors import TemplateProblem
from ehdocs.render.docx_styles import (
    CELL_MARGIN_X,
    DOCUMENT_TABLE,
    LIGHT,
    NAMESPACES,
    STYLE,
    TEXT_TWIPS,
)
from ehdocs.render.figures import FIGURE_WIDTH_MM
from ehdocs.render.items import Answer, DocumentContext, Figure, Photo, SectionView, Table, clean
from ehdocs.render.template_files import DOCUMENT_DOCX, DOCX, Templates, current_undefined

W = NAMESPACES["w"]
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
LOGO_HEIGHT, LOGO_MAX_WIDTH = Mm(12), Mm(60)

# docxtpl rewrites "{_{", "}_}", "{_%" and "%_}" in its output into Jinja delimiters; a
# character reference for the "_" keeps a user's text exactly as typed.
_DOCXTPL_MARKER = re.compile(r"(?<=[{}%])_")


def render_docx(
    doc: DocumentContext, logo: Path | None = None, templates: Templates | None = None
) -> bytes:
    """One document as DOCX: the same words as its PDF, in Word's own styles."""
    templates = templates or Templates.defaults()
    template = DocxTemplate(io.BytesIO(templates.docx(DOCUMENT_DOCX)))
    body = SectionsXml(template)
    for section in doc.sections:
        body.section(section)
    image = logo_image(template, logo) if logo else None
    fill(template, {"doc": doc, "body": body, "logo": image}, templates.find(DOCX, DOCUMENT_DOCX))
    set_properties(template, doc)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


# A Word template's tags include nothing: `{% include %}` and `{% import %}` find no file.
NO_TEMPLATES = jinja2.DictLoader({})


class _TemplateEnvironment(SandboxedEnvironment):
    """Sandboxed, autoescaping, strict (a missing value fails instead of printing a blank).

    docxtpl compiles the template's parts on every render (~20 ms); they are constant XML (ours,
    or a council's, trusted for layout like ours), so each is compiled once. User text never
    reaches from_string: it is all values.
    """

    def __init__(self, undefined: type[jinja2.Undefined]) -> None:
        super().__init__(
            loader=NO_TEMPLATES,
            autoescape=True,
            undefined=undefined,
            finalize=_finalize,
        )
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            if len(self._compiled) >= 32:
                self._compiled.clear()
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]


@lru_cache(maxsize=4)
def environment(undefined: type[jinja2.Undefined] = jinja2.StrictUndefined) -> jinja2.Environment:
    return _TemplateEnvironment(undefined)


def fill(
    template: DocxTemplate,
    values: dict[str, Any],
    path: Path | None,
    env: jinja2.Environment | None = None,
) -> None:
    """docxtpl's render in a sandboxed environment (ours unless given); a template that cannot
    be used (a council's tag that is broken or reaches for what it may not) is a
    TemplateProblem naming its file."""
    try:
        template.render(values, jinja_env=env or environment(current_undefined()))
    except jinja2.TemplateSyntaxError as error:
        raise TemplateProblem(f"{path}: a tag Word split or mistyped: {error.message}") from None
    except jinja2.TemplateNotFound as error:
        raise TemplateProblem(f"{path}: a Word template cannot include '{error.name}'") from None
    except jinja2.TemplateError as error:
        raise TemplateProblem(f"{path}: {error}") from None


def _finalize(value: Any) -> Markup:
    """Every value the template prints: our own XML as is, anything else cleaned and escaped."""
    if isinstance(value, SectionsXml | InlineImage):
        xml = str(value.__html__())
    else:
        xml = str(escape(clean(str(value))))
    return Markup(_DOCXTPL_MARKER.sub("&#95;", xml))


class SectionsXml:
    """The sections as WordprocessingML, for the template's `{{p body }}`.

    Built with lxml, which escapes text and refuses XML-invalid characters outright. (python-docx
    resolves a style by name on every paragraph, which took ~60 ms for one short document.)
    """

    def __init__(self, template: DocxTemplate) -> None:
        self.root = etree.Element(_w("body"), nsmap={"w": W})
        self.template = template
        self.figures: list[Figure | Photo] = []

    def __html__(self) -> str:
        xml = re.sub(r"</?w:body[^>]*>", "", etree.tostring(self.root, encoding="unicode"))
        # Pictures need the part being rendered, which docxtpl only has now: each figure's
        # placeholder run becomes the picture.
        # docxtpl's picture XML closes the text run it stands in and opens a new one, so it
        # replaces the placeholder text itself.
        for i, figure in enumerate(self.figures):
            xml = xml.replace(_PLACEHOLDER.format(i), _picture_xml(self.template, figure), 1)
        return xml

    def paragraph(self, style: str, text: str = "", parent: etree._Element | None = None) -> None:
        p = etree.SubElement(self.root if parent is None else parent, _w("p"))
        etree.SubElement(etree.SubElement(p, _w("pPr")), _w("pStyle"), {_w("val"): style})
        if text:
            _run(p, text)

    def section(self, section: SectionView) -> None:
        self.paragraph(STYLE["heading 1"], _text(section.title))
        if section.description:
            self.paragraph(STYLE["Description"], _text(section.description))
        for item in section.items:
            if isinstance(item, Figure | Photo):
                self.figure(item)
            elif isinstance(item, Table):
                # A table that is a heading of its own (each person's details) gets a Word
                # heading, so the navigation pane lists it.
                style = "heading 2" if item.heading else "Table Caption"
                self.paragraph(STYLE[style], _text(item.label))
                if item.layout == "details":
                    self.details(item)
                else:
                    self.grid(item)
            else:
                self.answer(item)

    def figure(self, figure: Figure | Photo) -> None:
        """The diagram (a PNG for print; its alternative text on the picture), then the table
        that says the same in words; or a picture kept with the case, with its caption."""
        self.paragraph(STYLE["Table Caption"], _text(figure.label))
        p = etree.SubElement(self.root, _w("p"))
        _run(p, _PLACEHOLDER.format(len(self.figures)))
        self.figures.append(figure)
        if isinstance(figure, Figure) and figure.table is not None and figure.table.columns:
            self.paragraph(STYLE["Table Caption"], _text(figure.table.label))
            self.grid(figure.table)

    def answer(self, answer: Answer) -> None:
        self.paragraph(STYLE["Question"], _text(answer.label))
        style = STYLE["Answer" if answer.recorded else "Not Recorded"]
        for text in _text(answer.text).split("\n\n"):  # as section.html splits it
            self.paragraph(style, text)

    def grid(self, table: Table) -> None:
        """One row per entry under a header row that repeats on every page; equal columns."""
        count = len(table.columns)
        if not count:  # every column hidden from this audience: Word allows no empty table
            return
        widths = [TEXT_TWIPS // count] * count
        widths[-1] += TEXT_TWIPS - sum(widths)
        tbl = self._table(table.label, widths)
        header = etree.SubElement(tbl, _w("tr"))
        row_props = etree.SubElement(header, _w("trPr"))
        etree.SubElement(row_props, _w("cantSplit"))
        etree.SubElement(row_props, _w("tblHeader"))
        for width, label in zip(widths, table.columns, strict=True):
            self.paragraph(STYLE["Table Heading"], _text(label), _cell(header, width, fill=LIGHT))
        for values in table.rows:
            tr = etree.SubElement(tbl, _w("tr"))
            for width, value in zip(widths, values, strict=True):
                text = _text(value)
                style = STYLE["Table Text" if text else "Table Empty"]
                self.paragraph(style, text or "–", _cell(tr, width))
        if not table.rows:
            cell = _cell(etree.SubElement(tbl, _w("tr")), TEXT_TWIPS, span=count)
            self.paragraph(STYLE["Table Empty"], "None recorded", cell)

    def details(self, table: Table) -> None:
        """Question and answer pairs, the question in bold (document.css: table.details)."""
        widths = [round(TEXT_TWIPS * 0.38)]
        widths.append(TEXT_TWIPS - widths[0])
        tbl = self._table(table.label, widths)
        for label, answer in table.rows:
            tr = etree.SubElement(tbl, _w("tr"))
            self.paragraph(STYLE["Table Heading"], _text(label), _cell(tr, widths[0]))
            self.paragraph(STYLE["Table Text"], _text(answer), _cell(tr, widths[1]))

    def _table(self, label: str, widths: list[int]) -> etree._Element:
        """A bordered table across the text width, titled with its label for screen readers."""
        tbl = etree.SubElement(self.root, _w("tbl"))
        props = etree.SubElement(tbl, _w("tblPr"))  # children in the schema's order
        etree.SubElement(props, _w("tblStyle"), {_w("val"): STYLE[DOCUMENT_TABLE]})
        etree.SubElement(props, _w("tblW"), {_w("w"): str(TEXT_TWIPS), _w("type"): "dxa"})
        # Word 2010 layout (the template's compatibility mode) puts the cell text, not the
        # border, at the indent: indent by the cell margin to put the border on the margin.
        etree.SubElement(props, _w("tblInd"), {_w("w"): str(CELL_MARGIN_X), _w("type"): "dxa"})
        etree.SubElement(props, _w("tblLayout"), {_w("type"): "fixed"})
        etree.SubElement(props, _w("tblCaption"), {_w("val"): _text(label)})
        grid = etree.SubElement(tbl, _w("tblGrid"))
        for width in widths:
            etree.SubElement(grid, _w("gridCol"), {_w("w"): str(width)})
        return tbl


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _run(p: etree._Element, text: str) -> None:
    """One run; a newline becomes a line break and a tab a tab, as in the PDF (pre-wrap)."""
    run = etree.SubElement(p, _w("r"))
    for n, line in enumerate(text.split("\n")):
        if n:
            etree.SubElement(run, _w("br"))
        for m, piece in enumerate(line.split("\t")):
            if m:
                etree.SubElement(run, _w("tab"))
            if piece:
                t = etree.SubElement(run, _w("t"), {XML_SPACE: "preserve"})
                t.text = piece


def _cell(tr: etree._Element, width: int, fill: str | None = None, span: int = 1) -> etree._Element:
    tc = etree.SubElement(tr, _w("tc"))
    props = etree.SubElement(tc, _w("tcPr"))  # children in the schema's order
    etree.SubElement(props, _w("tcW"), {_w("w"): str(width), _w("type"): "dxa"})
    if span > 1:
        etree.SubElement(props, _w("gridSpan"), {_w("val"): str(span)})
    if fill:
        etree.SubElement(
            props, _w("shd"), {_w("val"): "clear", _w("color"): "auto", _w("fill"): fill}
        )
    return tc


def _text(value: str) -> str:
    # One break per Windows line end; and strip control characters again, whatever the context
    # promised (lxml would refuse them).
    return clean(value).replace("\r\n", "\n").replace("\r", "\n")


_PLACEHOLDER = "EHDOCS-FIGURE-{}-PLACEHOLDER"
FIGURE_WIDTH = Mm(FIGURE_WIDTH_MM)  # the text width of an A4 page with our margins
FIGURE_DPI = 200


def _picture_xml(template: DocxTemplate, figure: Figure | Photo) -> str:
    if isinstance(figure, Photo):  # at most the text width, and at most 120 mm tall
        width, height = _size(figure.data)
        scale = min(FIGURE_WIDTH / width, PHOTO_HEIGHT / height)
        image = InlineImage(template, io.BytesIO(figure.data), width=int(width * scale))
    else:
        image = InlineImage(template, io.BytesIO(_figure_png(figure.svg)), width=FIGURE_WIDTH)
    xml = str(image)
    # python-docx names the picture but gives no description: Word reads `descr` aloud.
    alt = str(escape(clean(figure.alt))).replace('"', "&quot;")
    return re.sub(r"(<wp:docPr\b[^>]*?)(/?>)", rf'\1 descr="{alt}"\2', xml, count=1)


PHOTO_HEIGHT = Mm(120)


def _size(data: bytes) -> tuple[int, int]:
    image = Image.from_blob(data)
    return image.px_width, image.px_height


@lru_cache(maxsize=32)
def _figure_png(svg: str) -> bytes:
    """The diagram rasterised to stay crisp in print: FIGURE_DPI across the text width."""
    width_px = round(FIGURE_WIDTH.inches * FIGURE_DPI)
    return svg_to_png(svg, width_px)


def logo_image(template: DocxTemplate, logo: Path) -> InlineImage:
    png, width, height = _logo_png(logo, logo.stat().st_mtime_ns)
    if width * LOGO_HEIGHT > height * LOGO_MAX_WIDTH:
        return InlineImage(template, io.BytesIO(png), width=LOGO_MAX_WIDTH)
    return InlineImage(template, io.BytesIO(png), height=LOGO_HEIGHT)


@lru_cache(maxsize=8)
def _logo_png(path: Path, mtime_ns: int) -> tuple[bytes, int, int]:
    """Word cannot show SVG without a PNG fallback: rasterise it once, at print resolution.

    cairosvg's default (not `unsafe`) fetches nothing but data: URLs.
    """
    data = path.read_bytes()
    if path.suffix.lower() == ".svg":
        data = cairosvg.svg2png(bytestring=data, output_height=round(LOGO_HEIGHT.inches * 300))
    image = Image.from_blob(data)
    return data, image.px_width, image.px_height


def set_properties(template: DocxTemplate, doc: DocumentContext) -> None:
    """Metadata, set after rendering (docxtpl renders core properties as templates)."""
    # Only dc: and dcterms: properties: python-docx's cp: ones break once docxtpl is imported
    # (docxtpl's docxcompose rebinds python-docx's "cp" prefix).
    props = template.docx.core_properties
    props.title = clean(doc.pdf_title)  # never a person's name
    props.author = clean(doc.profile_name)
    props.language = doc.lang
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for drawing in template.docx.element.body.iter(qn("wp:docPr")):
        if drawing.get("descr"):
            continue  # a diagram, described when it was placed
        drawing.set("name", "Logo")
        drawing.set("descr", clean(f"{doc.profile_name} logo"))


__all__ = ["SectionsXml", "fill", "logo_image", "render_docx", "set_properties"]

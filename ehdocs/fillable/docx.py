"""Blank fillable DOCX: Word content controls tagged with the same field names as the PDF.

The page, header, footer and styles are the documents' DOCX template (templates/docx/document.docx,
or the council's own);
the questions go in as WordprocessingML built with lxml. Each answer is a content control
(w:sdt) whose w:tag is its field name and whose title (w:alias) is the question:

- text and long text: plain text controls (long text allows line breaks);
- dates: date pickers (DD/MM/YYYY); partial dates, numbers and names: plain text;
- choices and scales: drop-down lists;
- yes/no and multiple choice: one checkbox (w14:checkbox) per option, tagged
  `name__option` (`safety__significant_harm__yes`).

The form's identity (id, version, field map digest) is in the document's custom properties
(docProps/custom.xml), which Word and LibreOffice keep when a file is saved.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import jinja2
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree
from markupsafe import Markup, escape

from ehdocs.fillable.fieldmap import FieldEntry
from ehdocs.fillable.formats import PLACEHOLDERS, PROPERTIES, UNCHECKED, W14, W, identity
from ehdocs.fillable.view import BlankForm, Group, Question, Section, blank_view
from ehdocs.render.docx import NO_TEMPLATES, fill, logo_image
from ehdocs.render.docx_styles import STYLE
from ehdocs.render.html import repeats
from ehdocs.render.items import clean
from ehdocs.render.template_files import DOCUMENT_DOCX, DOCX, Templates, current_undefined
from ehdocs.schema.model import FormSet

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
CHECKBOX_FONT = "MS Gothic"
PLACEHOLDER_COLOUR = "6F777B"
GREY = "505A5F"
_DOCXTPL_MARKER = re.compile(r"(?<=[{}%])_")


def blank_docx(formset: FormSet, form_name: str, today: dt.date | None = None) -> bytes:
    """A document's blank form as DOCX content controls, for partners who work in Word."""
    view = blank_view(formset, form_name, "docx", today)
    profile = formset.profile
    templates = Templates.of(profile)
    template = DocxTemplate(io.BytesIO(templates.docx(DOCUMENT_DOCX)))
    body = _Body()
    body.intro(view)
    for section in view.sections:
        body.section(section)
    logo = None
    if profile.logo is not None:
        logo = logo_image(template, profile.logo)
    values = {"doc": _Heading(view), "body": body, "logo": logo}
    fill(template, values, templates.find(DOCX, DOCUMENT_DOCX), _environment(current_undefined()))
    _properties(template, view, view_identity(view, profile.slug))
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


class _Heading:
    """What the documents' template prints around the body, for a blank form."""

    def __init__(self, view: BlankForm) -> None:
        self.title = view.title
        self.marking = view.marking
        self.profile_name = view.profile_name
        self.reference = "(new)"
        self.family_name = None
        self.copy_name = "Blank form"
        self.status_label = f"Form {view.form}, version {view.version}"
        self.generated = view.generated
        self.notice = view.notice
        self.contact = view.contact
        self.draft = False
        self.lang = view.lang


def _environment(undefined: type[jinja2.Undefined]) -> jinja2.Environment:
    return SandboxedEnvironment(
        loader=NO_TEMPLATES, autoescape=True, undefined=undefined, finalize=_finalize
    )


def _finalize(value: Any) -> Markup:
    if isinstance(value, _Body):
        return Markup(value.xml())
    if hasattr(value, "__html__"):  # the logo picture (docxtpl's InlineImage)
        return Markup(str(value.__html__()))
    # docxtpl turns "{_{" and the like in its output into Jinja delimiters: escape the "_".
    return Markup(_DOCXTPL_MARKER.sub("&#95;", str(escape(clean(str(value))))))


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _w14(tag: str) -> str:
    return f"{{{W14}}}{tag}"


class _Body:
    """The questions as WordprocessingML, for the template's `{{p body }}`."""

    def __init__(self) -> None:
        self.root = etree.Element(_w("body"), nsmap={"w": W, "w14": W14})
        self.next_id = 1000

    def xml(self) -> str:
        text = etree.tostring(self.root, encoding="unicode")
        start, end = text.index(">") + 1, text.rindex("</")
        return text[start:end]

    def paragraph(self, style: str, text: str = "") -> etree._Element:
        p = etree.SubElement(self.root, _w("p"))
        etree.SubElement(etree.SubElement(p, _w("pPr")), _w("pStyle"), {_w("val"): STYLE[style]})
        if text:
            _run(p, text)
        return p

    def intro(self, view: BlankForm) -> None:
        self.paragraph("Description", view.intro)
        if view.names_note:
            self.paragraph("Description", view.names_note)

    def section(self, section: Section) -> None:
        self.paragraph("heading 1", section.title)
        if section.description:
            self.paragraph("Description", section.description)
        for i, item in enumerate(section.items):
            if isinstance(item, Group):
                # A first table that says what the section's title says is not headed again.
                self.group(item, heading=not (i == 0 and repeats(item.label, section.title)))
            else:
                # A question's label stays, even under a title that says the same: a Word
                # form that lost its tags is read back by its questions' labels.
                self.question(item)

    def group(self, group: Group, heading: bool = True) -> None:
        if heading:
            self.paragraph("heading 2", group.label)
        if group.hint:
            self.paragraph("Description", group.hint)
        self.paragraph(
            "Description", f"There is room for {len(group.rows)} here. {group.more_rows}"
        )
        for row in group.rows:
            self.paragraph("Table Caption", row.title)
            for question in row.questions:
                self.question(question)

    def question(self, q: Question) -> None:
        p = self.paragraph("Question", q.label)
        if q.optional:
            _run(p, " (optional)", colour=GREY, bold=False)
        for extra in (q.note, q.hint):
            if extra:
                self.paragraph("Description", extra)
        if q.kind == "checkboxes" or (q.kind == "radio"):
            for entry, choice in zip(q.entries, q.choices, strict=True):
                p = self.paragraph("Answer")
                self.checkbox(p, entry)
                _run(p, f" {choice.label}")
            return
        p = self.paragraph("Answer")
        self.control(p, q)

    def _sdt(self, p: etree._Element, entry: FieldEntry, placeholder: bool) -> etree._Element:
        sdt = etree.SubElement(p, _w("sdt"))
        props = etree.SubElement(sdt, _w("sdtPr"))  # children in the schema's order
        etree.SubElement(props, _w("alias"), {_w("val"): clean(entry.label)[:250]})
        etree.SubElement(props, _w("tag"), {_w("val"): entry.name})
        etree.SubElement(props, _w("id"), {_w("val"): str(self.next_id)})
        self.next_id += 1
        if placeholder:
            etree.SubElement(props, _w("showingPlcHdr"))
        return sdt

    def control(self, p: etree._Element, q: Question) -> None:
        entry = q.entries[0]
        sdt = self._sdt(p, entry, placeholder=True)
        props = sdt[0]
        if q.kind == "date":
            date = etree.SubElement(props, _w("date"))
            etree.SubElement(date, _w("dateFormat"), {_w("val"): "dd/MM/yyyy"})
            etree.SubElement(date, _w("lid"), {_w("val"): "en-GB"})
            etree.SubElement(date, _w("storeMappedDataAs"), {_w("val"): "dateTime"})
            etree.SubElement(date, _w("calendar"), {_w("val"): "gregorian"})
        elif q.kind == "select":
            items = etree.SubElement(props, _w("dropDownList"))
            for choice in entry.choices:
                etree.SubElement(
                    items,
                    _w("listItem"),
                    {_w("displayText"): clean(choice.label), _w("value"): choice.state},
                )
        else:
            attrs = {_w("multiLine"): "1"} if q.kind == "multiline" else {}
            etree.SubElement(props, _w("text"), attrs)
        content = etree.SubElement(sdt, _w("sdtContent"))
        _run(
            content,
            PLACEHOLDERS[q.kind if q.kind in PLACEHOLDERS else "text"],
            colour=PLACEHOLDER_COLOUR,
        )

    def checkbox(self, p: etree._Element, entry: FieldEntry) -> None:
        sdt = self._sdt(p, entry, placeholder=False)
        box = etree.SubElement(sdt[0], _w14("checkbox"))
        etree.SubElement(box, _w14("checked"), {_w14("val"): "0"})
        etree.SubElement(
            box, _w14("checkedState"), {_w14("val"): "2612", _w14("font"): CHECKBOX_FONT}
        )
        etree.SubElement(
            box, _w14("uncheckedState"), {_w14("val"): "2610", _w14("font"): CHECKBOX_FONT}
        )
        content = etree.SubElement(sdt, _w("sdtContent"))
        run = etree.SubElement(content, _w("r"))
        props = etree.SubElement(run, _w("rPr"))
        etree.SubElement(
            props,
            _w("rFonts"),
            {
                _w("ascii"): CHECKBOX_FONT,
                _w("eastAsia"): CHECKBOX_FONT,
                _w("hAnsi"): CHECKBOX_FONT,
                _w("hint"): "eastAsia",
            },
        )
        etree.SubElement(run, _w("t")).text = UNCHECKED


def _run(
    parent: etree._Element, text: str, colour: str | None = None, bold: bool | None = None
) -> None:
    run = etree.SubElement(parent, _w("r"))
    if colour or bold is not None:
        props = etree.SubElement(run, _w("rPr"))  # children in the schema's order
        if bold is not None:
            etree.SubElement(props, _w("b"), {_w("val"): "1" if bold else "0"})
        if colour:
            etree.SubElement(props, _w("color"), {_w("val"): colour})
    for n, line in enumerate(clean(text).split("\n")):
        if n:
            etree.SubElement(run, _w("br"))
        t = etree.SubElement(run, _w("t"), {XML_SPACE: "preserve"})
        t.text = line


def view_identity(view: BlankForm, profile: str) -> dict[str, Any]:
    return identity(view.form, view.version, view.title, profile, "docx", view.fields.digest)


def _properties(template: DocxTemplate, view: BlankForm, ident: dict[str, Any]) -> None:
    document = template.docx
    props = document.core_properties
    props.title = clean(view.pdf_title)
    props.author = clean(view.profile_name)
    props.language = view.lang
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for pid, (key, name) in enumerate(PROPERTIES.items(), start=2):
        prop = etree.SubElement(
            root,
            f"{{{CUSTOM_NS}}}property",
            {"fmtid": PROPERTY_FMTID, "pid": str(pid), "name": name},
        )
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = str(ident[key] or "")
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = document.part.package
    part = Part(PackURI("/docProps/custom.xml"), CONTENT_TYPE.OFC_CUSTOM_PROPERTIES, blob, package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)

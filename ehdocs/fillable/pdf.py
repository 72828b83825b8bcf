"""Blank fillable PDFs: the form's HTML through WeasyPrint (tagged, PDF/UA-1), then finished.

WeasyPrint 70's AcroForm output needs repair before viewers and readers treat it well (see
STACK-NOTES.md). `finish` makes every fix in one pass, with pikepdf (pypdf takes ~1.5 s just to
copy a 17-page tagged form, pikepdf 0.2 s):

- radio buttons: the kids lose their own /T (and /TU, /FT) and leave /Fields, so a group is one
  field; their states become the option values (`/yes`, `/no`) instead of indexes into /Opt,
  and the group's /TU is the question (WeasyPrint gives it the first option's label);
- checkboxes: the on-state is `/Yes` (Acrobat's convention) instead of `/on`;
- on-state appearances drawn inside the box (WeasyPrint's fill the box, ring and border too):
  a dot in a radio's ring, a tick in a checkbox; every button has an explicit, empty `/Off`;
- every field's accessible name (/TU) comes from the field map; each radio button's structure
  element says its option (/Alt);
- drop-downs list their labels (the export value is the text shown);
- widget rectangles are normalised; each page's content is wrapped in `q … Q`, as it starts with
  an unbalanced y-flip;
- text and choice fields are written in the field font (ehdocs.fillable.fieldfont: the house
  font with the scripts families' names are written in), embedded whole in /DR; a long answer's
  text shrinks to fit its box (/DA size 0), one-line answers are 10 pt; answers the schema
  limits have that /MaxLen. No JavaScript: dates are explained by their hint;
- text and choice fields get appearance streams, and NeedAppearances is turned off. They are
  empty, so they are written directly (`/Tx BMC EMC`, as Acrobat writes them): pypdf's
  generator (`update_page_form_field_values`) parses the whole font's ToUnicode map for every
  field, ~80 ms each, ~9 s for a form;
- the form's identity (id, version, field map digest) goes in the document information
  dictionary; the embedded `ehdocs-form.json` carries it too.

Every field in the map must come out exactly once, and nothing else: a template bug fails here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String
from weasyprint import HTML, Attachment

from ehdocs.fillable.fieldfont import add_field_font
from ehdocs.fillable.fieldmap import FieldEntry, FieldMap
from ehdocs.fillable.formats import CHECKBOX_ON, EMBEDDED_NAME, INFO_KEYS, identity
from ehdocs.fillable.view import BlankForm, Group, Row, blank_view
from ehdocs.render.assets import AssetFetcher
from ehdocs.render.html import render_template
from ehdocs.render.template_files import Templates
from ehdocs.schema.model import FormSet

RADIO_FLAG = 1 << 15
NO_TOGGLE_TO_OFF = 1 << 14
LINE_PT = 10  # a one-line answer's text size; a long answer's shrinks to fit (0)
TEXT_COLOUR = "0.043 0.047 0.047 rg"  # GOV.UK's text colour, as on the page


def view_identity(view: BlankForm, profile: str) -> dict[str, Any]:
    return identity(
        view.form, view.version, view.title, profile, view.fields.format, view.fields.digest
    )


def blank_html(formset: FormSet, view: BlankForm) -> str:
    profile = formset.profile
    return render_template(
        "fillable.html", Templates.of(profile), form=view, logo=profile.logo is not None
    )


def blank_pdf(formset: FormSet, form_name: str) -> bytes:
    """A document's blank fillable PDF: tagged, every field named by its schema path."""
    view = blank_view(formset, form_name, "pdf")
    profile = formset.profile
    templates = Templates.of(profile)
    html = blank_html(formset, view)
    ident = view_identity(view, profile.slug)
    attachment = Attachment(  # single-use in WeasyPrint: a new one for every render
        string=json.dumps(ident, ensure_ascii=False, indent=1),
        name=EMBEDDED_NAME,
        description="Which ehdocs form this is (form, version, field map digest)",
        relationship="Data",
    )
    document = HTML(
        string=html, url_fetcher=AssetFetcher(profile.logo, templates), base_url="asset:/"
    )
    raw: bytes = document.write_pdf(
        pdf_variant="pdf/ua-1", pdf_forms=True, attachments=[attachment]
    )
    return finish(raw, view.fields, ident, _limits(view))


def _limits(view: BlankForm) -> dict[str, int]:
    """Field name -> the most characters its answer may have, where the schema limits it."""
    found: dict[str, int] = {}
    for section in view.sections:
        for item in section.items:
            rows = item.rows if isinstance(item, Group) else (Row("", (item,)),)
            for q in (q for row in rows for q in row.questions):
                if q.max_length is not None and q.kind in ("text", "multiline"):
                    found[q.name] = q.max_length
    return found


def finish(
    pdf: bytes, fmap: FieldMap, ident: dict[str, Any], limits: Mapping[str, int] | None = None
) -> bytes:
    doc = Pdf.open(io.BytesIO(pdf))
    acro = doc.Root.AcroForm
    font = add_field_font(doc)
    limits = limits or {}
    struct = _struct_parents(doc)
    seen: set[str] = set()
    top_level: list[pikepdf.Object] = []
    for widget in _widgets(doc):
        _normalise_rect(widget)
        if "/Parent" in widget:  # a radio button: the group is the field
            group = widget.Parent
            entry = _entry(fmap, group)
            if entry.name not in seen:
                seen.add(entry.name)
                top_level.append(group)
                _finish_radio_group(group, entry)
            _finish_radio_kid(doc, widget, group, entry, struct)
            continue
        entry = _entry(fmap, widget)
        if entry.name in seen:
            raise AssertionError(f"field {entry.name} appears twice in the blank form")
        seen.add(entry.name)
        top_level.append(widget)
        widget.TU = String(entry.label)
        if entry.widget == "checkbox":
            _finish_checkbox(doc, widget)
        else:
            if entry.widget == "select":
                _finish_select(widget, entry)
            size = 0 if entry.widget == "multiline" else LINE_PT
            widget.DA = String(f"{font} {size} Tf {TEXT_COLOUR}")
            if entry.name in limits and entry.widget != "select":
                widget.MaxLen = limits[entry.name]
            _empty_text_appearance(doc, widget)
    missing = [e.name for e in fmap if e.name not in seen]
    if missing:
        raise AssertionError(f"fields missing from the blank form: {missing[:5]}")
    acro.Fields = Array(top_level)
    acro.DA = String(f"{font} {LINE_PT} Tf {TEXT_COLOUR}")
    acro.NeedAppearances = False
    for page in doc.pages:
        # WeasyPrint's page content starts with a y-flip it never undoes.
        page.contents_add(doc.make_stream(b"q\n"), prepend=True)
        page.contents_add(doc.make_stream(b"\nQ\n"))
    for key, name in INFO_KEYS.items():
        doc.docinfo[Name(name)] = String(str(ident[key]))
    out = io.BytesIO()
    doc.save(out, deterministic_id=True)
    return out.getvalue()


def _widgets(doc: Pdf) -> Iterator[pikepdf.Object]:
    for page in doc.pages:
        for annot in page.obj.get("/Annots", Array()):
            if annot.get("/Subtype") == Name.Widget:
                yield annot


def _entry(fmap: FieldMap, field: pikepdf.Object) -> FieldEntry:
    name = str(field.get("/T", ""))
    if name not in fmap:
        raise AssertionError(f"unexpected field {name!r} in the blank form")
    return fmap[name]


def _normalise_rect(widget: pikepdf.Object) -> None:
    x1, y1, x2, y2 = (float(v) for v in widget.Rect)
    widget.Rect = Array([round(v, 3) for v in (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))])


def _form_xobject(doc: Pdf, widget: pikepdf.Object, content: bytes) -> pikepdf.Stream:
    x1, y1, x2, y2 = (float(v) for v in widget.Rect)
    return doc.make_stream(
        content,
        Type=Name.XObject,
        Subtype=Name.Form,
        BBox=Array([0, 0, round(x2 - x1, 3), round(y2 - y1, 3)]),
    )


def _rename_state(doc: Pdf, widget: pikepdf.Object, old: str, new: str) -> None:
    renamed = Dictionary()
    for key, value in widget.AP.N.items():
        renamed[f"/{new}" if key == f"/{old}" else key] = value
    renamed.Off = _form_xobject(doc, widget, b"")  # an explicit, empty off appearance
    widget.AP = Dictionary(N=renamed)
    widget.AS = Name.Off


def _finish_checkbox(doc: Pdf, widget: pikepdf.Object) -> None:
    _rename_state(doc, widget, "on", CHECKBOX_ON)
    # WeasyPrint's tick overflows the box: a tick drawn inside it.
    widget.AP.N[f"/{CHECKBOX_ON}"] = _form_xobject(doc, widget, _tick(widget))
    widget.V = Name.Off


def _finish_radio_group(group: pikepdf.Object, entry: FieldEntry) -> None:
    group.TU = String(entry.label)
    group.V = Name.Off
    group.Ff = int(group.get("/Ff", 0)) | RADIO_FLAG | NO_TOGGLE_TO_OFF
    if "/Opt" in group:
        del group.Opt  # the state names are the export values


def _finish_radio_kid(
    doc: Pdf,
    widget: pikepdf.Object,
    group: pikepdf.Object,
    entry: FieldEntry,
    struct: dict[int, pikepdf.Object],
) -> None:
    index = next(i for i, kid in enumerate(group.Kids) if kid.objgen == widget.objgen)
    choice = entry.choices[index]
    for key in ("/T", "/TU", "/FT", "/V"):
        if key in widget:
            del widget[key]
    _rename_state(doc, widget, str(index), choice.state)
    # WeasyPrint's on-state fills the whole box, ring and all: a dot inside the ring reads
    # better (GOV.UK's radios), in every viewer that uses the appearance.
    widget.AP.N[f"/{choice.state}"] = _form_xobject(doc, widget, _dot(widget))
    element = struct.get(int(widget.get("/StructParent", -1)))
    if element is not None:  # what a screen reader says for this button
        element.Alt = String(f"{entry.label}: {choice.label}")


def _tick(widget: pikepdf.Object) -> bytes:
    x1, y1, x2, y2 = (float(v) for v in widget.Rect)
    w, h = x2 - x1, y2 - y1
    points = ((0.22, 0.52), (0.42, 0.28), (0.78, 0.76))
    path = " ".join(
        f"{w * px:.3f} {h * py:.3f} {'m' if i == 0 else 'l'}" for i, (px, py) in enumerate(points)
    )
    return f"q 0.043 0.047 0.047 RG {min(w, h) * 0.14:.3f} w 1 J 1 j {path} S Q".encode()


def _dot(widget: pikepdf.Object) -> bytes:
    """A filled circle, half the box across, at its centre (four Bézier quarter arcs)."""
    x1, y1, x2, y2 = (float(v) for v in widget.Rect)
    cx, cy = (x2 - x1) / 2, (y2 - y1) / 2
    r = min(cx, cy) * 0.5
    k = r * 0.5523  # the control-point distance for a quarter circle
    path = [
        f"{cx + r:.3f} {cy:.3f} m",
        f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c",
        f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c",
        f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c",
        f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c",
    ]
    return ("q 0.043 0.047 0.047 rg " + " ".join(path) + " f Q").encode()


def _empty_text_appearance(doc: Pdf, widget: pikepdf.Object) -> None:
    """The appearance of an empty text or choice field, as Acrobat writes it. (pypdf's
    generator parses the whole font's ToUnicode map for every field: ~80 ms each.)"""
    widget.AP = Dictionary(N=_form_xobject(doc, widget, b"/Tx BMC EMC"))


def _finish_select(widget: pikepdf.Object, entry: FieldEntry) -> None:
    widget.Opt = Array([String("")] + [String(c.state) for c in entry.choices])
    widget.V = String("")


def _struct_parents(doc: Pdf) -> dict[int, pikepdf.Object]:
    """StructParent key -> the /Form structure element of a widget."""
    tree = doc.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree:
        return {}
    nums = tree.ParentTree.get("/Nums", Array())
    found: dict[int, pikepdf.Object] = {}
    for i in range(0, len(nums) - 1, 2):
        if isinstance(nums[i + 1], Dictionary):
            found[int(nums[i])] = nums[i + 1]
    return found

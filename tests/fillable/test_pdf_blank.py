"""The blank PDF: real, well-formed, tagged AcroForm fields with every STACK-NOTES fix applied."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pikepdf
import pytest
from pypdf import PdfReader
from weasyprint import HTML

from ehdocs.fillable import field_map
from ehdocs.fillable.fieldmap import FieldMap
from ehdocs.fillable.formats import CHECKBOX_ON, EMBEDDED_NAME, INFO_KEYS
from ehdocs.render.assets import AssetFetcher
from ehdocs.schema import FormSet
from tests.fillable.conftest import FORMS

FIELD_TYPES = {
    "text": "/Tx",
    "multiline": "/Tx",
    "radio": "/Btn",
    "checkbox": "/Btn",
    "select": "/Ch",
}


@pytest.fixture(scope="module", params=[*FORMS, "fieldtypes"])
def case(request, formset, types_formset, blank_pdfs, types_pdf):  # type: ignore[no-untyped-def]
    """(field map, blank PDF) of each document and of the every-type form."""
    if request.param == "fieldtypes":
        return field_map(types_formset, "fieldtypes"), types_pdf
    return field_map(formset, request.param), blank_pdfs[request.param]


def test_pypdf_reads_every_field_and_nothing_else(case: tuple[FieldMap, bytes]) -> None:
    fmap, pdf = case
    fields = PdfReader(io.BytesIO(pdf)).get_fields()
    assert fields is not None
    assert set(fields) == set(fmap.by_name)  # no phantom radio kids, no button defect
    for name, found in fields.items():
        entry = fmap[name]
        assert found["/FT"] == FIELD_TYPES[entry.widget], name
        assert found["/TU"] == entry.label
        flags = int(found.get("/Ff", 0))
        assert bool(flags & (1 << 12)) == (entry.widget == "multiline"), name
        if entry.widget == "radio":
            assert flags & (1 << 15) and found["/V"] == "/Off"
        elif entry.widget == "checkbox":
            assert set(found["/_States_"]) == {f"/{CHECKBOX_ON}", "/Off"} and found["/V"] == "/Off"
        elif entry.widget == "select":
            assert flags & (1 << 17)  # a combo box (a drop-down)
            assert list(found["/Opt"]) == ["", *(c.state for c in entry.choices)]


def test_widgets_are_repaired(case: tuple[FieldMap, bytes]) -> None:
    fmap, pdf = case
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        acro = doc.Root.AcroForm
        assert acro.NeedAppearances is False
        top = {str(f.T) for f in acro.Fields}
        assert top == set(fmap.by_name)
        radio_states: dict[str, list[str]] = {}
        for page in doc.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != pikepdf.Name.Widget:
                    continue
                left, bottom, right, top_ = (float(v) for v in annot.Rect)
                assert x0 <= left < right <= x1 and y0 <= bottom < top_ <= y1
                assert "/N" in annot.AP  # an appearance for every widget
                assert "/StructParent" in annot
                if "/Parent" in annot:  # a radio button: a widget, not a field
                    assert "/T" not in annot and "/TU" not in annot
                    states = set(annot.AP.N.keys())
                    assert "/Off" in states and len(states) == 2
                    assert "/Opt" not in annot.Parent
                    on = (states - {"/Off"}).pop()
                    radio_states.setdefault(str(annot.Parent.T), []).append(on[1:])
                elif annot.get("/FT") == pikepdf.Name.Btn:
                    assert set(annot.AP.N.keys()) == {f"/{CHECKBOX_ON}", "/Off"}
            # WeasyPrint's page content is wrapped in a balanced q ... Q.
            contents = page.obj.Contents
            assert isinstance(contents, pikepdf.Array)
            assert contents[0].read_bytes().strip() == b"q"
            assert contents[-1].read_bytes().strip() == b"Q"
        # Radio states are the option values (or o0, o1… when a value is not a plain word).
        for name, states in radio_states.items():
            assert states == [c.state for c in fmap[name].choices], name


def test_tagged_pdf_ua(case: tuple[FieldMap, bytes]) -> None:
    _, pdf = case
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert "/StructTreeRoot" in doc.Root
        assert str(doc.Root.Lang) == "en-GB"
        assert doc.Root.MarkInfo.Marked is True
        with doc.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        # Each widget is a /Form structure element; radio buttons say which option they are.
        forms = [
            e for e in _struct_elements(doc.Root.StructTreeRoot) if e.get("/S") == pikepdf.Name.Form
        ]
        widgets = sum(
            1
            for page in doc.pages
            for a in page.obj.get("/Annots", [])
            if a.get("/Subtype") == pikepdf.Name.Widget
        )
        assert len(forms) == widgets
        for element in forms:
            widget = element.K[0].Obj
            if "/Parent" in widget:
                assert str(element.Alt).startswith(str(widget.Parent.TU) + ": ")


def _struct_elements(node: pikepdf.Object, depth: int = 0):  # type: ignore[no-untyped-def]
    if depth > 60:
        return
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != pikepdf.Name.OBJR:
            yield kid
            yield from _struct_elements(kid, depth + 1)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_check_passes(case: tuple[FieldMap, bytes], tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, pdf = case
    path = tmp_path / "blank.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No syntax or stream encoding errors found" in done.stdout


def test_identity_is_embedded(case: tuple[FieldMap, bytes]) -> None:
    fmap, pdf = case
    reader = PdfReader(io.BytesIO(pdf))
    assert list(reader.attachments) == [EMBEDDED_NAME]
    ident = json.loads(reader.attachments[EMBEDDED_NAME][0])
    assert ident["form"] == fmap.form and ident["version"] == fmap.version
    assert ident["digest"] == fmap.digest
    info = reader.metadata
    assert info is not None
    assert info[INFO_KEYS["digest"]] == fmap.digest
    assert info[INFO_KEYS["form"]] == fmap.form


def test_what_the_form_says(formset: FormSet, blank_pdfs: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(blank_pdfs["notification"]))
    pages = [page.extract_text() for page in reader.pages]
    first = pages[0]
    contact = formset.profile.contact
    for page in pages:  # the marking once on every page (test_blank_layout checks each form)
        assert page.count("OFFICIAL-SENSITIVE") == 1
    flat = re.sub(r"\s+", " ", first)
    assert "risk of significant harm" in flat
    assert contact["social_care_phone"] in flat and contact["out_of_hours_phone"] in flat
    everything = re.sub(r"\s+", " ", " ".join(pages))
    assert "DD/MM/YYYY" in everything
    assert contact["hub_email"] in everything
    assert "If you need more rows, attach another page" in everything
    assert "Checks made" not in everything  # the hub's own section is not on the form
    title = reader.metadata.title if reader.metadata else ""
    assert title == "Early Help Notification – blank form (version 1)"


def test_hidden_inputs_do_not_appear() -> None:
    """WeasyPrint's user-agent sheet shows hidden inputs as text fields; fillable.css hides
    them (the form templates make none, but a template edit must not add a stray field)."""
    html = (
        '<html lang="en-GB"><head><link rel="stylesheet" href="asset:fillable.css"></head>'
        '<body><form><input type="hidden" name="secret" value="x">'
        '<input type="text" name="shown"></form></body></html>'
    )
    pdf = HTML(string=html, url_fetcher=AssetFetcher(), base_url="asset:/").write_pdf(
        pdf_forms=True
    )
    assert set(PdfReader(io.BytesIO(pdf)).get_fields() or {}) == {"shown"}

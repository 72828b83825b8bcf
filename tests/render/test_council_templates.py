"""A council's own templates: file by file over ours, and no more trusted than ours.

The example-council profile overrides the DOCX template (its letterhead) and letterhead.html;
its documents and letters show the change and the default profile's do not. A council template
that reaches for a file, the network or Python gets nothing: the same sandboxed Jinja
environment, the same locked URL fetcher.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader

from ehdocs.errors import TemplateProblem
from ehdocs.fillable.docx import blank_docx
from ehdocs.fillable.pdf import blank_pdf
from ehdocs.render.letters import letter_context, letter_type, recipients, render_letter
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document
from ehdocs.render.template_files import DOCX, HTML, Templates
from ehdocs.schema import FormSet, load_formset
from ehdocs.validation import validate_case
from tests.factories import make_case, make_council_case
from tests.render.test_pdf import page_texts

REPO = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 23)
LETTERHEAD = "Family Help · Town Hall, Market Street, Eastbury EB1 1AA"
PASSWD = Path("/etc/passwd")


def rendered(
    case_raw: dict[str, Any], formset: FormSet, fmt: str, audience: str = "family"
) -> bytes:
    result = validate_case(case_raw, formset)
    assert result.case is not None, result.problems
    options = RenderOptions(audience=audience, fmt=fmt, today=TODAY)
    return render_document(result.case, result.case.documents[0], options)


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in open_docx(io.BytesIO(data)).paragraphs)


def pdf_text(data: bytes) -> str:
    return " ".join(page_texts(data))


# -- the example council's letterhead ----------------------------------------------------------


@pytest.mark.parametrize("audience", ["professional", "family"])
def test_the_example_council_documents_carry_its_letterhead(
    council_formset: FormSet, formset: FormSet, audience: str
) -> None:
    council = make_council_case()
    assert LETTERHEAD in pdf_text(rendered(council, council_formset, "pdf", audience))
    docx = rendered(council, council_formset, "docx", audience)
    assert LETTERHEAD in docx_text(docx)
    styles = {s.name for s in open_docx(io.BytesIO(docx)).styles}
    assert "Letterhead" in styles  # the council's own Word style came with its template
    # The default profile has no override: our templates, no letterhead line.
    assert LETTERHEAD not in pdf_text(rendered(make_case(), formset, "pdf", audience))
    assert LETTERHEAD not in docx_text(rendered(make_case(), formset, "docx", audience))


def test_the_council_overrides_file_by_file(council_formset: FormSet) -> None:
    templates = Templates.of(council_formset.profile)
    own = REPO / "form_schemas/profiles/example-council/templates"
    assert templates.find(HTML, "letterhead.html") == own / "html/letterhead.html"
    assert templates.find(DOCX, "document.docx") == own / "docx/document.docx"
    # Every other file is ours: the council's documents still have our sections and styles.
    assert templates.find(HTML, "section.html") == REPO / "templates/html/section.html"
    assert templates.find(HTML, "base.html") == REPO / "templates/html/base.html"
    assert templates.find(HTML, "document.css") == REPO / "templates/html/document.css"
    text = pdf_text(rendered(make_council_case(), council_formset, "pdf", "professional"))
    assert "Page 1 of" in text and "Request for Support" in text


def test_blank_forms_use_the_council_template_too(council_formset: FormSet) -> None:
    docx = blank_docx(council_formset, "notification", TODAY)
    assert LETTERHEAD in docx_text(docx)
    assert PdfReader(io.BytesIO(blank_pdf(council_formset, "notification"))).get_fields()


# -- a hostile council template gets nothing ---------------------------------------------------


@pytest.fixture
def council(tmp_path: Path) -> Any:
    """A profile folder of our own, and a way to plant a template in it."""
    folder = tmp_path / "hostile-council"
    (folder / "templates/html").mkdir(parents=True)
    (folder / "templates/docx").mkdir(parents=True)
    (folder / "profile.yaml").write_text("name: Hostile Council\n", encoding="utf-8")

    class Council:
        path = folder

        def html(self, name: str, text: str) -> None:
            (folder / "templates/html" / name).write_text(text, encoding="utf-8")

        def formset(self) -> FormSet:
            return load_formset(folder)

    return Council()


def case_for(formset: FormSet) -> dict[str, Any]:
    return make_case(profile=formset.profile.slug)


def with_body(extra: str) -> str:
    base = (REPO / "templates/html/base.html").read_text(encoding="utf-8")
    return base.replace("{% block content %}", extra + "{% block content %}")


@pytest.mark.parametrize(
    "planted",
    [
        "{% include '/etc/passwd' %}",
        "{% include '../../profile.yaml' %}",
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{% import '/etc/passwd' as p %}",
    ],
)
def test_a_council_html_template_cannot_reach_files_or_python(council: Any, planted: str) -> None:
    council.html("base.html", with_body(planted))
    formset = council.formset()
    with pytest.raises(TemplateProblem) as refused:
        rendered(case_for(formset), formset, "pdf")
    assert str(council.path / "templates/html/base.html") in str(refused.value)
    assert "root:" not in str(refused.value)


@pytest.mark.parametrize(
    "planted",
    [
        f'<img src="file://{PASSWD}" alt="x">',
        '<img src="http://127.0.0.1:9/tracker.png" alt="x">',
        f'<link rel="stylesheet" href="file://{PASSWD}">',
        f'<a rel="attachment" href="file://{PASSWD}">attached</a>',
        '<img src="asset:../../../../etc/passwd" alt="x">',
        f'<img src="asset:{PASSWD}" alt="x">',
    ],
)
def test_a_council_html_template_cannot_pull_in_files_or_the_network(
    council: Any, planted: str
) -> None:
    council.html("base.html", with_body(f"<p>Council text</p>{planted}"))
    formset = council.formset()
    pdf = rendered(case_for(formset), formset, "pdf")
    assert "Council text" in pdf_text(pdf)  # the council's template was used
    assert b"root:x:0:0" not in pdf
    with PdfReader(io.BytesIO(pdf)) as reader:
        assert list(reader.attachments) == ["ehdocs-case.json"]  # only our own


def test_a_template_linked_to_a_file_outside_is_not_read(council: Any) -> None:
    os.symlink(PASSWD, council.path / "templates/html/base.html")
    formset = council.formset()
    assert Templates.of(formset.profile).find(HTML, "base.html") == (
        REPO / "templates/html/base.html"
    )
    assert "root:" not in pdf_text(rendered(case_for(formset), formset, "pdf"))


def plant_docx(council: Any, tag: str) -> None:
    """The default Word template with one more paragraph holding `tag`."""
    source = REPO / "templates/docx/document.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w") as changed:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "word/document.xml":
                paragraph = f"<w:p><w:r><w:t>{tag}</w:t></w:r></w:p>"
                data = data.replace(b"<w:body>", b"<w:body>" + paragraph.encode())
            changed.writestr(info, data)
    (council.path / "templates/docx/document.docx").write_bytes(out.getvalue())


@pytest.mark.parametrize(
    "planted",
    [
        "{% include '/etc/passwd' %}",
        "{{ ''.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_a_council_docx_template_cannot_reach_files_or_python(council: Any, planted: str) -> None:
    plant_docx(council, planted.replace("'", "&apos;"))
    formset = council.formset()
    with pytest.raises(TemplateProblem) as refused:
        rendered(case_for(formset), formset, "docx")
    assert "document.docx" in str(refused.value)
    assert "root:" not in str(refused.value)


def test_a_council_docx_template_prints_its_own_text(council: Any) -> None:
    plant_docx(council, "Our own words for {{ doc.reference }}")
    formset = council.formset()
    assert "Our own words for EH-2026-0001" in docx_text(
        rendered(case_for(formset), formset, "docx")
    )


# -- letters follow the council's letterhead -----------------------------------------------------


def _letter(case_raw: dict[str, Any], formset: FormSet, kind: str, fmt: str) -> bytes:
    result = validate_case(case_raw, formset)
    assert result.case is not None, result.problems
    letter = letter_type(kind)
    to = recipients(result.case, letter)[0].id
    ctx = letter_context(result.case, letter, to, TODAY)
    return render_letter(result.case, ctx, fmt)


@pytest.mark.parametrize("kind", ["allocation", "request_received_referrer"])
def test_letters_carry_the_council_letterhead(
    council_formset: FormSet, formset: FormSet, kind: str
) -> None:
    """The council overrides its letterhead once (html/letterhead.html, docx/document.docx) and
    its letters show it, in PDF and in Word, with its own Word style; ours show none."""
    pdf = _letter(make_council_case(), council_formset, kind, "pdf")
    assert LETTERHEAD in pdf_text(pdf)
    docx = _letter(make_council_case(), council_formset, kind, "docx")
    document = open_docx(io.BytesIO(docx))
    (line,) = [p for p in document.paragraphs if LETTERHEAD in p.text]
    assert line.style is not None and line.style.name == "Letterhead"
    assert document.paragraphs[0].style.name == "Marking"  # the letter is still a letter
    assert "Dear " in docx_text(docx)
    assert LETTERHEAD not in pdf_text(_letter(make_case(), formset, kind, "pdf"))
    assert LETTERHEAD not in docx_text(_letter(make_case(), formset, kind, "docx"))


def test_a_picture_in_the_council_word_letterhead_comes_with_it(council: Any) -> None:
    """A logo pasted into the letterhead of the council's document.docx is in its letters."""
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 112, 60)).save(picture, format="PNG")
    own = open_docx(REPO / "form_schemas/profiles/example-council/templates/docx/document.docx")
    (line,) = [p for p in own.paragraphs if LETTERHEAD in p.text]
    line.add_run().add_picture(io.BytesIO(picture.getvalue()))
    own.save(council.path / "templates/docx/document.docx")
    formset = council.formset()
    docx = open_docx(io.BytesIO(_letter(case_for(formset), formset, "allocation", "docx")))
    (head,) = [p for p in docx.paragraphs if LETTERHEAD in p.text]
    (blip,) = head._p.iter(qn("a:blip"))
    assert docx.part.related_parts[blip.get(qn("r:embed"))].blob == picture.getvalue()

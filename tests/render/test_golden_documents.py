"""Every document reads and is built as before the templates moved: golden text and structure.

Each example case's documents, in the professional and the family copy, as PDF (each page's text
by pypdf, the bookmarks) and as DOCX (each paragraph with its style, tables cell by cell, the
header and footer), and each blank fillable form, are compared with tests/render/golden/, made
from the renderer before the templates left the package. The renderer's look may change on
purpose: then run `python -m tests.render.test_golden_documents` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from pypdf import PdfReader

from ehdocs.case.io import read_case_file
from ehdocs.fillable.docx import blank_docx
from ehdocs.fillable.pdf import blank_pdf
from ehdocs.render.options import RenderOptions
from ehdocs.render.outputs import render_document
from ehdocs.schema import FormSet, load_formset
from ehdocs.validation import validate_case

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.json"))
GOLDEN = Path(__file__).parent / "golden"
TODAY = dt.date(2026, 11, 23)
AUDIENCES = ("professional", "family")
AGE = re.compile(r"\(age \d+\)")


def pdf_digest(data: bytes) -> dict[str, Any]:
    """Each page's words (pypdf), and the bookmarks with their depth."""
    reader = PdfReader(io.BytesIO(data))

    def outline(items: list[Any], depth: int) -> Iterator[str]:
        for item in items:
            if isinstance(item, list):
                yield from outline(item, depth + 1)
            else:
                yield f"{'  ' * depth}{item.title}"

    return {
        "pages": [" ".join((page.extract_text() or "").split()) for page in reader.pages],
        "outline": list(outline(reader.outline, 0)),
    }


def _paragraph(p: Any) -> str:
    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    name = style.get(qn("w:val")) if style is not None else "-"
    pictures = len(list(p.iter(qn("w:drawing")))) + len(list(p.iter(qn("w:pict"))))
    text = "".join(t.text or "" for t in p.iter(qn("w:t")))
    return f"{name}: {text}" + (f" [{pictures} picture(s)]" if pictures else "")


def _row(tr: Any) -> str:
    """A table row on one line: its cells' paragraphs (` ¶ ` between), cells by ` | `."""
    cells = [" ¶ ".join(map(str, _blocks(tc))) for tc in tr.iterchildren(qn("w:tc"))]
    return " | ".join(cells)


def _blocks(element: Any) -> list[Any]:
    """Paragraphs as `style: text`; a table as its rows; a content control as its content."""
    out: list[Any] = []
    for child in element:
        if child.tag == qn("w:p"):
            out.append(_paragraph(child))
        elif child.tag == qn("w:tbl"):
            out.append({"table": [_row(tr) for tr in child.iterchildren(qn("w:tr"))]})
        elif child.tag == qn("w:sdt"):  # a fillable form's content control
            content = child.find(qn("w:sdtContent"))
            out.append({"control": _blocks(content) if content is not None else []})
    return out


def docx_digest(data: bytes) -> dict[str, Any]:
    document = open_docx(io.BytesIO(data))
    section = document.sections[0]
    return {
        "body": _blocks(document.element.body),
        "header": _blocks(section.header._element),
        "footer": _blocks(section.footer._element),
        "styles": sorted(s.style_id for s in document.styles if s.style_id),
    }


def _case(path: Path, formset: FormSet) -> Any:
    result = validate_case(read_case_file(path), formset)
    assert result.case is not None, result.problems
    return result.case


def documents(formset: FormSet) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, digest) of every document this test compares, in a fixed order."""
    for path in EXAMPLES:
        case = _case(path, formset)
        for doc in case.documents:
            for audience in AUDIENCES:
                for fmt, digest in (("pdf", pdf_digest), ("docx", docx_digest)):
                    options = RenderOptions(audience=audience, fmt=fmt, today=TODAY)
                    name = f"{path.stem}/{doc.id}-{audience}.{fmt}"
                    yield name, digest(render_document(case, doc, options))
    for form in formset.forms:
        yield f"blank/{form}.pdf", pdf_digest(blank_pdf(formset, form))
        yield f"blank/{form}.docx", docx_digest(blank_docx(formset, form, TODAY))


def golden_file(name: str) -> Path:
    return GOLDEN / (name.replace("/", "__") + ".json")


def _dump(digest: dict[str, Any]) -> str:
    # A person's age is counted to the day the test runs, not the documents' date.
    return AGE.sub("(age …)", json.dumps(digest, ensure_ascii=False, indent=1)) + "\n"


@pytest.mark.slow
def test_every_document_reads_as_its_golden_copy(formset: FormSet) -> None:
    seen = set()
    for name, digest in documents(formset):
        seen.add(golden_file(name).name)
        expected = golden_file(name).read_text(encoding="utf-8")
        assert _dump(digest) == expected, f"{name} differs from {golden_file(name)}"
    assert seen == {p.name for p in GOLDEN.glob("*.json")}, "a golden file has no document"


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.glob("*.json"):
        old.unlink()
    for name, digest in documents(load_formset()):
        golden_file(name).write_text(_dump(digest), encoding="utf-8")
        sys.stdout.write(f"wrote {golden_file(name).relative_to(REPO)}\n")


if __name__ == "__main__":
    main()

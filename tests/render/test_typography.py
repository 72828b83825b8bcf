"""Typography of the example cases' packs, read back page by page with poppler: no page ends
with a heading (a section's title, a table's caption) left alone at its foot, and a section's
title is not printed again by its first question or table right under it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from ehdocs.render.cache import PartCache
from ehdocs.render.pack import render_pack_pdf
from ehdocs.schema import FormSet
from ehdocs.schema.model import FieldDef
from ehdocs.validation import validate_case
from tests.render.test_pdf import TODAY

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASES = ("blended-family", "single-parent")
FOOTER = re.compile(r"Page \d+ of \d+")


@pytest.fixture(scope="module", params=CASES)
def pack(
    request: pytest.FixtureRequest, formset: FormSet, tmp_path_factory: pytest.TempPathFactory
) -> bytes:
    raw = json.loads((EXAMPLES / f"{request.param}.json").read_text(encoding="utf-8"))
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems[:3]
    cache = PartCache(tmp_path_factory.mktemp("cache"))
    return render_pack_pdf(result.case, "professional", cache, TODAY, workers=2)


def page_lines(pdf: bytes) -> list[list[str]]:
    """Each page's lines of body text (not the running header and footer), as poppler reads
    them in layout order."""
    out = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True
    ).stdout.decode()
    pages = []
    for page in out.split("\f"):
        lines = [" ".join(line.split()) for line in page.splitlines() if line.strip()]
        pages.append([line for line in lines[1:] if not FOOTER.search(line)])  # header first
    return [p for p in pages if p]


def headings(formset: FormSet) -> set[str]:
    """Section titles and the labels of tables (groups) in every document."""
    found: set[str] = set()

    def walk(fields: tuple[FieldDef, ...]) -> None:
        for field in fields:
            if field.fields:
                found.add(field.label)
                walk(field.fields)

    for form in formset.forms.values():
        for section in form.sections:
            found.add(section.title)
            walk(section.fields)
    return found


def test_no_page_ends_with_a_heading(pack: bytes, formset: FormSet) -> None:
    titles = headings(formset)
    ends = [(n + 1, lines[-1]) for n, lines in enumerate(page_lines(pack)) if lines[-1] in titles]
    assert ends == []


def test_a_section_title_is_not_repeated_by_its_first_label(pack: bytes, formset: FormSet) -> None:
    titles = {
        form.sections[i].title for form in formset.forms.values() for i in range(len(form.sections))
    }
    repeated = [
        (n + 1, line)
        for n, lines in enumerate(page_lines(pack))
        for line, after in zip(lines, lines[1:], strict=False)
        if line in titles and after.casefold() == line.casefold()
    ]
    assert repeated == []


def test_a_diagrams_caption_stays_with_its_picture(pack: bytes) -> None:
    """A figure's caption is printed under its picture: a page that starts with one has left
    its picture at the foot of the page before."""
    alone = [
        (n + 1, lines[0])
        for n, lines in enumerate(page_lines(pack))
        if re.match(r"Ecomap: ", lines[0])  # a part's caption
        or lines[:2] == ["Genogram", "The people in the genogram and how they are related"]
    ]
    assert alone == []


def test_a_parts_first_page_holds_more_than_its_head(pack: bytes) -> None:
    """A part's head (marking, council, title, case line) is followed on its page by what it
    heads: the genogram, 200 mm tall, once went to the next page and left the head alone."""
    alone = []
    for n, lines in enumerate(page_lines(pack)):
        heads = [i for i, line in enumerate(lines) if line.startswith("Case reference ")]
        if heads and len(lines) - heads[0] <= 2:  # the case line, and maybe its second line
            alone.append((n + 1, lines))
    assert alone == []


def test_the_contact_block_is_not_alone_on_a_page(pack: bytes) -> None:
    """The service's contact lines end a document under what comes before them, never as the
    only text of a page of their own."""
    alone = [
        (n + 1, lines)
        for n, lines in enumerate(page_lines(pack))
        if lines[0].startswith("Early help:")
    ]
    assert alone == []

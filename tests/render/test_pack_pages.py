"""A pack's pages are numbered as one: every footer says "Page n of N" with n the page a viewer
and the contents give, whatever page a (cached) part now starts on. Read back with poppler."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from ehdocs.render.cache import PartCache
from ehdocs.render.pack import render_pack_pdf
from ehdocs.render.sections import render_section_pdf
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.render.test_pdf import TODAY, page_texts

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blended-family.json"
FOOTER = re.compile(r"Page (\d+) of (\d+)")


def example(formset: FormSet, **changes: Any) -> Any:
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    raw.update(changes)
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems[:3]
    return result.case


@pytest.fixture(scope="module")
def pack(formset: FormSet, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    cache = PartCache(tmp_path_factory.mktemp("cache"))
    return render_pack_pdf(example(formset), "professional", cache, TODAY, workers=2)


def footers(pdf: bytes) -> list[list[tuple[int, int]]]:
    return [[(int(a), int(b)) for a, b in FOOTER.findall(text)] for text in page_texts(pdf)]


def test_every_page_carries_its_pack_page_number_once(pack: bytes) -> None:
    found = footers(pack)
    total = len(found)
    assert total > 8
    assert found == [[(n, total)] for n in range(1, total + 1)]


def test_the_contents_point_at_the_pages_the_footers_number(pack: bytes) -> None:
    texts = page_texts(pack)
    with pikepdf.open(io.BytesIO(pack)) as pdf, pdf.open_outline() as outline:
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        starts = {item.title: pages[item.destination[0].objgen] for item in outline.root}
    contents = texts[0]
    checked = 0
    for title, index in starts.items():
        if title == "Cover and contents":
            continue
        listed = re.search(re.escape(title) + r" (\d+)", contents)
        assert listed, title
        assert int(listed.group(1)) == index + 1
        assert f"Page {index + 1} of {len(texts)}" in texts[index]
        checked += 1
    assert checked >= 5


def test_numbers_follow_a_part_that_grows_while_others_come_from_the_cache(
    formset: FormSet, tmp_path: Path
) -> None:
    cache = PartCache(tmp_path / "cache")
    case = example(formset)
    before = render_pack_pdf(case, "professional", cache, TODAY, workers=1)
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for answers in raw["documents"][0]["data"].values():  # every answer of the first, longer
        for k, v in answers.items():
            if isinstance(v, str) and len(v) > 40:
                answers[k] = ((v + " ") * 12)[:480]
    grown = validate_case(raw, formset).case
    assert grown is not None
    cached = len(list((tmp_path / "cache").glob("*.pdf")))
    after = render_pack_pdf(grown, "professional", cache, TODAY, workers=1)
    assert len(footers(after)) > len(footers(before))  # the later parts start further on
    assert len(list((tmp_path / "cache").glob("*.pdf"))) <= cached + 3  # the rest reused
    for pdf in (before, after):
        found = footers(pdf)
        assert found == [[(n, len(found))] for n in range(1, len(found) + 1)]


def test_a_section_on_its_own_is_numbered_from_one(formset: FormSet) -> None:
    pdf = render_section_pdf(example(formset), "chronology", "professional", TODAY)
    assert pdf is not None
    found = footers(pdf)
    assert found == [[(n, len(found))] for n in range(1, len(found) + 1)]


def test_page_numbers_are_artifacts_outside_the_structure(pack: bytes) -> None:
    with pikepdf.open(io.BytesIO(pack)) as pdf:
        for page in pdf.pages:
            content = page.obj.Contents
            last = content[-1] if isinstance(content, pikepdf.Array) else content
            assert b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC" in last.read_bytes()


def test_poppler_reads_the_pack_without_complaint(pack: bytes) -> None:
    result = subprocess.run(["pdfinfo", "-"], input=pack, capture_output=True)
    assert result.returncode == 0 and not result.stderr


def test_the_number_is_in_the_footer_and_the_marking_once_at_top_and_foot(pack: bytes) -> None:
    """Poppler's text of each page's top and bottom strips (A4: 842 pt tall, 22 mm margins)."""
    total = len(page_texts(pack))
    for n in (1, 2, 5, total):
        top, foot = (
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), "-x", "0", "-y", str(y), "-W", "596",
                 "-H", "70", "-r", "72", "-", "-"],
                input=pack, capture_output=True, check=True,
            ).stdout.decode()
            for y in (0, 772)
        )  # fmt: skip
        assert f"Page {n} of {total}" in foot and "Page" not in top
        assert foot.count("OFFICIAL-SENSITIVE") == 1
    for text in page_texts(pack):
        assert text.count("OFFICIAL-SENSITIVE") == 2


def test_a_document_has_its_marking_once_at_the_top_and_once_at_the_foot(
    formset: FormSet,
) -> None:
    from ehdocs.render.options import RenderOptions
    from ehdocs.render.outputs import render_document

    case = example(formset)
    pdf = render_document(case, case.documents[0], RenderOptions("professional", "pdf", TODAY))
    texts = page_texts(pdf)
    assert len(texts) > 2
    for n, text in enumerate(texts, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2, n
        assert f"Page {n} of {len(texts)}" in text


def test_a_part_drawn_with_other_stylesheets_is_not_reused(
    formset: FormSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade that changes a stylesheet (as this one did: no page numbers in parts),
    parts cached before it would bring their old footers into new packs."""
    from ehdocs.render import parts

    cache = PartCache(tmp_path / "cache")
    html = "<html><head></head><body><p>Part</p></body></html>"
    parts.render_parts([html], None, cache, workers=1)
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 1
    monkeypatch.setattr(parts, "assets_digest", lambda templates=None: b"other stylesheets")
    parts.render_parts([html], None, cache, workers=1)
    assert len(list((tmp_path / "cache").glob("*.pdf"))) == 2

"""Packs: cover and contents, every document in process order, merged tags, cache, embedded data."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from ehdocs.render import parts as parts_module
from ehdocs.render.cache import PartCache
from ehdocs.render.pack import render_pack_pdf
from ehdocs.render.pdf import EMBEDDED_NAME
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case, make_closure_data, make_document, make_professional
from tests.render.test_pdf import TODAY, embedded_files, page_texts


def closed_case(formset: FormSet) -> Any:
    raw = make_case(
        professionals=[make_professional()],
        documents=[
            make_document("notification", make_case()["documents"][0]["data"], doc_id="n1"),
            make_document("closure", make_closure_data(), doc_id="x1"),
        ],
    )
    result = validate_case(raw, formset)
    assert result.case is not None, result.problems
    return result.case


@pytest.fixture(scope="module")
def packs(formset: FormSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    case = closed_case(formset)
    cache = PartCache(tmp_path_factory.mktemp("cache"))
    return {aud: render_pack_pdf(case, aud, cache, TODAY) for aud in ("professional", "family")}


def test_cover_contents_and_documents_in_process_order(packs: dict[str, bytes]) -> None:
    pages = page_texts(packs["professional"])
    cover = pages[0]
    for fact in (
        "Early help case pack",
        "EH-2026-0001",
        "Morgan",
        "Professional copy",
        "23 November 2026",
        "Jo Adeyemi, Family support worker, Early Help Service",
    ):
        assert fact in cover, fact
    notification = cover.index("Early Help Notification")
    closure = cover.index("Closure")
    assert notification < closure
    # The contents' page numbers are the pack's: each entry's page starts that document.
    with pikepdf.open(io.BytesIO(packs["professional"])) as pdf, pdf.open_outline() as outline:
        starts = {item.title: _page_index(pdf, item) for item in outline.root}
    for title, index in starts.items():
        if title != "Cover and contents":
            assert f"{title} {index + 1}" in cover, title


def _page_index(pdf: pikepdf.Pdf, item: pikepdf.OutlineItem) -> int:
    target = item.destination[0].objgen
    return next(i for i, page in enumerate(pdf.pages) if page.obj.objgen == target)


def test_family_pack_cover_has_no_family_name_or_lead(packs: dict[str, bytes]) -> None:
    cover = page_texts(packs["family"])[0]
    assert "Our family's early help" in cover and "Family copy" in cover
    assert "Morgan" not in cover and "Jo Adeyemi" not in cover


def test_marking_on_every_page_of_the_pack(packs: dict[str, bytes]) -> None:
    for pdf in packs.values():
        for text in page_texts(pdf):
            assert text.count("OFFICIAL-SENSITIVE") >= 2


def test_merged_pack_keeps_a_consistent_structure_tree(packs: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(packs["professional"])) as pdf:
        root = pdf.Root.StructTreeRoot
        assert str(pdf.Root.Lang) == "en-GB" and bool(pdf.Root.MarkInfo.Marked)
        document = root.K[0]
        assert document.S == "/Document"
        parts = list(document.K)
        # The cover, two documents, then the genogram, ecomap, chronology and scores.
        assert len(parts) == 7 and all(p.S == "/Part" for p in parts)
        nums = root.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        keys = [int(page.obj.StructParents) for page in pdf.pages]
        assert len(set(keys)) == len(keys) and int(root.ParentTreeNextKey) > max(keys)
        for page, key in zip(pdf.pages, keys, strict=True):
            for element in tree[key]:
                if isinstance(element, pikepdf.Dictionary) and "/Pg" in element:
                    assert element.Pg.objgen == page.obj.objgen


def test_bookmarks_nest_sections_under_each_document(packs: dict[str, bytes]) -> None:
    with pikepdf.open(io.BytesIO(packs["professional"])) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
        assert titles[0] == "Cover and contents"
        assert titles[1].startswith("Early Help Notification")
        notification = outline.root[1].children[0]
        assert "Safety check" in [c.title for c in notification.children]


def test_pack_carries_exactly_one_embedded_case(packs: dict[str, bytes]) -> None:
    for audience, pdf in packs.items():
        files = embedded_files(pdf)
        assert list(files) == [EMBEDDED_NAME]
        payload = json.loads(files[EMBEDDED_NAME])
        assert payload["audience"] == audience and payload["document"] is None
        assert [d["form"] for d in payload["case"]["documents"]] == ["notification", "closure"]


def test_unchanged_parts_come_from_the_cache(
    formset: FormSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = closed_case(formset)
    cache = PartCache(tmp_path / "cache")
    rendered: list[str] = []
    real = parts_module.html_to_pdf

    def counting(html: str, logo: Any, templates: Any = None) -> bytes:
        rendered.append(html)
        return real(html, logo, templates)

    monkeypatch.setattr(parts_module, "html_to_pdf", counting)
    render_pack_pdf(case, "professional", cache, TODAY, workers=1)
    first = len(rendered)
    assert first == 7  # two documents, four pack sections and the cover
    render_pack_pdf(case, "professional", cache, TODAY, workers=1)
    assert len(rendered) == first  # nothing changed: every part, the cover too, is reused
    changed = closed_case(formset)
    changed.data["documents"][1]["data"]["closure"]["reason_details"] = "A new detail"
    render_pack_pdf(changed, "professional", cache, TODAY, workers=1)
    assert len(rendered) == first + 1  # the closure alone (its length, and so the cover, same)
    assert "A new detail" in rendered[-1]
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in (tmp_path / "cache").iterdir())

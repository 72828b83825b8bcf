"""Merge tagged PDF parts into one tagged PDF: pages, structure trees and bookmarks.

pypdf and a plain page copy drop the structure tree, which would leave a pack untagged (no
PDF/UA). Here each part's structure elements go under one /Document element, and each part's
parent-tree keys are shifted so marked content still points at its structure element.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, Pdf


@dataclass(frozen=True)
class Part:
    title: str  # the bookmark that holds this part's own bookmarks
    pdf: bytes


def merge_parts(parts: Sequence[Part]) -> bytes:
    """One tagged PDF from the parts, to be finished (title, metadata, case data) by pdf.finish."""
    out = Pdf.new()
    document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    nums = Array()
    next_key = 0
    outline_items: list[OutlineItem] = []
    for part in parts:
        src = Pdf.open(io.BytesIO(part.pdf))
        first_page = len(out.pages)
        out.pages.extend(src.pages)  # copied objects are remembered: later copies reuse them
        next_key = _copy_structure(out, src, document, nums, first_page, next_key)
        outline_items.append(_outline(src, part.title, first_page))
    out.Root.StructTreeRoot = out.make_indirect(
        Dictionary(
            Type=Name.StructTreeRoot,
            K=Array([document]),
            ParentTree=out.make_indirect(Dictionary(Nums=nums)),
            ParentTreeNextKey=next_key,
        )
    )
    document.P = out.Root.StructTreeRoot
    out.Root.MarkInfo = Dictionary(Marked=True)
    with out.open_outline() as outline:
        outline.root.extend(outline_items)
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _copy_structure(
    out: Pdf, src: Pdf, document: Dictionary, nums: Array, first_page: int, offset: int
) -> int:
    root = src.Root.get("/StructTreeRoot")
    if root is None:
        return offset
    for element in (out.copy_foreign(_indirect(src, e)) for e in root.K):
        # A part's own /Document becomes a /Part of the pack's one /Document.
        if element.get("/S") == Name.Document:
            element.S = Name.Part
        element.P = document
        document.K.append(element)
    part_nums = root.ParentTree.get("/Nums", Array())
    highest = -1
    for i in range(0, len(part_nums), 2):
        key = int(part_nums[i])
        highest = max(highest, key)
        nums.append(key + offset)
        nums.append(out.copy_foreign(_indirect(src, part_nums[i + 1])))
    for page in out.pages[first_page:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + offset
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = int(annot.StructParent) + offset
    return offset + highest + 1


def _indirect(src: Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """copy_foreign takes indirect objects only; WeasyPrint writes some of these inline."""
    return obj if obj.is_indirect else src.make_indirect(obj)


def _outline(src: Pdf, title: str, first_page: int) -> OutlineItem:
    item = OutlineItem(title, first_page)
    with src.open_outline() as outline:
        item.children.extend(_copy_items(src, outline.root, first_page))
    return item


def _copy_items(src: Pdf, items: list[OutlineItem], first_page: int) -> list[OutlineItem]:
    copied = []
    pages: dict[tuple[int, int], int] = {p.obj.objgen: i for i, p in enumerate(src.pages)}
    for item in items:
        index = 0
        dest = item.destination
        if isinstance(dest, Array) and len(dest) and dest[0].objgen in pages:
            index = pages[dest[0].objgen]
        new = OutlineItem(item.title, first_page + index)
        new.children.extend(_copy_items(src, item.children, first_page))
        copied.append(new)
    return copied


__all__ = ["Part", "merge_parts", "pikepdf"]

"""A pack's pages numbered as one: "Page 5 of 37" on every page, as its contents count them.

A pack's parts are drawn without page numbers (pack-part.css), each on its own and cached by its
HTML, so an unchanged part is reused whatever page it now starts on. Once merged, the numbers are
drawn for the whole pack in one go, in the documents' own footer style and place, and laid on
each page as pagination artifacts (outside the structure tree, as PDF/UA wants a footer).
"""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Name
from weasyprint import HTML

from ehdocs.render.assets import AssetFetcher
from ehdocs.render.template_files import Templates

IN_PACK_STYLESHEET = '<link rel="stylesheet" href="asset:pack-part.css">'
_NUMBERS_HTML = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
    '<link rel="stylesheet" href="asset:document.css">'
    '<link rel="stylesheet" href="asset:pack-numbers.css"></head><body>{pages}</body></html>'
)
_PAGE = '<div style="break-after: page"></div>'


def as_pack_part(html: str) -> str:
    """A part's HTML for a pack: the same, without page numbers of its own."""
    head_end = html.find("</head>")
    if head_end < 0:
        return IN_PACK_STYLESHEET + html
    return html[:head_end] + IN_PACK_STYLESHEET + html[head_end:]


def number_pages(pdf: bytes, templates: Templates | None = None) -> bytes:
    """The merged pack with "Page n of N" on each page (n counted from the cover)."""
    with pikepdf.open(io.BytesIO(pdf)) as pack:
        total = len(pack.pages)
        numbers = _numbers(total, templates)
        with pikepdf.open(io.BytesIO(numbers)) as drawn:
            if len(drawn.pages) != total:
                raise RuntimeError(f"page numbers for {total} pages came out {len(drawn.pages)}")
            for page, number in zip(pack.pages, drawn.pages, strict=True):
                form = pack.copy_foreign(number.as_form_xobject())
                name = page.add_resource(form, Name.XObject, prefix="PackNo")
                # The page's own drawing leaves its coordinates changed (WeasyPrint flips them
                # first thing): saved and restored around it, the number lands where drawn.
                page.contents_add(pack.make_stream(b"q\n"), prepend=True)
                page.contents_add(
                    pack.make_stream(
                        b"\nQ\nq /Artifact <</Type /Pagination /Subtype /Footer>> BDC "
                        + bytes(name)
                        + b" Do EMC Q"
                    ),
                    prepend=False,
                )
        buffer = io.BytesIO()
        pack.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _numbers(total: int, templates: Templates | None) -> bytes:
    """`total` blank A4 pages bearing only their numbers, untagged (they become artifacts)."""
    html = _NUMBERS_HTML.format(pages=_PAGE * (total - 1) + "<div></div>")
    document = HTML(string=html, url_fetcher=AssetFetcher(None, templates), base_url="asset:/")
    drawn: bytes = document.write_pdf()
    return drawn


__all__ = ["as_pack_part", "number_pages"]

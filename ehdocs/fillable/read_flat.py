"""Forms that lost their answer boxes, read as what the pages show (issue 16).

A form "printed to PDF", or flattened by qpdf, Ghostscript or pdftk, keeps the answers as text
drawn on the page, and usually its identity (the embedded `ehdocs-form.json`, the document
information, or at least the footer "Form notification, version 1"). A scanned or photographed
paper form keeps only pictures. Neither can be read field by field here: this process has no
form definitions, and the file is untrusted. So this reads what the pages hold, as plain data,
and the hub lays it over the boxes of the blank form it made (ehdocs.ingest.recover):

    {"kind": "flattened", "form", "version", "digest" (or None), "profile",
     "pages": [{"size": [w, h], "words": [[x0, y0, x1, y1, text], ...], "ink": PNG}]}
        the words on each page with their boxes in PDF points (origin bottom left), and the
        page drawn in grey at 72 dpi, for the ticks and dots of boxes that were ticked;
    {"kind": "scan", "pages": [PNG, ...], "dpi": [d, ...]}
        each page as a grey picture for OCR (Tesseract runs outside this process, with its own
        time limit: reading a page takes seconds, not the parser's fraction of one).

PDFium (pypdfium2) reads the pages: it draws and finds text in form XObjects, where a
flattened field's appearance ends up, as viewers do.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageOps

IDENTITY_TEXT = re.compile(r"Form ([a-z][a-z0-9_]{0,39}), version (\d{1,4})\b")
INK_DPI = 72
SCAN_DPI = 200
MAX_PAGES = 60
MAX_WORDS = 20_000  # on one page: a form page has a few hundred
MAX_SCAN_PIXELS = 60_000_000  # a page photographed at 12 megapixels is 12,000,000
SCAN_HEIGHT = 2400  # the longest side a picture is scaled down to for OCR (A4 at ~200 dpi)
TEXT_FREE = 20  # a page with fewer characters than this is a picture of a page


def identity_in_text(text: str) -> tuple[str, int] | None:
    """The form and version the footer of every page of a blank form names."""
    found = IDENTITY_TEXT.search(text)
    return (found.group(1), int(found.group(2))) if found else None


def flat_reading(data: bytes, ident: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the pages of a PDF with no answer boxes show: a flattened form of ours, a scan, or
    None (something else). `ident` is the identity the file carries, if any."""
    document = pdfium.PdfDocument(data)
    try:
        count = len(document)
        if not 0 < count <= MAX_PAGES:
            return None
        pages: list[dict[str, Any]] = []
        text_chars = 0
        footer: tuple[str, int] | None = None
        for index in range(count):
            page = document[index]
            try:
                words, chars, text = words_of(page)
                text_chars += chars
                footer = footer or identity_in_text(text)
                width, height = page.get_size()
                pages.append({"size": [width, height], "words": words, "page": page})
            except Exception:
                page.close()
                raise
        if text_chars < TEXT_FREE * count:  # pages that are pictures: a scanned form
            return _scanned_pdf(pages)
        found = _identity(ident, footer)
        if found is None:
            return None
        for entry in pages:
            entry["ink"] = _png(entry.pop("page"), INK_DPI)
        return {"kind": "flattened", **found, "pages": pages}
    finally:
        document.close()


def _identity(
    ident: dict[str, Any] | None, footer: tuple[str, int] | None
) -> dict[str, Any] | None:
    if ident:
        return {
            "form": ident["form"],
            "version": int(ident["version"]),
            "digest": ident["digest"],
            "profile": ident.get("profile"),
        }
    if footer is None:
        return None
    return {"form": footer[0], "version": footer[1], "digest": None, "profile": None}


def words_of(page: Any) -> tuple[list[list[Any]], int, str]:
    """([x0, y0, x1, y1, word] ...), the number of characters, and the page's text."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count else ""
        words: list[list[Any]] = []
        current: list[str] = []
        box: list[float] = []
        for index, char in enumerate(text[:count]):
            if char.isspace() or char == "\ufffe":
                if current:
                    words.append([*box, "".join(current)])
                current, box = [], []
                continue
            x0, y0, x1, y1 = textpage.get_charbox(index)  # left, bottom, right, top
            height = max(1.0, y1 - y0, box[3] - box[1] if box else 0.0)
            if current and (x0 > box[2] + 3 * height or x1 < box[0] or y1 < box[1] - height / 2):
                words.append([*box, "".join(current)])  # a gap or a new line: a new word
                current, box = [], []
            if not current:
                box = [x0, y0, x1, y1]
            else:
                box = [min(box[0], x0), min(box[1], y0), max(box[2], x1), max(box[3], y1)]
            current.append(char)
            if len(words) >= MAX_WORDS:
                break
        if current:
            words.append([*box, "".join(current)])
        return words, len(text.strip()), text
    finally:
        textpage.close()


def _png(page: Any, dpi: int) -> bytes:
    try:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        page.close()
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _scanned_pdf(pages: list[dict[str, Any]]) -> dict[str, Any]:
    images = [_png(entry.pop("page"), SCAN_DPI) for entry in pages]
    return {"kind": "scan", "pages": images, "dpi": [SCAN_DPI] * len(images)}


def scan_reading(data: bytes) -> dict[str, Any]:
    """A photo or scan of a paper form (JPEG, PNG, TIFF with one page or several) as grey
    pictures for OCR, turned upright from the camera's EXIF and scaled down to what OCR
    needs."""
    Image.MAX_IMAGE_PIXELS = MAX_SCAN_PIXELS  # larger is refused as a decompression bomb
    pages: list[bytes] = []
    dpis: list[int] = []
    with Image.open(io.BytesIO(data)) as picture:
        frames = getattr(picture, "n_frames", 1)
        for frame in range(min(frames, MAX_PAGES)):
            picture.seek(frame)
            image = ImageOps.exif_transpose(picture.convert("L")) or picture.convert("L")
            scale = min(1.0, SCAN_HEIGHT / max(image.size))
            if scale < 1.0:
                image = image.resize(
                    (round(image.width * scale), round(image.height * scale)),
                    Image.Resampling.LANCZOS,
                )
            out = io.BytesIO()
            image.save(out, "PNG")
            pages.append(out.getvalue())
            dpis.append(0)  # unknown: the hub fits the picture to the page it shows
    return {"kind": "scan", "pages": pages, "dpi": dpis}

"""What a received file is, from its content (never its name): the kind the parser reads it
as, and words for a refusal that name what was found ("a ZIP archive", "an OpenDocument text
file (.odt)") rather than only what it is not."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ehdocs.ingest.containers import OLE_MAGIC, TNEF_MAGIC, is_msg, is_p7m

ZIP_MAGIC = b"PK\x03\x04"
# a photo or scan of a paper form: read by OCR (ehdocs.ingest.recover)
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
# "%PDF1.4", "%1.4", "%PDF 1.4": a PDF whose first line was damaged (seen in public corpora)
_BROKEN_PDF_HEADER = re.compile(rb"%(?:PDF)?[ -]?[12]\.\d\s")
_ODF = {
    b"application/vnd.oasis.opendocument.text": "an OpenDocument text file (.odt)",
    b"application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    b"application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
}
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "a photo (JPEG)"),
    (b"\x89PNG\r\n\x1a\n", "a picture (PNG)"),
    (b"GIF8", "a picture (GIF)"),
    (b"II*\x00", "a scan (TIFF)"),
    (b"MM\x00*", "a scan (TIFF)"),
    (b"{\\rtf", "a Rich Text file (.rtf)"),
    (
        OLE_MAGIC,
        "an older Office file (such as a .doc Word document, or an Outlook message that "
        "could not be opened)",
    ),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
)


def has_broken_pdf_header(data: bytes) -> bool:
    """A PDF whose first line is not `%PDF-1.x`, but whose body is a PDF's."""
    return b"%PDF-" not in data[:1024] and bool(
        _BROKEN_PDF_HEADER.match(data[:16]) and b"obj" in data[:4096]
    )


def kind_of(data: bytes) -> str | None:
    """ "pdf", "docx" (a Word package), "zip" (any other ZIP archive), "p7m" (an S/MIME
    message), "tnef" (Outlook's winmail.dat), "msg" (an Outlook message saved to disk),
    "image" (a photo or scan: JPEG, PNG, TIFF) or None."""
    if data.startswith(ZIP_MAGIC):
        return "docx" if _is_word_package(data) else "zip"
    # before the PDF: a wrapped PDF's own header is a few bytes in
    if is_p7m(data):
        return "p7m"
    if data.startswith(TNEF_MAGIC):
        return "tnef"
    if is_msg(data):
        return "msg"
    if b"%PDF-" in data[:1024] or has_broken_pdf_header(data):
        return "pdf"
    if data.startswith(IMAGE_MAGIC):
        return "image"
    return None


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            return archive.namelist()[:10_000]
    except Exception:  # a damaged archive: its central directory cannot be read
        return []


def _is_word_package(data: bytes) -> bool:
    names = set(_zip_names(data))
    # a damaged package is still read as Word: its reader says what is wrong with it
    return not names or ("[Content_Types].xml" in names and "word/document.xml" in names)


def described(data: bytes) -> str | None:
    """Words for what the file is, when it is something recognisable that is not a form."""
    if data.startswith(ZIP_MAGIC):
        for mimetype, words in _ODF.items():
            if data[30:38] == b"mimetype" and mimetype in data[38:120]:
                return words
        return "a ZIP archive"
    for magic, words in _SIGNATURES:
        if data.startswith(magic):
            return words
    if data.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    return None

"""Files added to a case as direct work with a child (a photo of a drawing, a scanned letter):
checked, cleaned and kept like received files.

A file is kept only as what we made of it: a photo is decoded and encoded again (turned the
right way up, with its EXIF data, GPS position and camera details gone); a PDF is opened and
saved again without its metadata, scripts, actions or embedded files. Both happen in a forked
child with a time limit and a memory cap (ehdocs.render.limits), as untrusted files are read.
The result is stored by its SHA-256 (BlobStore) under DATA_DIR/attachments, never under a name
that says whose it is.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image, ImageOps

from ehdocs.errors import AttachmentError, RenderTooLarge
from ehdocs.render.limits import RenderLimits, run_limited

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; a larger image is a decompression bomb
LIMITS = RenderLimits(timeout=30, memory_mb=1024)
SUFFIXES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def attachments_folder(config: Mapping[str, Any]) -> Path:
    return Path(config["DATA_DIR"]) / "attachments"


def sniff(data: bytes) -> str:
    """What the bytes are, by their first bytes (never by the name the sender gave)."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "heic"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return "unknown"


_REFUSALS = {
    "heic": "This is an iPhone photo in HEIC format, which cannot be kept as it is. Share it "
    "as a JPEG (in the Photos app, choose Share, then Options, then Most Compatible), or set "
    "the camera to Most Compatible, and attach it again",
    "zip": "This is a Word document or another kind of archive. Save or print it as a PDF, "
    "and attach the PDF",
    "unknown": "This is not a photo (JPEG or PNG) or a PDF. Take a photo of it, or scan it to "
    "PDF, and attach that",
}


def clean(data: bytes) -> tuple[bytes, str]:
    """The file as it is kept, and its media type; AttachmentError says why not."""
    if not data:
        raise AttachmentError("The selected file is empty: choose the file again")
    if len(data) > MAX_BYTES:
        raise AttachmentError(
            f"The selected file is {len(data) / 1024 / 1024:.1f} MB: it must be 10 MB or "
            "smaller. Take the photo at a lower resolution, or scan at 150 dpi"
        )
    kind = sniff(data)
    if kind in _REFUSALS:
        raise AttachmentError(_REFUSALS[kind])
    try:
        return run_limited(lambda: _clean(kind, data), LIMITS)
    except RenderTooLarge:
        raise AttachmentError(
            "This file took too long or too much memory to check, so it was not kept. "
            "Scan or photograph it again at a lower resolution, and attach that"
        ) from None


def _clean(kind: str, data: bytes) -> tuple[bytes, str]:
    if kind == "pdf":
        return _clean_pdf(data), "application/pdf"
    return _clean_image(data)


def _clean_image(data: bytes) -> tuple[bytes, str]:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    out = io.BytesIO()
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            photo = opened.format == "JPEG"
            upright = ImageOps.exif_transpose(opened)  # turned as the camera held it
            if photo:
                upright.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                    upright = upright.convert("RGBA")
                upright.save(out, "PNG", optimize=True)  # no text chunks, no EXIF: pixels
    except Image.DecompressionBombError:
        raise AttachmentError(
            "This picture is too large to keep (over 40 megapixels): take it at a lower "
            "resolution and attach it again"
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise AttachmentError(
            "This picture could not be read: it may be damaged. Take the photo again and "
            "attach the new one"
        ) from None
    return out.getvalue(), "image/jpeg" if photo else "image/png"


def _clean_pdf(data: bytes) -> bytes:
    try:
        pdf = pikepdf.open(io.BytesIO(data[data.find(b"%PDF-") :]))
    except pikepdf.PasswordError:
        raise AttachmentError(
            "This PDF is protected by a password. Save a copy without the password (or "
            "print it to PDF) and attach that"
        ) from None
    except pikepdf.PdfError:
        raise AttachmentError(
            "This PDF could not be read: it may be damaged. Scan or save it again and attach "
            "the new copy"
        ) from None
    with pdf:
        if len(pdf.pages) > 50:
            raise AttachmentError(
                f"This PDF has {len(pdf.pages)} pages: attach a document of 50 pages or fewer "
                "(direct work with a child is rarely longer)"
            )
        for key in list(pdf.docinfo.keys()):
            del pdf.docinfo[key]
        root = pdf.Root
        for key in ("/Metadata", "/OpenAction", "/AA", "/AcroForm"):
            if key in root:
                del root[key]
        if "/Names" in root:
            for key in ("/JavaScript", "/EmbeddedFiles"):
                if key in root.Names:
                    del root.Names[key]
        for page in pdf.pages:
            if "/AA" in page.obj:
                del page.obj["/AA"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()

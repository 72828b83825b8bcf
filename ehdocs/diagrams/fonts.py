"""The fonts documents and diagrams are drawn with, in fallback order, and the PNG rasteriser.

Latin (with its diacritics) comes from the house font first; each script families' names are written
in then has a Noto face from Debian's fonts-noto-core, and CJK comes from WenQuanYi Micro Hei.
Pango (WeasyPrint, and librsvg for PNG) walks this list glyph by glyph, so a name in any of these
scripts is drawn, never an empty box. No emoji font is named: Pango would then draw digits from it;
emoji still fall back through fontconfig to Noto Color Emoji.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata

from ehdocs.errors import DiagramError

#: Script faces after the house font, in the order Pango should try them.
SCRIPT_FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",  # Latin, Greek, Cyrillic, and most Arabic and Hebrew letters
    "Noto Sans Arabic",  # Urdu letters DejaVu lacks (ہ, ے, ۓ)
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Gurmukhi",
    "Noto Sans Gujarati",
    "Noto Sans Tamil",
    "Noto Sans Telugu",
    "Noto Sans Kannada",
    "Noto Sans Malayalam",
    "Noto Sans Sinhala",
    "Noto Sans Thai",
    "Noto Sans Ethiopic",
    "Noto Sans Armenian",
    "Noto Sans Georgian",
    "WenQuanYi Micro Hei",  # Chinese, Japanese kana, Korean hangul
)

#: The diagram's font-family (SVG presentation attribute, so no quotes inside).
SVG_FONT_FAMILY = ", ".join((*SCRIPT_FAMILIES, "sans-serif"))

#: What a document's CSS names after its own house font.
CSS_FALLBACK = ", ".join(f'"{family}"' for family in SCRIPT_FAMILIES) + ", sans-serif"

RSVG = "rsvg-convert"
_RASTER_SECONDS = 60


def svg_to_png(svg: str, width_px: int) -> bytes:
    """`svg` (one of our own diagrams) as a PNG `width_px` wide.

    librsvg lays text out with Pango: per-glyph font fallback through SCRIPT_FAMILIES, complex
    script shaping, and the bidirectional algorithm, so right-to-left names keep their word order.
    (cairosvg draws text with cairo's toy API: one font, no fallback, no bidi.) The SVG comes from
    this service, never from a user, and is given on stdin with no base path, so nothing is fetched.
    """
    exe = shutil.which(RSVG)
    if exe is None:
        raise DiagramError(
            "ehdocs cannot draw diagrams as pictures: the rsvg-convert program is not installed "
            "(Debian package librsvg2-bin; script/bootstrap installs it)"
        )
    try:
        done = subprocess.run(
            [exe, "--format=png", f"--width={width_px}", "--keep-aspect-ratio"],
            input=svg.encode(),
            capture_output=True,
            timeout=_RASTER_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DiagramError("drawing the diagram as a picture took too long") from exc
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        raise DiagramError("the diagram could not be drawn as a picture")
    return done.stdout


def needs_shaping(value: str) -> bool:
    """Whether `value` holds text WeasyPrint's SVG renderer would draw wrongly.

    WeasyPrint lays SVG text out one code point at a time: right-to-left letters come out in
    reversed order and unjoined, and combining marks (Indic vowel signs and viramas, Thai vowels
    and tone marks, decomposed diacritics, joiners) lose their shaping.
    """
    for ch in value:
        if unicodedata.bidirectional(ch) in ("R", "AL", "AN"):
            return True
        if unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch in "\u200c\u200d":
            return True
    return False


def svg_for_pdf(svg: str) -> str:
    """`svg` as WeasyPrint should draw it in a PDF.

    A diagram whose labels need shaping or bidi is redrawn by librsvg (Pango: shaping, the
    bidirectional algorithm, font fallback) with its text as outlines, so every script prints as
    written; the figure's alternative text and the table beside it carry the words for readers
    and search. Any other diagram is kept as it is, with real text.
    """
    if not needs_shaping(svg):
        return svg
    exe = shutil.which(RSVG)
    if exe is None:
        raise DiagramError(
            "ehdocs cannot draw this diagram: the rsvg-convert program is not installed "
            "(Debian package librsvg2-bin; script/bootstrap installs it)"
        )
    try:
        done = subprocess.run(
            [exe, "--format=svg"],
            input=svg.encode(),
            capture_output=True,
            timeout=_RASTER_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DiagramError("drawing the diagram took too long") from exc
    if done.returncode != 0 or b"<svg" not in done.stdout[:500]:
        raise DiagramError("the diagram could not be drawn")
    return done.stdout.decode()

"""The font a blank PDF form's fields are written in, embedded whole in the form.

Whoever fills the form (Acrobat, Preview, pdf.js, PDFium, MuPDF, Poppler, pypdf) draws the text
of a field in the one font its /DA names: there is no fallback, so a font without Arabic or
Chinese shows a family's names as empty boxes. EhdocsFields-Regular.ttf (built by
script/build-field-font) is the house font with Arabic, Hebrew, Devanagari, Bengali, Gurmukhi,
Gujarati, Tamil, Thai and the CJK characters names are written in merged into it.

It is embedded whole (a subset would hold none of what people type later) as a Type 0 font
with Identity-H encoding, so any glyph can be used: code = glyph id, with a ToUnicode map of
every glyph (fillers encode typed text with it) and every glyph's width.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pikepdf
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name, Pdf, String

from ehdocs.render.assets import ASSETS

FONT_FILE = ASSETS / "fonts" / "EhdocsFields-Regular.ttf"
HOUSE_FONT = ASSETS / "fonts" / "LiberationSans-Regular.ttf"
RESOURCE = "EhF"  # its name in the form's default resources (/DR)
BASE_FONT = "ehdocsFields-Regular"
_CMAP_BLOCK = 100  # a ToUnicode CMap's bf sections hold at most 100 entries


@dataclass(frozen=True)
class FieldFont:
    data: bytes
    codepoints: frozenset[int]
    widths: tuple[int, ...]  # per glyph id, in thousandths of the em
    to_unicode: bytes
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]


@lru_cache(maxsize=1)
def field_font() -> FieldFont:
    data = FONT_FILE.read_bytes()
    font = TTFont(FONT_FILE)
    upem = font["head"].unitsPerEm

    def scaled(v: float) -> int:
        return round(v * 1000 / upem)

    order = font.getGlyphOrder()
    metrics = font["hmtx"].metrics
    widths = tuple(scaled(metrics[name][0]) for name in order)
    gid = {name: i for i, name in enumerate(order)}
    unicode_of: dict[int, int] = {}
    cmap = font.getBestCmap()
    for cp, name in sorted(cmap.items()):
        unicode_of.setdefault(gid[name], cp)
    # The vertical metrics are the house font's: fillers space lines by the font box, and the
    # merged font's, stretched by stacked marks, would space them almost twice as far apart.
    house = TTFont(HOUSE_FONT)
    head, hhea = font["head"], house["hhea"]
    house_head = house["head"]
    return FieldFont(
        data=data,
        codepoints=frozenset(cmap),
        widths=widths,
        to_unicode=_to_unicode(unicode_of),
        ascent=scaled(hhea.ascent),
        descent=scaled(hhea.descent),
        cap_height=scaled(house["OS/2"].sCapHeight),
        bbox=(
            scaled(head.xMin),
            scaled(house_head.yMin),
            scaled(head.xMax),
            scaled(house_head.yMax),
        ),
    )


def covers(text: str) -> list[str]:
    """The characters of `text` the field font has no glyph for (white space aside)."""
    have = field_font().codepoints
    return [c for c in text if ord(c) not in have and not c.isspace()]


def add_field_font(doc: Pdf) -> Name:
    """Embed the field font in the form's default resources; its resource name."""
    font = field_font()
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/" + BASE_FONT),
        Flags=32,  # non-symbolic
        FontBBox=Array(list(font.bbox)),
        ItalicAngle=0,
        Ascent=font.ascent,
        Descent=font.descent,
        CapHeight=font.cap_height,
        StemV=80,
        FontFile2=doc.make_stream(font.data, Length1=len(font.data)),
    )
    cid_font = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name("/" + BASE_FONT),
        CIDSystemInfo=Dictionary(
            Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0
        ),
        FontDescriptor=doc.make_indirect(descriptor),
        DW=1000,
        W=Array(_widths(font.widths)),
        CIDToGIDMap=Name.Identity,
    )
    type0 = doc.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type0,
            BaseFont=Name("/" + BASE_FONT),
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([doc.make_indirect(cid_font)]),
            ToUnicode=doc.make_stream(font.to_unicode),
        )
    )
    acro = doc.Root.AcroForm
    if "/DR" not in acro:
        acro.DR = Dictionary()
    if "/Font" not in acro.DR:
        acro.DR.Font = Dictionary()
    acro.DR.Font[Name("/" + RESOURCE)] = type0
    return Name("/" + RESOURCE)


def _widths(widths: tuple[int, ...]) -> list[pikepdf.Object | int]:
    """/W as runs: first glyph id, then the widths of the glyphs from it."""
    out: list[pikepdf.Object | int] = []
    run = 200
    for start in range(0, len(widths), run):
        out.append(start)
        out.append(Array(list(widths[start : start + run])))
    return out


def _to_unicode(unicode_of: dict[int, int]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    entries = [
        f"<{first:04X}> <{last:04X}> [{' '.join(_utf16(cp) for cp in cps)}]"
        if last > first
        else f"<{first:04X}> <{last:04X}> {_utf16(cps[0])}"
        for first, last, cps in _runs(unicode_of)
    ]
    for start in range(0, len(entries), _CMAP_BLOCK):
        block = entries[start : start + _CMAP_BLOCK]
        lines.append(f"{len(block)} beginbfrange")
        lines.extend(block)
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _runs(unicode_of: dict[int, int]) -> Iterator[tuple[int, int, list[int]]]:
    """(first glyph, last glyph, their code points) for runs of consecutive glyph ids within
    one high byte (a bfrange may not cross one). The font's glyphs are in code point order,
    so a few hundred ranges map every glyph (and a filler reads them quickly)."""
    run: list[int] = []
    first = -1
    for gid, cp in sorted(unicode_of.items()):
        if run and gid == first + len(run) and gid >> 8 == first >> 8:
            run.append(cp)
            continue
        if run:
            yield first, first + len(run) - 1, run
        first, run = gid, [cp]
    if run:
        yield first, first + len(run) - 1, run


def _utf16(cp: int) -> str:
    return "<" + chr(cp).encode("utf-16-be").hex().upper() + ">"

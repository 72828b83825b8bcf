"""Filling a blank PDF form as a careful viewer does: each answer in its field, drawn in the
field font with its text shaped and in visual order.

What a form shows of a text field is its appearance stream, written by whoever filled it in.
pypdf writes one character after another in typed order: Arabic letters stay unjoined, Indic
clusters unformed, and a right-to-left name comes out backwards (and it rereads the whole field
font's character map for each field, ~0.85 s a field). Here each line is split into runs of
one direction (the Unicode bidirectional algorithm, rules W1-W7, N1-N2, I1-I2 and L1-L2 for
text without explicit embeddings, which typed answers do not have), each run shaped by HarfBuzz
in the field font, and the runs placed in visual order. The field font is Identity-H (a code is
a glyph id), so the shaped glyphs are written as they are; each line carries its text as
/ActualText so that copying or extracting it gives the typed words, not the glyphs' order.

Used for the demo's example submission and by the tests; partners' own viewers make their own.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

import pikepdf
import uharfbuzz as hb
from pikepdf import Dictionary, Name, Pdf, String

from ehdocs.fillable.fieldfont import FONT_FILE, RESOURCE, field_font

MULTILINE = 1 << 12
PAD = 2.0  # points between a box's edge and its text, as viewers leave
LEADING = 1.15  # line spacing, in font sizes
AUTO_LARGEST, AUTO_SMALLEST = 12.0, 4.0  # the sizes an auto-sized (/DA 0 Tf) text is tried at
_DA_SIZE = re.compile(r"/(\S+)\s+([\d.]+)\s+Tf")
_DA_COLOUR = re.compile(r"([\d.]+\s+){1,4}(g|rg|k)\b")

# -- the bidirectional algorithm, for one line of typed text -----------------------------------

_STRONG = {"L": "L", "R": "R", "AL": "R"}
_NUMBER = ("EN", "AN")
_WHITE = ("WS", "S", "B")


def base_level(text: str) -> int:
    """0 when the first strong character is left-to-right (or there is none), 1 when it is
    right-to-left (rules P2-P3)."""
    for char in text:
        strong = _STRONG.get(unicodedata.bidirectional(char))
        if strong:
            return 0 if strong == "L" else 1
    return 0


def levels(text: str, base: int) -> list[int]:
    """Each character's embedding level."""
    kinds = [unicodedata.bidirectional(c) or "L" for c in text]
    # W1: a combining mark takes the class of what it is on.
    for i, kind in enumerate(kinds):
        if kind == "NSM":
            kinds[i] = kinds[i - 1] if i else ("R" if base else "L")
    # W2-W3: a European number after Arabic letters is an Arabic number; AL is R.
    last_strong = "R" if base else "L"
    for i, kind in enumerate(kinds):
        if kind in ("L", "R", "AL"):
            last_strong = kind
        if kind == "EN" and last_strong == "AL":
            kinds[i] = "AN"
        if kind == "AL":
            kinds[i] = "R"
    # W4: one separator between two numbers of a kind joins them (a "+" or "-" only European).
    for i in range(1, len(kinds) - 1):
        before, kind, after = kinds[i - 1], kinds[i], kinds[i + 1]
        if before == after == "EN" and kind in ("ES", "CS"):
            kinds[i] = "EN"
        elif before == after == "AN" and kind == "CS":
            kinds[i] = "AN"
    # W5: terminators (%, currency) beside a European number are part of it.
    for i, kind in enumerate(kinds):
        if kind == "ET" and _beside(kinds, i, "EN", "ET"):
            kinds[i] = "EN"
    last_strong = "R" if base else "L"
    for i, kind in enumerate(kinds):
        if kind in ("L", "R"):
            last_strong = kind
        elif kind == "EN" and last_strong == "L":
            kinds[i] = "L"  # W7
    _brackets(text, kinds, base)
    # N1-N2: neutrals between two of one direction take it (numbers count as R); else the base.
    resolved = list(kinds)
    i = 0
    while i < len(kinds):
        if _direction(kinds[i]) is not None:
            i += 1
            continue
        j = i
        while j < len(kinds) and _direction(kinds[j]) is None:
            j += 1
        embedding = "R" if base else "L"
        before = (_direction(kinds[i - 1]) if i else None) or embedding
        after = (_direction(kinds[j]) if j < len(kinds) else None) or embedding
        side = before if before == after else embedding
        for k in range(i, j):
            resolved[k] = side
        i = j
    # I1-I2: the levels.
    out = []
    for kind in resolved:
        if base % 2 == 0:
            out.append(base + (1 if kind == "R" else 2 if kind in _NUMBER else 0))
        else:
            out.append(base + (1 if kind in ("L", *_NUMBER) else 0))
    # L1: white space at the end of the line is at the base level.
    k = len(text)
    while k > 0 and unicodedata.bidirectional(text[k - 1]) in _WHITE:
        k -= 1
        out[k] = base
    return out


def _beside(kinds: list[str], i: int, wanted: str, through: str) -> bool:
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(kinds) and kinds[j] == through:
            j += step
        if 0 <= j < len(kinds) and kinds[j] == wanted:
            return True
    return False


_OPENING = {"(": ")", "[": "]", "{": "}", "\u00ab": "\u00bb", "\u2039": "\u203a"}


def _brackets(text: str, kinds: list[str], base: int) -> None:
    """N0: a pair of brackets takes the direction of what it encloses, so "(x)" after Latin
    words in an Arabic sentence stays round the x."""
    embedding = "R" if base else "L"
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for i, char in enumerate(text):
        if char in _OPENING:
            stack.append((_OPENING[char], i))
        elif stack and char == stack[-1][0]:
            pairs.append((stack.pop()[1], i))
    for start, end in sorted(pairs):
        inside = {_direction(k) for k in kinds[start + 1 : end]} - {None}
        if embedding in inside:
            side = embedding
        elif inside:  # only the other direction inside: the brackets follow what precedes
            side = next(
                (d for d in map(_direction, reversed(kinds[:start])) if d is not None), embedding
            )
        else:
            continue
        kinds[start] = kinds[end] = side


def _direction(kind: str) -> str | None:
    if kind == "L":
        return "L"
    if kind in ("R", *_NUMBER):
        return "R"
    return None


@dataclass(frozen=True)
class Run:
    text: str
    level: int


def visual_runs(text: str, base: int | None = None) -> list[Run]:
    """The line's runs of one level, in the order they are drawn from left to right (rule L2);
    within a right-to-left run the characters stay in typed order (the shaper reverses them)."""
    if not text:
        return []
    base = base_level(text) if base is None else base
    lv = levels(text, base)
    runs: list[Run] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or lv[i] != lv[start]:
            runs.append(Run(text[start:i], lv[start]))
            start = i
    highest = max(r.level for r in runs)
    lowest_odd = min((r.level for r in runs if r.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        i = 0
        while i < len(runs):
            if runs[i].level < level:
                i += 1
                continue
            j = i
            while j < len(runs) and runs[j].level >= level:
                j += 1
            runs[i:j] = reversed(runs[i:j])
            i = j
    return runs


def visual_text(text: str, base: int | None = None) -> str:
    """The characters in the order they are seen (a right-to-left run's reversed)."""
    return "".join(r.text[::-1] if r.level % 2 else r.text for r in visual_runs(text, base))


# -- shaping ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glyph:
    gid: int
    x: float  # in font units from the start of the line
    y: float


@lru_cache(maxsize=1)
def _font() -> tuple[hb.Font, int]:
    face = hb.Face(FONT_FILE.read_bytes())
    return hb.Font(face), face.upem


def shaped_line(text: str, base: int | None = None) -> tuple[list[Glyph], float]:
    """The glyphs of one line, placed left to right, and its width, in font units."""
    font, _ = _font()
    glyphs: list[Glyph] = []
    pen = 0.0
    for run in visual_runs(text, base):
        buf = hb.Buffer()
        buf.add_str(run.text)
        buf.guess_segment_properties()
        buf.direction = "rtl" if run.level % 2 else "ltr"
        hb.shape(font, buf, {})
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
            glyphs.append(Glyph(info.codepoint, pen + pos.x_offset, pos.y_offset))
            pen += pos.x_advance
    return glyphs, pen


@lru_cache(maxsize=4096)
def width(text: str) -> float:
    return shaped_line(text)[1]


# -- laying a field's text out ----------------------------------------------------------------


def wrap(text: str, room: float) -> list[str]:
    """Lines no wider than `room` (font units), broken between words; a word wider than the
    room is broken between characters (as viewers do). A line's width is its words' and
    spaces' widths (kerning across a space is too small to matter)."""
    space = width(" ")
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line, used = "", 0.0
        for word in paragraph.split(" "):
            wide = width(word)
            if line and used + space + wide <= room:
                line, used = f"{line} {word}", used + space + wide
                continue
            if line or used:
                lines.append(line)
            while wide > room and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and width(word[:cut]) > room:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                wide = width(word)
            line, used = word, wide
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Layout:
    size: float
    lines: list[str]


def layout(text: str, box_w: float, box_h: float, size: float, multiline: bool) -> Layout:
    """The text's size and lines in a box (points). Size 0 is "fit the box": the largest size
    from 12 pt down at which every line fits, never under 4 pt."""
    _, upem = _font()
    inner_w, inner_h = max(box_w - 2 * PAD, 1.0), max(box_h - 2 * PAD, 1.0)
    if size:
        room = inner_w * upem / size
        return Layout(size, wrap(text, room) if multiline else [_one_line(text)])
    tried = AUTO_LARGEST
    while True:
        room = inner_w * upem / tried
        lines = wrap(text, room) if multiline else [_one_line(text)]
        tall = len(lines) * tried * LEADING if multiline else tried
        wide = max(width(line) for line in lines) * tried / upem if lines else 0
        if (tall <= inner_h and wide <= inner_w) or tried <= AUTO_SMALLEST:
            return Layout(tried, lines)
        tried = max(AUTO_SMALLEST, tried - 0.5)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def appearance(text: str, box_w: float, box_h: float, da: str, multiline: bool) -> bytes:
    """A text field's normal appearance: its lines, shaped, inside the box."""
    _, upem = _font()
    found = _DA_SIZE.search(da)
    size = float(found.group(2)) if found else 0.0
    colour = _DA_COLOUR.search(da[found.end() :] if found else da)
    fit = layout(text, box_w, box_h, size, multiline)
    ascent = field_font().ascent / 1000 * fit.size
    out = [
        b"/Tx BMC",
        b"q",
        f"{PAD} {PAD} {box_w - 2 * PAD:.3f} {box_h - 2 * PAD:.3f} re W n".encode(),
    ]
    out.append(b"BT")
    out.append(f"/{RESOURCE} {fit.size:g} Tf".encode())
    if colour:
        out.append(colour.group(0).encode())
    if multiline:
        top = box_h - PAD - ascent
    else:  # one line, centred vertically as viewers do
        top = (box_h - fit.size) / 2 + (fit.size - ascent) / 2 + ascent * 0.25
        top = max(top, PAD)
    scale = fit.size / upem
    for n, line in enumerate(fit.lines):
        glyphs, line_w = shaped_line(line)
        right_to_left = base_level(line) == 1
        x0 = box_w - PAD - line_w * scale if right_to_left else PAD
        y0 = top - n * fit.size * LEADING
        out.append(b"/Span <</ActualText <" + _utf16(line) + b">>> BDC")
        for g in glyphs:
            x, y = x0 + g.x * scale, y0 + g.y * scale
            out.append(f"1 0 0 1 {x:.3f} {y:.3f} Tm <{g.gid:04X}> Tj".encode())
        out.append(b"EMC")
    out += [b"ET", b"Q", b"EMC"]
    return b"\n".join(out)


def _utf16(text: str) -> bytes:
    return ("\ufeff" + text).encode("utf-16-be").hex().upper().encode()


# -- the form ---------------------------------------------------------------------------------


def fill(blank: bytes, values: Mapping[str, str | bool]) -> bytes:
    """The form with `values` (field name -> text; True/False or "/Yes"/"/Off" for a tick box;
    "/state" or the state for an option button group; the option for a drop-down) filled in and
    drawn. A name the form does not have is an error, never silently dropped."""
    with Pdf.open(io.BytesIO(blank)) as doc:
        acro = doc.Root.AcroForm
        fonts = acro.DR.Font
        resources = Dictionary(Font=Dictionary({f"/{RESOURCE}": fonts[f"/{RESOURCE}"]}))
        by_name = dict(_fields(acro.Fields))
        unknown = sorted(set(values) - set(by_name))
        if unknown:
            raise KeyError(f"the form has no field named {unknown[0]!r}")
        for name, value in values.items():
            _put(doc, by_name[name], value, resources, str(acro.get("/DA", "")))
        acro.NeedAppearances = False
        out = io.BytesIO()
        # Objects outside object streams, as most viewers save them: the answers are in the
        # file as written, where a person (or a tampering test) can find them.
        doc.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        return out.getvalue()


def _fields(fields: pikepdf.Object, prefix: str = "") -> Iterator[tuple[str, pikepdf.Object]]:
    for field in fields:
        name = prefix + str(field.get("/T", ""))
        kids = field.get("/Kids")
        if kids is not None and any("/T" in kid for kid in kids):
            yield from _fields(kids, name + ".")
        else:
            yield name, field


def _inherited(field: pikepdf.Object, key: str) -> pikepdf.Object | None:
    node: pikepdf.Object | None = field
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _put(
    doc: Pdf, field: pikepdf.Object, value: str | bool, resources: Dictionary, da: str
) -> None:
    kind = _inherited(field, "/FT")
    widgets = list(field.Kids) if "/Kids" in field else [field]
    if kind == Name.Btn:
        state = _state(value)
        field.V = Name("/" + state)
        for widget in widgets:
            states = {str(k)[1:] for k in widget.AP.N.keys()} if "/AP" in widget else set()
            widget.AS = Name("/" + (state if state in states else "Off"))
        return
    text = str(value)
    field.V = String(text)
    flags = int(_inherited(field, "/Ff") or 0)
    for widget in widgets:
        x1, y1, x2, y2 = (float(v) for v in widget.Rect)
        own_da = str(_inherited(widget, "/DA") or da)
        content = appearance(text, x2 - x1, y2 - y1, own_da, bool(flags & MULTILINE))
        stream = doc.make_stream(
            content,
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=[0, 0, round(x2 - x1, 3), round(y2 - y1, 3)],
            Resources=resources,
        )
        widget.AP = Dictionary(N=stream)


def _state(value: str | bool) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "Off"
    return str(value).removeprefix("/")

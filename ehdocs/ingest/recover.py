"""Answers recovered from forms that lost their answer boxes (issue 16), marked for checking.

The parser process reads what the pages of such a file show (ehdocs.fillable.read_flat,
ehdocs.fillable.read_docx.untagged_controls); here, with the form definitions, that is laid
over the blank form the hub made and read as the same raw values a filled form gives:

- a **flattened** PDF (printed to PDF, qpdf, Ghostscript, pdftk): the words inside each text
  box's rectangle, and the ink inside each tick box and option button;
- a **Word form re-saved by LibreOffice**, which keeps the controls in order, with their
  titles, but drops the tags that name them: the controls in field map order, checked against
  the titles that survive;
- a **scan or photo** of a paper form: OCR (Tesseract) of each page, the page matched to the
  blank form's page and fitted to it by the words printed on both, then read like a flattened
  one. A picture that is not one of our forms is kept for a person to look at.

Whatever was recovered is marked `recovered`: how it was read, and the questions whose box
holds something that could not be read, for the adviser to check against the file.
"""

from __future__ import annotations

import difflib
import functools
import io
import os
import shutil
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pytesseract
from PIL import Image
from pypdf import PdfReader

from ehdocs.errors import EhdocsError
from ehdocs.fillable import blank_form
from ehdocs.fillable.errors import FormMismatchError, UnknownFormError
from ehdocs.fillable.fieldmap import FieldEntry, FieldMap, field_map
from ehdocs.fillable.read_flat import INK_DPI, identity_in_text, words_of
from ehdocs.render.limits import RenderLimits, RenderTooLarge, run_limited
from ehdocs.schema.model import FormSet

FLATTENED, UNTAGGED, SCANNED = "flattened", "untagged", "scan"
PICTURE = "picture"  # a refused submission's kind: a picture kept for a person to read
HOW = {
    FLATTENED: "read from a copy of the form whose answer boxes were flattened into the page "
    "(printed to PDF, or saved by a program that removed the boxes)",
    UNTAGGED: "read from a Word form saved again by a program that removed the names of its "
    "answer boxes (such as LibreOffice); each answer was matched to its question by order",
    SCANNED: "read by text recognition (OCR) from a scan or photo of the paper form",
}
NOT_OUR_SCAN = (
    "This is a picture or scan that is not one of our forms (no form name and version could "
    "be read on it). It is kept with the submission for a person at the hub to look at"
)
NO_OCR = (
    "This is a picture or scan of a page. It could not be read by text recognition here, so "
    "it is kept with the submission for a person at the hub to read"
)
INK = 0.08  # share of dark pixels in the middle of a tick box that makes it ticked
WRITING = 0.02  # share of dark pixels in a text box that says something is written in it
DARK = 140  # a grey level below this is ink
OCR_TIMEOUT = 180.0  # seconds for all of a scan's pages
OCR_MEMORY_MB = 1024


@dataclass(frozen=True)
class Box:
    entry: FieldEntry
    page: int
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1 in points, origin bottom left
    state: str | None = None  # an option button's state


@dataclass(frozen=True)
class Layout:
    """Where the blank form's boxes and printed words are, page by page."""

    sizes: tuple[tuple[float, float], ...]
    boxes: tuple[Box, ...]
    words: tuple[tuple[tuple[float, float, float, float, str], ...], ...]


def resolve(result: dict[str, Any], formset: FormSet) -> dict[str, Any]:
    """A parser's answer as the hub takes it: answers recovered from a flattened, re-saved or
    scanned form become a form reading marked `recovered`; anything else as it is."""
    kind = result.get("kind")
    try:
        if kind == FLATTENED:
            return _flattened(result, formset)
        if kind == SCANNED:
            return _scanned(result, formset)
        if kind == "form" and result.get("untagged"):
            return _untagged(result, formset)
    except EhdocsError as exc:
        return {"kind": "refused", "reason": str(exc)}
    return result


# -- what the blank form looks like -----------------------------------------------------------


def _fmap(formset: FormSet, form: str, fmt: str, version: int, digest: str | None) -> FieldMap:
    """The field map the file was made from: the current definition, when it is the one."""
    try:
        definition = formset.form(form)
    except EhdocsError:
        raise UnknownFormError(
            "This form names a document this service does not have. Download the blank form "
            "again, fill it in and send that file."
        ) from None
    fmap = field_map(formset, form, fmt)
    if definition.version != version or (digest is not None and fmap.digest != digest):
        raise FormMismatchError(
            f"This copy of the {definition.title} was made from an earlier version of the "
            "form, and its answer boxes are gone, so its answers cannot be matched to the "
            "questions. Download the blank form again, fill it in and send that file."
        )
    return fmap


_LAYOUTS: dict[tuple[str, str], Layout] = {}


def _layout(formset: FormSet, form: str, digest: str) -> Layout:
    """The blank PDF's boxes and printed words, made once per council and form definition
    (drawing the blank form takes about two seconds)."""
    key = (formset.profile.slug, digest)
    if key not in _LAYOUTS:
        if len(_LAYOUTS) >= 32:
            _LAYOUTS.clear()
        blank = blank_form(formset, form, "pdf")[1]
        _LAYOUTS[key] = layout_of(blank, field_map(formset, form, "pdf"))
    return _LAYOUTS[key]


def layout_of(blank: bytes, fmap: FieldMap) -> Layout:
    reader = PdfReader(io.BytesIO(blank))
    boxes: list[Box] = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            name = widget.get("/T")
            parent = widget.get("/Parent")
            if name is None and parent is not None:
                name = parent.get_object().get("/T")
            if name is None or str(name) not in fmap:
                continue
            entry = fmap[str(name)]
            rect = tuple(float(v) for v in widget["/Rect"])
            state = None
            if entry.widget == "radio":
                states = [str(k)[1:] for k in widget["/AP"]["/N"].keys() if str(k) != "/Off"]
                state = states[0] if states else None
            x0, y0, x1, y1 = rect
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            boxes.append(Box(entry, number, box, state))
    document = pdfium.PdfDocument(blank)
    try:
        words = []
        sizes = []
        for number in range(len(document)):
            page = document[number]
            sizes.append(tuple(page.get_size()))
            words.append(tuple(tuple(w) for w in words_of(page)[0]))
            page.close()
    finally:
        document.close()
    return Layout(tuple(sizes), tuple(boxes), tuple(words))


# -- a flattened PDF --------------------------------------------------------------------------


def _flattened(result: dict[str, Any], formset: FormSet) -> dict[str, Any]:
    form, version = str(result["form"]), int(result["version"])
    fmap = _fmap(formset, form, "pdf", version, result.get("digest"))
    layout = _layout(formset, form, fmap.digest)
    pages = result["pages"]
    if len(pages) != len(layout.sizes):
        return _refuse_pages(fmap, len(pages), len(layout.sizes))
    placed: list[_Page | None] = []
    dots = INK_DPI / 72  # pixels of the drawn page to a point
    for number, page in enumerate(pages):
        width, height = page["size"]
        blank_width, blank_height = layout.sizes[number]
        scale = width / blank_width if blank_width else 1.0  # printed to a different paper
        placed.append(
            _Page(
                words=[(*_scaled(w[:4], 1 / scale), str(w[4])) for w in page["words"]],
                image=_image(page["ink"]),
                to_pixels=_Fit(scale * dots, 0.0, -scale * dots, height * dots),
            )
        )
    return _reading(result, fmap, layout, placed, FLATTENED)


def _scaled(box: Sequence[float], factor: float) -> tuple[float, float, float, float]:
    return (box[0] * factor, box[1] * factor, box[2] * factor, box[3] * factor)


def _refuse_pages(fmap: FieldMap, got: int, want: int) -> dict[str, Any]:
    return {
        "kind": "refused",
        "reason": (
            f"This copy of the {fmap.title} has {got} page{'s' * (got != 1)}, but the form has "
            f"{want}, so its answers cannot be matched to the questions. Send every page of "
            "the form, or the file you filled in"
        ),
    }


@dataclass(frozen=True)
class _Fit:
    """Blank form points -> pixels of the picture: px = ax * x + bx, py = ay * y + by."""

    ax: float
    bx: float
    ay: float
    by: float

    def rect(self, box: Sequence[float]) -> tuple[float, float, float, float]:
        xs = (self.ax * box[0] + self.bx, self.ax * box[2] + self.bx)
        ys = (self.ay * box[1] + self.by, self.ay * box[3] + self.by)
        return (min(xs), min(ys), max(xs), max(ys))


@dataclass
class _Page:
    words: list[tuple[float, float, float, float, str]]  # in blank form points
    image: Any  # a PIL image in grey
    to_pixels: _Fit


def _image(png: bytes) -> Any:
    return Image.open(io.BytesIO(png)).convert("L")


def _ink(page: _Page, box: Sequence[float], margin: float) -> float:
    """The share of dark pixels inside the box, less `margin` of it on every side."""
    x0, y0, x1, y1 = page.to_pixels.rect(box)
    dx, dy = (x1 - x0) * margin, (y1 - y0) * margin
    left, top = max(0, round(x0 + dx)), max(0, round(y0 + dy))
    right = min(page.image.width, round(x1 - dx))
    bottom = min(page.image.height, round(y1 - dy))
    if right <= left or bottom <= top:
        return 0.0
    crop = page.image.crop((left, top, right, bottom))
    histogram = crop.histogram()
    dark = sum(histogram[:DARK])
    return dark / max(1, (right - left) * (bottom - top))


def _text_in(
    words: Iterable[tuple[float, float, float, float, str]],
    box: Sequence[float],
    blank: Iterable[tuple[float, float, float, float, str]],
    multiline: bool,
) -> str:
    """The words whose middle is inside the box, line by line, less what the blank prints
    there."""
    x0, y0, x1, y1 = box
    printed = {
        w[4] for w in blank if x0 <= (w[0] + w[2]) / 2 <= x1 and y0 <= (w[1] + w[3]) / 2 <= y1
    }
    inside = [
        w
        for w in words
        if x0 - 1 <= (w[0] + w[2]) / 2 <= x1 + 1
        and y0 - 1 <= (w[1] + w[3]) / 2 <= y1 + 1
        and w[4] not in printed
    ]
    lines: list[list[tuple[float, float, float, float, str]]] = []
    bands: list[tuple[float, float]] = []  # each line's bottom and top
    for word in sorted(inside, key=lambda w: -w[3]):
        middle = (word[1] + word[3]) / 2
        if bands and bands[-1][0] <= middle <= bands[-1][1]:  # within the line's height
            lines[-1].append(word)
            bands[-1] = (min(bands[-1][0], word[1]), max(bands[-1][1], word[3]))
        else:
            lines.append([word])
            bands.append((word[1], word[3]))
    texts = [" ".join(w[4] for w in sorted(line, key=lambda w: w[0])) for line in lines]
    return ("\n" if multiline else " ").join(texts)


def _reading(
    result: dict[str, Any],
    fmap: FieldMap,
    layout: Layout,
    pages: Sequence[_Page | None],
    how: str,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    unread: list[str] = []
    for box in layout.boxes:
        page = pages[box.page] if box.page < len(pages) else None
        entry = box.entry
        if page is None:  # a page not in the scan: its boxes are read as left blank
            values.setdefault(entry.name, _blank(entry))
            continue
        if entry.widget == "checkbox":
            values[entry.name] = _ink(page, box.rect, 0.25) > INK
        elif entry.widget == "radio":
            if _ink(page, box.rect, 0.25) > INK and box.state is not None:
                values[entry.name] = box.state
            else:
                values.setdefault(entry.name, None)
        else:
            multiline = entry.widget == "multiline"
            text = _text_in(page.words, box.rect, layout.words[box.page], multiline)
            if entry.widget == "select" and text:
                text = _option(entry, text)
            values[entry.name] = text
            if not text and _ink(page, box.rect, 0.1) > WRITING:
                unread.append(entry.label)
    return {
        "kind": "form",
        "format": "pdf",
        "form": fmap.form,
        "version": fmap.version,
        "digest": fmap.digest,
        "profile": result.get("profile"),
        "values": values,
        "also": list(result.get("also", [])),
        "recovered": {"how": how, "words": HOW[how], "unread": unread, "check": []},
        **({"signatures": result["signatures"]} if "signatures" in result else {}),
    }


def _option(entry: FieldEntry, text: str) -> str:
    """A drop-down's text as read (OCR may add a stray mark from its arrow) as the option it
    is closest to, when one is clearly closest; else as read, for the checks to explain."""
    states = [c.state for c in entry.choices]
    if text in states:
        return text
    starting = [s for s in states if text.startswith(s)]
    if starting:
        return max(starting, key=len)
    close = difflib.get_close_matches(text, states, n=1, cutoff=0.8)
    return close[0] if close else text


# -- a Word form re-saved without its tags ----------------------------------------------------


def _untagged(result: dict[str, Any], formset: FormSet) -> dict[str, Any]:
    fmap = _fmap(formset, str(result["form"]), "docx", int(result["version"]), result["digest"])
    controls = [(c[0], c[1]) for c in result["untagged"]]
    values: dict[str, Any] = {}
    unread: list[str] = []
    entries = list(fmap)
    split: list[str] = []
    in_order = _in_order(entries, controls, split)
    if in_order is not None:
        values = in_order
    else:  # by the titles that survive, where each names one question
        by_label: dict[str, list[FieldEntry]] = {}
        for entry in entries:
            by_label.setdefault(entry.label, []).append(entry)
        for title, value in controls:
            found = by_label.get(title or "")
            if found and len(found) == 1:
                values[found[0].name] = value
        unread = [e.label for e in entries if e.name not in values]
        for entry in entries:  # a box that could not be found is read as left blank
            values.setdefault(entry.name, _blank(entry))
    out = {k: v for k, v in result.items() if k != "untagged"}
    out["values"] = values
    out["recovered"] = {"how": UNTAGGED, "words": HOW[UNTAGGED], "unread": unread, "check": split}
    return out


def _in_order(
    entries: Sequence[FieldEntry], controls: Sequence[tuple[str | None, Any]], split: list[str]
) -> dict[str, Any] | None:
    """The controls matched to the questions one by one, or None when they do not line up (a
    title that names another question, or controls left over). LibreOffice writes an answer
    of several lines or runs as several controls with the question's title (the first holds
    the answer, without its line breaks; the others repeat parts of it): the first is taken
    and the question is listed in `split`, to be checked against the file."""
    values: dict[str, Any] = {}
    at = 0
    for entry in entries:
        if at >= len(controls) or controls[at][0] not in (None, entry.label):
            return None
        values[entry.name] = controls[at][1]
        at += 1
        if at < len(controls) and controls[at][0] == entry.label:
            split.append(entry.label)
            while at < len(controls) and controls[at][0] == entry.label:
                at += 1
    return values if at == len(controls) else None


def _blank(entry: FieldEntry) -> Any:
    return False if entry.widget == "checkbox" else None if entry.widget == "radio" else ""


# -- a scan or photo --------------------------------------------------------------------------


def _scanned(result: dict[str, Any], formset: FormSet) -> dict[str, Any]:
    pictures = [_image(png) for png in result["pages"]]
    try:
        read = ocr(result["pages"])
    except OcrUnavailable:
        return {"kind": "refused", "reason": NO_OCR, "needs_person": True}
    text = " ".join(w[4] for page in read for w in page)
    found = identity_in_text(text)
    if found is None:
        return {"kind": "refused", "reason": NOT_OUR_SCAN, "needs_person": True}
    form, version = found
    fmap = _fmap(formset, form, "pdf", version, None)
    layout = _layout(formset, form, fmap.digest)
    pages: list[_Page | None] = [None] * len(layout.sizes)
    for picture, words in zip(pictures, read, strict=True):
        fitted = _fit_page(layout, words)
        if fitted is None:
            continue
        number, fit = fitted
        inverse = _Fit(1 / fit.ax, -fit.bx / fit.ax, 1 / fit.ay, -fit.by / fit.ay)
        pages[number] = _Page(
            words=[(*inverse.rect(w[:4]), w[4]) for w in words],
            image=picture,
            to_pixels=fit,
        )
    if not any(pages):
        return {"kind": "refused", "reason": NOT_OUR_SCAN, "needs_person": True}
    reading = _reading({"profile": None}, fmap, layout, pages, SCANNED)
    missing = [str(n + 1) for n, page in enumerate(pages) if page is None]
    if missing:
        reading["recovered"]["unread"].insert(
            0, f"Page{'s' * (len(missing) != 1)} {', '.join(missing)} of the form (not in the scan)"
        )
    return reading


def _key(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalnum())


def _fit_page(
    layout: Layout, words: Sequence[tuple[float, float, float, float, str]]
) -> tuple[int, _Fit] | None:
    """The blank page this picture shows, and how its points map onto the picture's pixels,
    from the words printed on both (each used only where it is printed once on the page)."""
    seen = _unique(words)
    best: tuple[int, list[tuple[tuple[float, float], tuple[float, float]]]] | None = None
    for number, printed in enumerate(layout.words):
        on_blank = _unique(printed)
        pairs = [(on_blank[k], seen[k]) for k in on_blank.keys() & seen.keys() if len(k) >= 4]
        if best is None or len(pairs) > len(best[1]):
            best = (number, pairs)
    if best is None or len(best[1]) < 6:
        return None
    number, pairs = best
    fit = _least_squares(pairs)
    for _ in range(2):  # leave out words matched to the wrong place, then fit again
        errors = [
            abs(fit.ax * b[0] + fit.bx - s[0]) + abs(fit.ay * b[1] + fit.by - s[1])
            for b, s in pairs
        ]
        limit = max(3 * statistics.median(errors), 2.0)
        kept = [p for p, e in zip(pairs, errors, strict=True) if e <= limit]
        if len(kept) < 6:
            break
        pairs = kept
        fit = _least_squares(pairs)
    if fit.ax <= 0 or fit.ay >= 0:  # upside down or mirrored: not a fit
        return None
    return number, fit


def _unique(
    words: Iterable[Sequence[Any]],
) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float] | None] = {}
    for w in words:
        key = _key(str(w[4]))
        middle = ((w[0] + w[2]) / 2, (w[1] + w[3]) / 2)
        found[key] = None if key in found else middle
    return {k: v for k, v in found.items() if v is not None}


def _least_squares(
    pairs: Sequence[tuple[tuple[float, float], tuple[float, float]]],
) -> _Fit:
    def line(xs: list[float], ys: list[float]) -> tuple[float, float]:
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        spread = sum((x - mx) ** 2 for x in xs) or 1e-9
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / spread
        return slope, my - slope * mx

    ax, bx = line([b[0] for b, _ in pairs], [s[0] for _, s in pairs])
    ay, by = line([b[1] for b, _ in pairs], [s[1] for _, s in pairs])
    return _Fit(ax, bx, ay, by)


class OcrUnavailable(Exception):
    """Tesseract is not installed, or could not read the pictures in the time allowed."""


def ocr(pages: Sequence[bytes]) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes in pixels (top left origin), by Tesseract, in a
    child process with a time limit and a memory cap (EHDOCS_OCR_TIMEOUT, seconds)."""
    if shutil.which("tesseract") is None:
        raise OcrUnavailable
    timeout = float(os.environ.get("EHDOCS_OCR_TIMEOUT", OCR_TIMEOUT))
    try:
        return run_limited(
            functools.partial(_ocr_pages, list(pages)), RenderLimits(timeout, OCR_MEMORY_MB)
        )
    except (RenderTooLarge, OSError) as exc:
        raise OcrUnavailable from exc


def _ocr_pages(pages: list[bytes]) -> list[list[tuple[float, float, float, float, str]]]:
    out = []
    for png in pages:
        data = pytesseract.image_to_data(
            _image(png), lang="eng", config="--psm 3", output_type=pytesseract.Output.DICT
        )
        words = []
        for i, text in enumerate(data["text"]):
            text = str(text).strip()
            if not text or float(data["conf"][i]) < 30:
                continue
            left, top = float(data["left"][i]), float(data["top"][i])
            words.append((left, top, left + data["width"][i], top + data["height"][i], text))
        out.append(words)
    return out

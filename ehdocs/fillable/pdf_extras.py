"""What a PDF form holds beyond one value per answer box, for the adviser to see.

Answers come from the widget the page shows: when two fields share a name (a hidden one put
first in /Fields made the hub read "No" to "risk of significant harm?" when the page showed
"Yes"), the one with a widget on a page, not hidden, wins, and the clash is noted. What the
partner wrote outside the boxes (sticky notes, text typed on the page with Acrobat's Fill &
Sign, other annotations with text) is noted too, never dropped."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject

from ehdocs.fillable.filled import RawValue

HIDDEN, NO_VIEW = 1 << 1, 1 << 5  # annotation flags (ISO 32000-1, 12.5.3)
MAX_NOTES = 50
MAX_NOTE = 2_000
_WRITTEN = {  # annotation subtype -> how the adviser is told what it is
    "/Text": "A note added to page {page}",
    "/FreeText": "Text typed on page {page}",
    "/Stamp": "A stamp on page {page}",
    "/Highlight": "A comment on page {page}",
    "/Underline": "A comment on page {page}",
    "/Square": "A comment on page {page}",
    "/Circle": "A comment on page {page}",
    "/Ink": "A drawing on page {page}",
}


def _annotations(page: PageObject) -> list[DictionaryObject]:
    annots = page.get("/Annots")
    annots = annots.get_object() if annots is not None else None
    if not isinstance(annots, ArrayObject):
        return []
    found = (a.get_object() for a in annots[:5_000])
    return [a for a in found if isinstance(a, DictionaryObject)]


def _visible(annot: DictionaryObject) -> bool:
    flags = int(annot.get("/F", 0) or 0)
    rect = annot.get("/Rect")
    try:
        x0, y0, x1, y1 = (float(v) for v in rect)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return False
    return not flags & (HIDDEN | NO_VIEW) and abs(x1 - x0) > 0.5 and abs(y1 - y0) > 0.5


def shown_widgets(pages: Iterable[PageObject]) -> set[int]:
    """Object numbers of the widgets a viewer draws on the pages."""
    shown: set[int] = set()
    for page in pages:
        annots = page.get("/Annots")
        annots = annots.get_object() if annots is not None else None
        if not isinstance(annots, ArrayObject):
            continue
        for ref in annots[:5_000]:
            number = getattr(ref, "idnum", None)
            annot = ref.get_object()
            if number is not None and isinstance(annot, DictionaryObject) and _visible(annot):
                shown.add(number)
    return shown


def values_as_shown(
    fields: Iterable[tuple[str, RawValue, list[int]]], shown: set[int]
) -> tuple[dict[str, RawValue], list[str]]:
    """One value per name, from the field a page shows; a note for each name used twice."""
    values: dict[str, RawValue] = {}
    visible: dict[str, bool] = {}
    others: dict[str, list[RawValue]] = {}
    for name, value, widgets in fields:
        on_page = any(w in shown for w in widgets)
        if name not in values or (on_page and not visible[name]):
            if name in values:
                others.setdefault(name, []).append(values[name])
            values[name], visible[name] = value, on_page
        else:
            others.setdefault(name, []).append(value)
    notes = [
        f"This form has {len(other) + 1} answer boxes named '{name}' (it has been changed "
        f"from the blank form): the one shown on the page says {_said(values[name])}; "
        f"{'the others say' if len(other) > 1 else 'the other says'} "
        f"{', '.join(_said(v) for v in other)}. Check this answer with the sender"
        for name, other in others.items()
    ]
    return values, notes


def _said(value: RawValue) -> str:
    if value is True:
        return "ticked"
    if value is False or value is None or value == "":
        return "nothing"
    return f"‘{str(value)[:200]}’"


def written_outside_the_boxes(pages: Iterable[PageObject]) -> list[str]:
    """Sticky notes, typed text and comments on the pages, with the page they are on."""
    notes: list[str] = []
    for number, page in enumerate(pages, start=1):
        for annot in _annotations(page):
            what = _WRITTEN.get(str(annot.get("/Subtype")))
            text = _text(annot.get("/Contents"))
            if what and text:
                notes.append(f"{what.format(page=number)}: {text[:MAX_NOTE]}")
            if len(notes) >= MAX_NOTES:
                return notes
    return notes


def _text(value: Any) -> str:
    if value is None:
        return ""
    value = value.get_object()
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())

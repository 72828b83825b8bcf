"""What a document context is made of: answers, tables, figures, sections and the document
itself, renderer-neutral; and `clean`, which every string a document shows goes through.

Kept apart from the context builder so that what draws items (figures, pack sections) and what
builds contexts can both use them without importing each other.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ehdocs.errors import DiagramError
from ehdocs.render.audience import COPY_NAMES

NOT_RECORDED = "Not recorded"
# XML 1.0 forbids these; one pasted from Word breaks a DOCX (see STACK-NOTES.md).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: str) -> str:
    """Every string a document shows: control characters out, one kind of line ending."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class Answer:
    label: str
    text: str
    recorded: bool = True


@dataclass(frozen=True)
class Table:
    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    layout: str = "grid"  # grid: one row per entry; details: question and answer pairs
    heading: bool = False  # the label is a heading of its own (each person's details)


@dataclass(frozen=True)
class Figure:
    """A diagram (SVG) with its alternative text and a table saying the same in words."""

    label: str
    svg: str
    alt: str
    table: Table | None = None

    def __post_init__(self) -> None:
        checked_svg(self.svg, self.label)


def checked_svg(svg: str, label: str = "A diagram") -> str:
    """`svg` if it is well-formed XML; else a DiagramError, so a picture that cannot be drawn is an
    error the user sees, never its text alternative silently put in its place."""
    try:
        ET.fromstring(svg)  # our own drawing, never user XML: nothing to expand or fetch
    except ET.ParseError as exc:
        raise DiagramError(
            f"{label} could not be drawn (ehdocs made a picture no viewer can read: {exc}). "
            "Please report this to the service desk; the rest of the case is unaffected."
        ) from exc
    return svg


@dataclass(frozen=True)
class Photo:
    """A picture kept with the case (direct work with a child): JPEG or PNG bytes, already
    cleaned when stored and scaled for print, with its caption and text alternative."""

    label: str
    data: bytes
    media_type: str
    alt: str


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    items: tuple[Answer | Table | Figure | Photo, ...]
    description: str | None = None


@dataclass(frozen=True)
class DocumentContext:
    form: str
    title: str
    audience: str
    reference: str
    profile_name: str
    marking: str
    generated: str
    draft: bool
    sections: tuple[SectionView, ...]
    notice: str | None = None
    family_name: str | None = None
    contact: tuple[tuple[str, str], ...] = ()
    lang: str = "en-GB"
    document_id: str | None = None  # which document of the case this is (plans repeat)

    @property
    def family(self) -> bool:
        return self.audience == "family"

    @property
    def copy_name(self) -> str:
        return COPY_NAMES[self.audience]

    @property
    def status_label(self) -> str:
        return "Draft: not yet complete" if self.draft else "Completed"

    @property
    def pdf_title(self) -> str:
        """The PDF's title: never a person's name."""
        return f"{self.title} – {self.reference} – {self.copy_name.lower()}"

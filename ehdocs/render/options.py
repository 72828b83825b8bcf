"""The options of one render: what a caller (the CLI, the web) may choose, with the defaults.

WeasyPrint's DEFAULT_OPTIONS is the model: every choice in one documented place, checked once,
passed whole to `render.outputs` instead of a growing list of arguments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ehdocs.case.seal import SealKeys
from ehdocs.errors import EhdocsError
from ehdocs.render.audience import AUDIENCES
from ehdocs.render.cache import PartCache

FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class RenderOptions:
    audience: str = "professional"
    """Whose copy: one of AUDIENCES. A family copy leaves out what the family may not see."""
    fmt: str = "pdf"
    """One of FORMATS: a tagged PDF (PDF/UA-1) carrying the case data, or a Word file."""
    today: dt.date | None = None
    """The date the document says it was generated; None: the day it is rendered."""
    cache: PartCache | None = None
    """Where a pack's unchanged parts are kept and reused (PDF packs only); None: no cache."""
    workers: int | None = None
    """Processes drawing a PDF pack's parts at once; None: one per CPU."""
    files: Callable[[str], bytes | None] | None = None
    """The service's stored files by SHA-256 (the pictures of direct work a pack shows); None:
    the pack lists its attachments without their pictures."""
    seal: SealKeys | None = None
    """The service's keys to seal the case data a PDF carries (ehdocs.case.seal); None: not
    sealed, so the hub reads it back as an ordinary file, never as a copy of a case."""

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise EhdocsError(
                f"Audience must be one of {', '.join(AUDIENCES)}, not '{self.audience}'"
            )
        if self.fmt not in FORMATS:
            raise EhdocsError(f"Format must be {' or '.join(FORMATS)}, not '{self.fmt}'")

    @property
    def date(self) -> dt.date:
        return self.today or dt.date.today()


DEFAULT_OPTIONS = RenderOptions()

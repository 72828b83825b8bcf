"""A filled form as read from a file: which form it says it is, and its raw values by name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# A raw value: text as typed (text fields, drop-downs, radio states), True/False for checkboxes,
# None for a radio group or drop-down left unanswered.
RawValue = str | bool | None


@dataclass(frozen=True)
class FilledForm:
    format: str  # "pdf" or "docx": which widgets, so which field map, the values belong to
    form: str
    version: int
    digest: str  # the field map digest the blank form carried
    values: Mapping[str, RawValue] = field(default_factory=lambda: MappingProxyType({}))
    profile: str | None = None  # the council profile the blank was made for (information only)
    # For the adviser: what the file holds beyond one answer per box (answer boxes sharing a
    # name, notes and text written on the pages), in words
    also: tuple[str, ...] = ()

    def answered(self) -> dict[str, RawValue]:
        """The values that say something: text that is not blank, ticked boxes, chosen options."""
        return {
            k: v for k, v in self.values.items() if v is True or (isinstance(v, str) and v.strip())
        }

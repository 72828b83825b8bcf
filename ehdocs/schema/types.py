"""The schema face of a field type, and the registry the field types (ehdocs.fields) join.

The loader checks each field against its type's keys without importing ehdocs.fields: the
types register themselves here when that package is imported (ehdocs/__init__.py does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from ehdocs.schema.model import FieldDef


class SchemaFace(Protocol):
    """What the loader asks of a field type."""

    @property
    def name(self) -> str: ...

    @property
    def keys(self) -> Mapping[str, Mapping[str, Any]]: ...  # type-specific YAML keys

    @property
    def uses_options(self) -> bool: ...

    @property
    def is_group(self) -> bool: ...

    def check(self, field: FieldDef, report: Callable[[str], None]) -> None: ...


FIELD_TYPES: dict[str, SchemaFace] = {}

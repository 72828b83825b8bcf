"""The one registry of field types. Importing this package registers every type."""

from ehdocs.fields import types as _types  # noqa: F401  (registers the types)
from ehdocs.fields.base import REGISTRY, DisplayContext, FieldType, Invalid, field_type
from ehdocs.fields.dates import PartialDate, format_date
from ehdocs.fields.types import YES_NO_LABELS, row_label

__all__ = [
    "REGISTRY",
    "YES_NO_LABELS",
    "DisplayContext",
    "FieldType",
    "Invalid",
    "PartialDate",
    "field_type",
    "format_date",
    "row_label",
]

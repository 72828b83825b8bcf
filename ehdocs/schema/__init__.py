"""Form definitions: load the YAML, check it, and build frozen, indexed models."""

from ehdocs.schema.loader import load_formset
from ehdocs.schema.model import FieldDef, FormDefinition, FormSet, Option, RecordDef, SectionDef

__all__ = [
    "FieldDef",
    "FormDefinition",
    "FormSet",
    "Option",
    "RecordDef",
    "SectionDef",
    "load_formset",
]

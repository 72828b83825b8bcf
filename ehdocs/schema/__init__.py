"""Form definitions: load the YAML, check it, and build frozen, indexed models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ehdocs.schema.model import FieldDef, FormDefinition, FormSet, Option, RecordDef, SectionDef

if TYPE_CHECKING:
    from ehdocs.schema.loader import load_formset

__all__ = [
    "FieldDef",
    "FormDefinition",
    "FormSet",
    "Option",
    "RecordDef",
    "SectionDef",
    "load_formset",
]


def __getattr__(name: str) -> Any:
    # The loader needs the field registry, whose types need the models above: loading it on
    # first use keeps `import ehdocs.fields` and `import ehdocs.schema` free of a cycle.
    if name == "load_formset":
        from ehdocs.schema.loader import load_formset

        return load_formset
    raise AttributeError(name)

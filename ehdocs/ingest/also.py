"""What a received form holds beyond its answers, for the adviser: "also on the form"."""

from __future__ import annotations

from ehdocs.fillable.filled import FilledForm
from ehdocs.fillable.raw import checked_field_map
from ehdocs.schema.model import FormSet

MAX_ADDED = 50


def added_boxes(filled: FilledForm, formset: FormSet) -> list[str]:
    """Answer boxes the blank form does not have (the partner, or their program, added them),
    with what was written in them: never dropped, never read as one of the form's answers."""
    known = {entry.name for entry in checked_field_map(filled, formset)}
    added = [(n, v) for n, v in filled.answered().items() if n not in known][:MAX_ADDED]
    return [
        f"An answer box added to the form, named '{name[:80]}': "
        + ("ticked" if value is True else str(value)[:2_000])
        for name, value in added
    ]

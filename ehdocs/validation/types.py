"""Small marshmallow fields for the case's own structure (ids, status, references)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import marshmallow as ma

from ehdocs.fields.types import ID_PATTERN

ID_MESSAGE = "An id must be 1 to 40 letters, digits, - or _, starting with a letter or digit"

ID_FIELD = partial(
    ma.fields.String,
    required=True,
    validate=ma.validate.Regexp(ID_PATTERN, error=ID_MESSAGE),
    error_messages={"required": "Give this record an id", "invalid": ID_MESSAGE},
)


class AnswersSchema(ma.Schema):
    """Base of every schema over answers kept as dicts. marshmallow 4 reads a key missing from
    a dict with getattr, so an unanswered question named like a dict method (`update`, `items`,
    `values`, `copy`) dumped the method itself. A question not in the dict is not answered."""

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if isinstance(obj, Mapping):
            return obj.get(attr, default)
        return super().get_attribute(obj, attr, default)

"""Small marshmallow fields for the case's own structure (ids, status, references)."""

from __future__ import annotations

from functools import partial

import marshmallow as ma

from ehdocs.fields.types import ID_PATTERN

ID_MESSAGE = "An id must be 1 to 40 letters, digits, - or _, starting with a letter or digit"

ID_FIELD = partial(
    ma.fields.String,
    required=True,
    validate=ma.validate.Regexp(ID_PATTERN, error=ID_MESSAGE),
    error_messages={"required": "Give this record an id", "invalid": ID_MESSAGE},
)

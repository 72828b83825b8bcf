"""URL converters.

Flask's ``int`` converter accepts any number of digits, so ``/cases/99999999999999999999`` reached
the database and failed there (SQLite: "Python int too large to convert to SQLite INTEGER",
PostgreSQL: out of range for bigint) as a server error. Every id we issue is a signed 64-bit
database integer, so the app's ``int`` converter stops at that bound: a larger number matches no
route and is an ordinary 404.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

DATABASE_INT_MAX = 2**63 - 1


class DatabaseIntConverter(IntegerConverter):
    """An ``int`` URL part that fits a database integer (0 .. 2**63-1 unless narrowed further)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", DATABASE_INT_MAX)
        super().__init__(map, *args, **kwargs)

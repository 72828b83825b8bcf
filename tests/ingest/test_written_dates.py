"""Dates of birth as partners write them on a form (issue #16): in figures or with the month in
words, UK day first; what is not a whole real date is not guessed."""

from __future__ import annotations

import pytest

from ehdocs.ingest import cases as ingest_cases


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("27/03/2017", "2017-03-27"),
        ("2017-03-27", "2017-03-27"),
        ("1st Feb 2015", "2015-02-01"),
        ("1 February 2015", "2015-02-01"),
        ("Feb 1st, 2015", "2015-02-01"),
        ("30 February 2015", None),
        ("Feb 2015", None),
        ("1/2/15", None),
        ("", None),
    ],
)
def test_a_date_of_birth_is_read_as_partners_write_it(typed: str, iso: str | None) -> None:
    assert ingest_cases.parse_dob(typed) == iso

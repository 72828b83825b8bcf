"""Working days leave out weekends and bank holidays in England, checked against `holidays`."""

from __future__ import annotations

import datetime as dt

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from ehdocs.case.timescales import (
    add_months,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = dt.date
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2028))


def test_christmas_2026_facts_from_the_holidays_package():
    # 26 December 2026 is a Saturday, so Boxing Day is observed on Monday 28 December.
    assert D(2026, 12, 24).strftime("%A") == "Thursday"
    assert D(2026, 12, 25) in ENGLAND
    assert D(2026, 12, 26).strftime("%A") == "Saturday"
    assert D(2026, 12, 28) in ENGLAND
    assert D(2026, 12, 29) not in ENGLAND


def test_working_days_skip_christmas_the_weekend_and_the_substitute_day():
    # Thursday 24th: Fri 25 (holiday), Sat, Sun, Mon 28 (substitute) are skipped.
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert add_working_days(D(2026, 12, 24), 2) == D(2026, 12, 30)


def test_working_days_skip_easter():
    # Good Friday 18 April and Easter Monday 21 April 2025.
    assert add_working_days(D(2025, 4, 17), 1) == D(2025, 4, 22)
    assert add_working_days(D(2025, 4, 17), 2) == D(2025, 4, 23)


def test_working_days_cross_the_new_year():
    assert add_working_days(D(2025, 12, 24), 3) == D(2025, 12, 31)
    assert add_working_days(D(2025, 12, 24), 4) == D(2026, 1, 2)


def test_a_friday_plus_one_working_day_is_monday():
    assert add_working_days(D(2025, 3, 7), 1) == D(2025, 3, 10)


def test_zero_working_days_is_the_start_even_at_a_weekend():
    assert add_working_days(D(2025, 3, 8), 0) == D(2025, 3, 8)


def test_scottish_bank_holidays_are_working_days_in_england():
    assert is_working_day(D(2026, 1, 2))  # a bank holiday in Scotland
    assert is_working_day(D(2026, 11, 30))  # St Andrew's Day (observed), Scotland
    assert not is_working_day(D(2026, 8, 31))  # Summer bank holiday, England


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert working_days_between(D(2026, 12, 24), D(2026, 12, 30)) == 2
    assert working_days_between(D(2026, 12, 30), D(2026, 12, 24)) == -2
    assert working_days_between(D(2025, 3, 3), D(2025, 3, 3)) == 0


@settings(deadline=None)  # the first look-up of a year's holidays is slow
@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 6, 30)),
    days=st.integers(min_value=1, max_value=60),
)
def test_adding_working_days_lands_on_a_working_day_that_many_days_on(start, days):
    due = add_working_days(start, days)

    assert due.weekday() < 5 and due not in ENGLAND
    assert working_days_between(start, due) == days
    assert working_days_between(start, due - dt.timedelta(days=1)) == days - 1


def test_add_months_keeps_the_day_or_takes_the_end_of_a_short_month():
    assert add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 8, 31), 1) == D(2025, 9, 30)

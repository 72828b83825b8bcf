"""date and partial_date: ISO text, the three GOV.UK boxes, a box on a blank form, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from ehdocs.fields import PartialDate
from ehdocs.fields.fillable import DATE_HINT, PARTIAL_DATE_HINT
from tests.fields.fielddefs import display, fdef, ftype, limits, parse, refused


def test_a_date_from_iso_text_or_boxes() -> None:
    field = fdef("date", "Date of birth")
    assert parse(field, "2017-04-18") == dt.date(2017, 4, 18)
    assert parse(field, {"day": "18", "month": "4", "year": "2017"}) == dt.date(2017, 4, 18)
    assert parse(field, {"day": "", "month": "", "year": ""}) is None
    assert parse(field, "") is None
    assert parse(field, dt.date(2017, 4, 18)) == dt.date(2017, 4, 18)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2017-02-30", "Date of birth must be a real date"),
        ("2025-W10-1", "Date of birth must be a real date"),  # ISO, but not YYYY-MM-DD
        ("18/04/2017", "Date of birth must be a real date"),
        ({"day": "18", "month": "", "year": "2017"}, "Date of birth must include a month"),
        ({"day": "", "month": "", "year": "2017"}, "Date of birth must include a day and month"),
        ({"day": "x", "month": "4", "year": "2017"}, "Date of birth must be a real date"),
        ({"day": "31", "month": "4", "year": "2017"}, "Date of birth must be a real date"),
        ({"day": "18", "month": "4", "year": "17"}, "Year must include 4 numbers"),
    ],
)
def test_a_date_that_is_not_one_is_refused(raw: object, message: str) -> None:
    assert refused(fdef("date", "Date of birth"), raw) == message


def test_not_in_future() -> None:
    field = fdef("date", "Date of birth", not_in_future=True)
    assert limits(field, dt.date.today()) == []
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert limits(field, tomorrow) == ["Date of birth must be today or in the past"]
    assert limits(fdef("date"), tomorrow) == []


def test_date_display_and_json() -> None:
    field = fdef("date")
    assert display(field, dt.date(2026, 3, 2)) == "2 March 2026"
    assert ftype(field).to_json(dt.date(2026, 3, 2)) == "2026-03-02"


def test_date_on_a_blank_form() -> None:
    field = fdef("date", hint="For example, 27 3 2007")
    kind = ftype(field)
    assert kind.fill_widget(field, "docx") == "date"  # Word's date picker
    assert kind.fill_widget(field, "pdf") == "text"
    assert kind.fill_size(field, "text") == "short"
    # The web page's example is for three boxes: one box takes DD/MM/YYYY instead.
    assert kind.fill_hint(field, "For example, 27 3 2007", "text") == [DATE_HINT]
    assert kind.fill_hint(field, "When it began", "text") == ["When it began", DATE_HINT]


@pytest.mark.parametrize(
    ("typed", "raw"),
    [
        ("27/03/2026", {"day": "27", "month": "03", "year": "2026"}),
        (" 27.3.2026 ", {"day": "27", "month": "3", "year": "2026"}),
        ("27 3 2026", {"day": "27", "month": "3", "year": "2026"}),
        ("2026-03-27", "2026-03-27"),
        ("1st Feb 2015", {"day": "1", "month": "2", "year": "2015"}),  # as partners write it
        ("1 February 2015", {"day": "1", "month": "2", "year": "2015"}),
        ("Monday 3rd of March, 2016", {"day": "3", "month": "3", "year": "2016"}),
        ("31 Feb 2015", "31 Feb 2015"),  # not a real date: the validator explains
        ("1st Feb 15", "1st Feb 15"),  # a two-digit year is not guessed
        ("last week", "last week"),  # passed on for the validator to explain
    ],
)
def test_a_filled_date_box_is_read_back_as_the_boxes_validation_checks(
    typed: str, raw: object
) -> None:
    field = fdef("date")
    assert ftype(field).from_filled(typed) == raw


def test_a_partial_date_from_text_or_boxes() -> None:
    field = fdef("partial_date", "When they moved")
    assert parse(field, "2019") == PartialDate(2019)
    assert parse(field, "~2019-05") == PartialDate(2019, 5, approximate=True)
    assert parse(field, "2019-05-04") == PartialDate(2019, 5, 4)
    assert parse(field, {"day": "", "month": "5", "year": "2019", "approximate": "yes"}) == (
        PartialDate(2019, 5, approximate=True)
    )
    assert parse(field, {"day": "", "month": "", "year": ""}) is None


@pytest.mark.parametrize(
    "raw",
    [
        "2019-13-01x",
        "May 2019",
        {"day": "4", "month": "", "year": "2019"},
        {"day": "", "month": "5", "year": ""},
    ],
)
def test_a_partial_date_that_is_not_one_is_refused(raw: object) -> None:
    assert refused(fdef("partial_date", "When they moved"), raw) == (
        "Enter when they moved as a year, a month and year, or a full date"
    )


@pytest.mark.parametrize("raw", ["2023-02-30", "2019-13", "2019-00", "2019-05-00", "2019-00-05"])
def test_a_partial_date_of_the_right_shape_that_does_not_exist_must_be_real(raw: str) -> None:
    field = fdef("partial_date", "Date of birth")
    assert refused(field, raw) == "Date of birth must be a real date"


def test_partial_date_limits_display_and_json() -> None:
    field = fdef("partial_date", "When they moved", not_in_future=True)
    next_year = PartialDate(dt.date.today().year + 1)
    assert limits(field, next_year) == ["When they moved must be today or in the past"]
    assert limits(field, PartialDate(dt.date.today().year)) == []
    assert display(field, PartialDate(2019, 5, approximate=True)) == "around May 2019"
    assert display(field, PartialDate(2019, 5, 4)) == "4 May 2019"
    assert display(field, PartialDate(2019)) == "2019"
    assert ftype(field).to_json(PartialDate(2019, 5, approximate=True)) == "~2019-05"


@pytest.mark.parametrize(
    ("typed", "raw"),
    [
        ("27/03/2019", {"day": "27", "month": "03", "year": "2019"}),
        ("03/2019", {"day": "", "month": "03", "year": "2019"}),
        ("2019", {"day": "", "month": "", "year": "2019"}),
        ("~2019", {"day": "", "month": "", "year": "2019", "approximate": "yes"}),
        ("c. 2019", {"day": "", "month": "", "year": "2019", "approximate": "yes"}),
        ("around 5/2019", {"day": "", "month": "5", "year": "2019", "approximate": "yes"}),
        ("2019~", {"day": "", "month": "", "year": "2019", "approximate": "yes"}),
        ("about spring 2019", "~spring 2019"),
        ("February 2019", {"day": "", "month": "2", "year": "2019"}),
        ("about 4th May 2019", {"day": "4", "month": "5", "year": "2019", "approximate": "yes"}),
        ("2019-05", "2019-05"),
    ],
)
def test_a_filled_partial_date_box_is_read_back(typed: str, raw: object) -> None:
    field = fdef("partial_date")
    assert ftype(field).from_filled(typed) == raw
    assert ftype(field).fill_widget(field, "docx") == "text"  # Word's picker needs a day
    assert ftype(field).fill_hint(field, None, "text") == [PARTIAL_DATE_HINT]


def test_what_the_hub_sees_before_a_date_is_checked() -> None:
    # a date is shown as every date is on the hub's page; one written wrong, as written
    date, partial = fdef("date"), fdef("partial_date")
    assert ftype(date).display_sent({"day": "27", "month": "3", "year": "2026"}, date) == (
        "27 March 2026"
    )
    assert ftype(date).display_sent("2026-03-27", date) == "27 March 2026"
    assert ftype(date).display_sent({"day": "31", "month": "2", "year": "2026"}, date) == (
        "31/2/2026"
    )
    sent = {"day": "", "month": "5", "year": "2019", "approximate": "yes"}
    assert ftype(partial).display_sent(sent, partial) == "around May 2019"

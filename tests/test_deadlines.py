"""A data request's deadline (UK GDPR Art. 12(3)) as the ICO counts it: the same day next month, the
month's last day when that day does not exist, the next working day when it falls on a weekend or a
Northern Ireland bank holiday; three months when extended."""

import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jtec_forms import deadlines
from jtec_forms.retention import add_months
from project import bank_holidays

date = datetime.date.fromisoformat


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-11-30", "2026-12-30"),  # the same day next month, a Wednesday
        ("2027-03-31", "2027-04-30"),  # April has no 31st: its last day, a Friday
        ("2027-01-31", "2027-03-01"),  # 28 February 2027 is a Sunday: the Monday after
        ("2028-01-31", "2028-02-29"),  # a leap year's 29 February, a Tuesday
        ("2027-01-14", "2027-02-15"),  # 14 February 2027 is a Sunday
        ("2027-02-17", "2027-03-18"),  # 17 March, Saint Patrick's Day, a Northern Ireland bank holiday
        ("2027-06-12", "2027-07-13"),  # 12 July, the Battle of the Boyne, a Monday
        ("2027-11-25", "2027-12-29"),  # Christmas on a Saturday: both holidays observed on Monday, Tuesday
        ("2026-12-01", "2027-01-04"),  # New Year's Day, a Friday
    ],
)
def test_a_request_is_due_one_calendar_month_after_it_was_received(received, due):
    assert deadlines.due(date(received)) == date(due)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2027-01-31", "2027-04-30"),  # three months on: April's last day
        ("2026-12-29", "2027-03-30"),  # 29 March 2027 is Easter Monday
    ],
)
def test_an_extended_request_is_due_three_calendar_months_after_it_was_received(received, due):
    assert deadlines.extended_due(date(received)) == date(due)


@given(
    st.dates(min_value=datetime.date(2018, 1, 1), max_value=datetime.date(2035, 9, 30)),
    st.sampled_from([1, 3]),
)
def test_a_deadline_is_a_working_day_on_or_just_after_the_calendar_date(received, months):
    due = deadlines.due(received, months)
    calendar_date = add_months(received, months)
    assert deadlines.is_working_day(due)
    assert calendar_date <= due <= calendar_date + datetime.timedelta(days=5)
    assert all(
        not deadlines.is_working_day(calendar_date + datetime.timedelta(days=skipped))
        for skipped in range((due - calendar_date).days)
    )


def test_a_date_beyond_the_known_bank_holidays_is_refused_with_what_to_run():
    last_year = json.loads(deadlines.BANK_HOLIDAYS.read_text(encoding="utf-8"))["last_year"]
    with pytest.raises(deadlines.CalendarTooShort, match="make bank-holidays"):
        deadlines.due(datetime.date(last_year, 12, 15))


def test_the_bank_holidays_are_the_holidays_librarys_for_northern_ireland():
    stored = json.loads(deadlines.BANK_HOLIDAYS.read_text(encoding="utf-8"))
    assert stored == bank_holidays.calendar(stored["first_year"], stored["last_year"]), (
        "run make bank-holidays"
    )


def test_the_bank_holidays_reach_at_least_three_years_ahead():
    stored = json.loads(deadlines.BANK_HOLIDAYS.read_text(encoding="utf-8"))
    assert stored["last_year"] >= datetime.date.today().year + 3, "run make bank-holidays"

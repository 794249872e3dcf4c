"""When a data request must be answered (UK GDPR Art. 12(3)): one calendar month from the day it was
received, as the ICO counts it, or three months when it is extended. Plain Python: no AWS.

The ICO's rule: the corresponding day of the next month (received 3 September, due 3 October); the last
day of that month when it has no such day (received 31 January, due 28 or 29 February); and when that day
is a weekend or a bank holiday, the next working day. Bank holidays are Northern Ireland's, from
bank_holidays.json (written by `make bank-holidays` from the `holidays` library)."""

import datetime
import functools
import json
from pathlib import Path

from jtec_forms.retention import add_months

BANK_HOLIDAYS = Path(__file__).with_name("bank_holidays.json")
MONTHS_TO_ANSWER = 1
MONTHS_WHEN_EXTENDED = 3  # the month, and two more for a complex request (the person told within the first)


class CalendarTooShort(Exception):
    """bank_holidays.json does not reach the year asked about: run `make bank-holidays`."""


@functools.cache
def _calendar():
    return json.loads(BANK_HOLIDAYS.read_text(encoding="utf-8"))


def is_working_day(day):
    calendar = _calendar()
    if not calendar["first_year"] <= day.year <= calendar["last_year"]:
        raise CalendarTooShort(f"no bank holidays known for {day.year}: run make bank-holidays")
    return day.weekday() < 5 and day.isoformat() not in calendar["dates"]


def next_working_day(day):
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def due(received, months=MONTHS_TO_ANSWER):
    """The date a request received on `received` (a date) must be answered by."""
    return next_working_day(add_months(received, months))


def extended_due(received):
    return due(received, MONTHS_WHEN_EXTENDED)


def days_left(due_date, today):
    """Whole days from `today` to the due date: 0 on the day, negative once overdue."""
    return (due_date - today).days

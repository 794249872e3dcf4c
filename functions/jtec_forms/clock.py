"""The time the forms run at. In AWS it is the real time; the local stack can move it forward."""

import datetime

_offset = datetime.timedelta(0)


def now():
    """The current time, timezone-aware UTC, plus any offset the local stack has set."""
    return datetime.datetime.now(datetime.UTC) + _offset


def advance(days):
    """Move the clock forward (local stack only: `/_dev/clock`)."""
    global _offset
    _offset += datetime.timedelta(days=days)
    return now()


def reset():
    global _offset
    _offset = datetime.timedelta(0)

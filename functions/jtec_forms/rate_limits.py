"""Rate limits, counted in fixed windows in the table: per client on every form (each route's
`client_limit`), and per mailbox on every verification mail, so the forms cannot flood an inbox."""

import datetime

from jtec_forms import retention, store

WINDOW_SECONDS = 3600
MAILS_PER_MAILBOX = 3


class RateLimited(Exception):
    def __init__(self, retry_after):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _window(now):
    """The current window's start (epoch seconds), the seconds left in it, and its counters' expiry."""
    epoch = int(now.timestamp())
    start = epoch - epoch % WINDOW_SECONDS
    start_time = datetime.datetime.fromtimestamp(start, datetime.UTC)
    return (
        start,
        start + WINDOW_SECONDS - epoch,
        retention.epoch_seconds(retention.RATE_LIMIT.expires_at(start_time)),
    )


def _count(pk, what, limit, now):
    start, retry_after, expires_at = _window(now)
    if store.count_hit(pk, f"{retention.RATE_LIMIT.sort_key}{start}#{what}", expires_at) > limit:
        raise RateLimited(retry_after=retry_after)


def check_client(route, client_key, now):
    """Count one request to `route` from this client; raise RateLimited over the route's limit."""
    _count(f"RATE#client#{client_key}", route.operation_id, route.client_limit, now)


def check_mailbox(mailbox_key, now):
    """Count one verification mail to this mailbox (its counter lives in its subject partition, so
    erasing the person erases it); raise RateLimited over the limit."""
    _count(mailbox_key, "verification-mail", MAILS_PER_MAILBOX, now)

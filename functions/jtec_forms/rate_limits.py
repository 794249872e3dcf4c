"""Limits on verification emails, per address and per client, counted in fixed windows in the table."""

import datetime

from jtec_forms import retention, store

WINDOW_SECONDS = 3600
PER_ADDRESS = 3
PER_CLIENT = 10


class RateLimited(Exception):
    def __init__(self, retry_after):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def check(subject_key, client_key, now):
    """Count one verification email for this address and this client; raise RateLimited over the limit."""
    epoch = int(now.timestamp())
    window_start = epoch - epoch % WINDOW_SECONDS
    window_end = window_start + WINDOW_SECONDS
    start = datetime.datetime.fromtimestamp(window_start, datetime.UTC)
    expires_at = retention.epoch_seconds(retention.RATE_LIMIT.expires_at(start))
    counters = [
        (f"RATE#address#{subject_key.removeprefix('SUBJECT#')}", PER_ADDRESS),
        (f"RATE#client#{client_key}", PER_CLIENT),
    ]
    over = False
    for pk, limit in counters:
        if store.count_hit(pk, f"{retention.RATE_LIMIT.sort_key}{window_start}", expires_at) > limit:
            over = True
    if over:
        raise RateLimited(retry_after=window_end - epoch)

"""No enumeration by timing: subscribe, erasure and access requests, against the local stack's moto,
answer an address that is known (subscribed; holding data) in the same time as one that is not
(target: medians within 10%)."""

import statistics
import time

from bench.report import Figure, met, print_table

REQUESTS = 200
WARM_UP = 20
TARGET_RATIO = 1.10


def _request(module, context, route, body, source_ip):
    from bench.events import api_event

    event = api_event(route, body, source_ip=source_ip)
    start = time.perf_counter()
    result = module.lambda_handler(event, context)
    elapsed = time.perf_counter() - start
    assert result["statusCode"] == route.status, result
    return elapsed


def _known_addresses(count):
    """`count` addresses with an active subscription (so they hold data too)."""
    from bench.events import confirmed_subscription
    from jtec_forms import clock, store

    now = clock.now()
    for number in range(count):
        store.put(confirmed_subscription(f"known{number}@example.com", "Known", now))


def _medians(route, body_for, client):
    """Median answer time for known and unknown addresses, interleaved, each kind first in turn, so
    drift in the machine's speed hits both alike."""
    import importlib

    from local.api import LambdaContext

    module = importlib.import_module(route.handler_module)
    context = LambdaContext(route.function)
    times = {"known": [], "unknown": []}
    for number in range(REQUESTS + WARM_UP):
        pair = [("known", f"known{number}@example.com"), ("unknown", f"new{number}@example.com")]
        for label, email in pair if number % 2 else reversed(pair):
            source_ip = f"10.{client}.{number // 125}.{2 * (number % 125) + (label == 'known')}"
            elapsed = _request(module, context, route, body_for(email), source_ip)
            if number >= WARM_UP:
                times[label].append(elapsed)
    return statistics.median(times["known"]), statistics.median(times["unknown"])


def main():
    import logging

    from jtec_forms import routes
    from jtec_forms.logs import logger as forms_logger
    from local import aws_in_process
    from local.stack import LocalAws

    def sign_up(email):
        return {"name": "Bench Person", "email": email, "policy_version": "2018-05-25"}

    def data_request(email):
        return {"email": email}

    aws = LocalAws("http://127.0.0.1:8000").start()
    # Over HTTP, as the title says: each call pays a round trip, as it does to DynamoDB (this process's
    # calls would otherwise be answered in it: local/aws_in_process.py).
    aws_in_process.forget(aws.endpoint)
    forms_logger.setLevel(logging.WARNING)
    rows, figures = [], []
    try:
        _known_addresses(REQUESTS + WARM_UP)
        for client, (route, body_for) in enumerate(
            [(routes.SUBSCRIBE, sign_up), (routes.ERASURE, data_request), (routes.ACCESS, data_request)],
            start=1,
        ):
            known, unknown = _medians(route, body_for, client)
            ratio = max(known, unknown) / min(known, unknown)
            verdict = met(ratio <= TARGET_RATIO)
            rows.append(
                [
                    route.path,
                    f"{known * 1000:.1f}",
                    f"{unknown * 1000:.1f}",
                    f"{ratio:.3f}",
                    f"<= {TARGET_RATIO}",
                    verdict,
                ]
            )
            figures.append(
                Figure(
                    f"{route.path} answer time, known address (vs unknown), median of {REQUESTS}",
                    f"{known * 1000:.1f} ms",
                    f"{unknown * 1000:.1f} ms",
                    f"{ratio:.3f} (slower / faster)",
                    f"<= {TARGET_RATIO}",
                    verdict,
                )
            )
    finally:
        aws.stop()
    print_table(
        f"Answer time, known address or not (medians of {REQUESTS} each after {WARM_UP} warm-up, moto over HTTP)",
        ["request", "known ms", "unknown ms", "ratio", "target", "met"],
        rows,
    )
    return figures


if __name__ == "__main__":
    main()

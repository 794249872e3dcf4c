"""No enumeration by timing: the subscribe handler, against the local stack's moto, answers an address
that is subscribed in the same time as one that is not (target: medians within 10%)."""

import statistics
import time

from bench.report import print_table

REQUESTS = 200
WARM_UP = 20
TARGET_RATIO = 1.10


def _subscribe(module, context, route, email, number):
    from bench.events import api_event

    body = {"name": "Bench Person", "email": email, "consent": True, "policy_version": "2018-05-25"}
    event = api_event(route, body, source_ip=f"10.1.{number // 250}.{number % 250}")
    start = time.perf_counter()
    result = module.lambda_handler(event, context)
    elapsed = time.perf_counter() - start
    assert result["statusCode"] == 202, result
    return elapsed


def main():
    import importlib
    import logging

    from jtec_forms import clock, config, store, subscriptions
    from jtec_forms.logs import logger as forms_logger
    from jtec_forms.routes import SUBSCRIBE
    from jtec_forms.subjects import subject_key
    from local.api import LambdaContext
    from local.stack import LocalAws

    aws = LocalAws("http://127.0.0.1:8000").start()
    forms_logger.setLevel(logging.WARNING)
    try:
        now = clock.now()
        count = REQUESTS + WARM_UP
        for number in range(count):
            email = f"known{number}@example.com"
            consent = subscriptions.consent_proof(
                "2018-05-25", "newsletter-2026-11", "Send me news", "bench", now
            )
            pending = subscriptions.pending_item(
                subject_key(config.secret(), email), "Known", email, consent, now
            )
            store.put(subscriptions.confirmed(pending, now))
        module = importlib.import_module(SUBSCRIBE.handler_module)
        context = LambdaContext(SUBSCRIBE.function)
        times = {"subscribed": [], "not subscribed": []}
        for number in range(count):
            # Interleaved, each kind first in turn, so drift in the machine's speed hits both alike.
            pair = [
                ("subscribed", f"known{number}@example.com"),
                ("not subscribed", f"new{number}@example.com"),
            ]
            for label, email in pair if number % 2 else reversed(pair):
                elapsed = _subscribe(module, context, SUBSCRIBE, email, 2 * number + (label == "subscribed"))
                if number >= WARM_UP:
                    times[label].append(elapsed)
    finally:
        aws.stop()
    known, unknown = (statistics.median(times[label]) for label in ("subscribed", "not subscribed"))
    ratio = max(known, unknown) / min(known, unknown)
    print_table(
        f"Subscribe answer time, subscribed or not (medians of {REQUESTS} after {WARM_UP} warm-up, moto over HTTP)",
        ["address", "median ms", "ratio", "target", "met"],
        [
            ["subscribed", f"{known * 1000:.1f}", "", "", ""],
            [
                "not subscribed",
                f"{unknown * 1000:.1f}",
                f"{ratio:.3f}",
                f"<= {TARGET_RATIO}",
                "yes" if ratio <= TARGET_RATIO else "no",
            ],
        ],
    )


if __name__ == "__main__":
    main()

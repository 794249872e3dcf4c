"""Erasure cost does not grow with the table: with 1,000 and with 100,000 other people's items, erasing a
person reads exactly their items (the Query's ScannedCount) and takes about the same time."""

import statistics
import time

from bench.report import Figure, met, print_table

OTHERS = (1_000, 100_000)
PEOPLE = 7  # the first two are a warm-up
ITEMS_PER_PERSON = 30


def _populate(table, count):
    with table.batch_writer() as batch:
        for number in range(count):
            batch.put_item(
                Item={"pk": f"SUBJECT#other{number % 5000}", "sk": f"USED_LINK#{number}", "kind": "used_link"}
            )


def measure(aws, others):
    import boto3

    from jtec_forms import clock, config, erasure, store, tokens
    from jtec_forms.actions import your_data as actions
    from jtec_forms.subjects import subject_key

    aws.empty()
    _populate(boto3.resource("dynamodb").Table(config.table_name()), others)
    reads, seconds = [], []
    for number in range(PEOPLE):
        email = f"person{number}@example.com"
        subject = subject_key(config.secret(), email)
        for item in range(ITEMS_PER_PERSON):
            store.put({"pk": subject, "sk": f"USED_LINK#own{item}", "kind": "used_link"})
        token = tokens.issue(config.secret(), tokens.ERASE, subject)
        nonce = tokens.read(config.secret(), tokens.ERASE, token).nonce
        store.put(erasure.request_item(subject, nonce, email, clock.now()))
        _, items_read = store.subject_keys(subject)
        start = time.perf_counter()
        receipt = actions.confirm_erasure(token, client_ip=f"10.2.0.{number}")["receipt"]
        elapsed = time.perf_counter() - start
        assert sum(receipt["deleted"].values()) >= ITEMS_PER_PERSON + 1, receipt
        if number >= 2:
            reads.append(items_read)
            seconds.append(elapsed)
    return statistics.median(reads), statistics.median(seconds)


def main():
    import logging

    from jtec_forms.logs import logger
    from local import aws_in_process
    from local.stack import LocalAws

    logger.setLevel(logging.WARNING)
    aws = LocalAws("http://127.0.0.1:8000").start()
    # Over HTTP, as the title says: each call pays a round trip, as it does to DynamoDB (this process's
    # calls would otherwise be answered in it: local/aws_in_process.py).
    aws_in_process.forget(aws.endpoint)
    results = {}
    try:
        for others in OTHERS:
            print(f"erasure bench: {others:,} other items ...", flush=True)
            results[others] = measure(aws, others)
    finally:
        aws.stop()
    (small_reads, small_time), (large_reads, large_time) = results[OTHERS[0]], results[OTHERS[1]]
    ratio = large_time / small_time
    print_table(
        f"Erasure of one person ({ITEMS_PER_PERSON + 1} items), median of {PEOPLE - 2} after a warm-up (moto over HTTP)",
        ["other people's items", "items read", "ms", "ratio to 1,000", "target", "met"],
        [
            [f"{OTHERS[0]:,}", f"{small_reads:.0f}", f"{small_time * 1000:.1f}", "1.00", "", ""],
            [
                f"{OTHERS[1]:,}",
                f"{large_reads:.0f}",
                f"{large_time * 1000:.1f}",
                f"{ratio:.2f}",
                "same items read; time within noise (<= 1.25)",
                "yes" if large_reads == small_reads and ratio <= 1.25 else "no",
            ],
        ],
    )
    return [
        Figure(
            f"erasure, items read with {OTHERS[1]:,} other items (vs {OTHERS[0]:,})",
            f"{large_reads:.0f}",
            f"{small_reads:.0f}",
            f"{large_reads / small_reads:.2f}",
            "identical",
            met(large_reads == small_reads),
        ),
        Figure(
            f"erasure time with {OTHERS[1]:,} other items (vs {OTHERS[0]:,})",
            f"{large_time * 1000:.1f} ms",
            f"{small_time * 1000:.1f} ms",
            f"{ratio:.2f}",
            "<= 1.25 (within noise)",
            met(ratio <= 1.25),
        ),
    ]


if __name__ == "__main__":
    main()

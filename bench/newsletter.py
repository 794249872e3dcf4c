"""One news issue to 5,000 confirmed subscribers with the real `jtec newsletter send`, in its own process,
against the embedded AWS: how long it takes, the command's peak memory, and the mails sent (exactly
5,000). Then again on a fresh table, stopped half-way with Ctrl-C (SIGINT) and run again: still exactly
5,000 mails, no one's twice.

SES paces a real send (14 messages a second for a new production account, as the local stack's SES
says too): the embedded SES is given a rate no sender reaches here, so the figures are the command's own cost per message."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from bench.report import Figure, met, print_table

SUBSCRIBERS = 5_000
ISSUE = """Title: Bench news
Date: 2026-12-01
Description: An issue for the benchmark.

Hello from **the benchmark**. See [our services](/services/).
"""


def populate(table, count):
    """`count` confirmed subscriptions, as confirming sign-ups makes them."""
    from bench.events import confirmed_subscription
    from jtec_forms import clock

    now = clock.now()
    with table.batch_writer() as batch:
        for number in range(count):
            batch.put_item(Item=confirmed_subscription(f"subscriber{number}@example.com", "Bench", now))


def sent_destinations(endpoint):
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json") as answer:
        messages = json.load(answer).get("ses", {}).get("RawMessage", [])
    # moto lists an address once from Destinations and again from the message's To: count it once a message.
    return Counter(address for message in messages for address in set(message["destinations"]))


def jtec(issue_dir, environment, output):
    """`jtec newsletter send bench` in its own process, its output to the file `output`."""
    command = [str(Path(sys.executable).parent / "jtec"), "newsletter", "send", "bench"]
    with open(output, "w") as written:
        return subprocess.Popen(
            [*command, "--news-dir", str(issue_dir), "--yes", "--json"],
            env=environment,
            stdout=written,
            stderr=subprocess.STDOUT,
        )


def finished(process, output):
    """Wait for `process`: (exit status, its output, its own peak memory in MB, from wait4's usage)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, Path(output).read_text(), usage.ru_maxrss / 1024


def records_sent(table):
    from jtec_staff.queries import pages

    return sum(
        page["Count"]
        for page in pages(
            table.scan,
            Select="COUNT",
            FilterExpression="begins_with(sk, :news)",
            ExpressionAttributeValues={":news": "NEWS#bench"},
        )
    )


def main():
    import boto3

    from jtec_forms import config
    from local import moto_patches
    from local.stack import LocalAws

    send_rate, moto_patches.SES_SEND_RATE = moto_patches.SES_SEND_RATE, 100_000
    aws = LocalAws("http://127.0.0.1:8000").start()
    environment = {**os.environ, "COLUMNS": "120"}
    try:
        with tempfile.TemporaryDirectory() as scratch:
            (Path(scratch) / "bench.md").write_text(ISSUE, encoding="utf-8")
            table = boto3.resource("dynamodb").Table(config.table_name())
            populate(table, SUBSCRIBERS)
            print(f"  newsletter: sending to {SUBSCRIBERS:,} ...", flush=True)
            output = Path(scratch) / "jtec.out"
            start = time.perf_counter()
            status, out, peak_mb = finished(jtec(scratch, environment, output), output)
            seconds = time.perf_counter() - start
            if status != 0:
                raise SystemExit(f"jtec newsletter send failed: {out[-2000:]}")
            once = sent_destinations(aws.endpoint)

            aws.empty()
            populate(table, SUBSCRIBERS)
            print("  newsletter: stopped half-way, then again ...", flush=True)
            stopped = jtec(scratch, environment, output)
            deadline = time.perf_counter() + 30 * 60  # a run that died early still ends the benchmark
            while records_sent(table) < SUBSCRIBERS // 2 and time.perf_counter() < deadline:
                time.sleep(0.5)
            stopped.send_signal(signal.SIGINT)
            first = json.loads(finished(stopped, output)[1])
            second = json.loads(finished(jtec(scratch, environment, output), output)[1])
            twice = sent_destinations(aws.endpoint)
    finally:
        aws.stop()
        moto_patches.SES_SEND_RATE = send_rate
    exact = len(once) == SUBSCRIBERS and set(once.values()) == {1}
    exact_resumed = len(twice) == SUBSCRIBERS and set(twice.values()) == {1}
    print_table(
        f"News to {SUBSCRIBERS:,} subscribers (jtec newsletter send in its own process, moto over HTTP)",
        ["run", "mails", "addresses mailed twice", "time", "peak memory"],
        [
            [
                "straight through",
                f"{sum(once.values()):,}",
                f"{sum(1 for n in once.values() if n > 1)}",
                f"{seconds:.0f} s ({SUBSCRIBERS / seconds:.0f}/s)",
                f"{peak_mb:.0f} MB",
            ],
            [
                f"stopped after {first['sent']:,}, then again ({second['sent']:,} more)",
                f"{sum(twice.values()):,}",
                f"{sum(1 for n in twice.values() if n > 1)}",
                "",
                "",
            ],
        ],
    )
    return [
        Figure(
            f"newsletter: one issue to {SUBSCRIBERS:,} subscribers, mails sent (each address once)",
            f"{sum(once.values()):,}",
            target=f"exactly {SUBSCRIBERS:,}",
            met=met(exact),
        ),
        Figure(
            "newsletter: time; messages a second (jtec's own cost, SES unpaced)",
            f"{seconds:.0f} s; {SUBSCRIBERS / seconds:.0f}/s",
        ),
        Figure("newsletter: jtec's peak memory", f"{peak_mb:.0f} MB"),
        Figure(
            f"newsletter: stopped at {first['sent']:,} with Ctrl-C and run again, mails sent (each address once)",
            f"{sum(twice.values()):,}",
            target=f"exactly {SUBSCRIBERS:,}",
            met=met(exact_resumed and first["stopped"]),
        ),
    ]


if __name__ == "__main__":
    main()

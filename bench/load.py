"""Load, in two runs, each through a fresh `make serve` server (its own process: site, API, embedded
DynamoDB and SES). The second: 2,000 visitors, 20 at a time, each sending one enquiry from an address
of its own, as a busy spell brings them (the p99 must not grow with the table or with the number of
visitors). The first: 5,000 enquiry submissions from 50 concurrent clients, each client from its own
loopback address so the rate limits apply as in life. Ten rounds of ten requests a client (eight new enquiries, one sent again, one
invalid); between rounds the forms' clock moves on an hour (`/_dev/clock`), as an hour passes between
a client's tenth enquiry and its eleventh in life.

Then it counts: every accepted enquiry stored exactly once (a resend answers the first one's reference
and stores nothing), every refused one not at all, no 5xx; and reports throughput, p50 and p99, the
first 500 requests' p99 against the last 500's, and the server's peak memory (VmHWM)."""

import contextlib
import http.client
import json
import re
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.report import Figure, met, print_table
from local.serve import spawn

CLIENTS = 50
ROUNDS = 10
# The second run: this many visitors, each sending one enquiry from an address of its own, so the table
# and the set of visitors grow as they would over a busy spell.
VISITORS = 2_000
VISITORS_AT_ONCE = 20
PER_ROUND = 10  # a client's requests in one hour: at most the enquiry route's limit
MEMORY_TARGET_MB = 500
P99_RATIO_TARGET = 1.5


def memory_mb(pid, field):
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024


def enquiry(client, number):
    return {
        "name": f"Load Tester {client}-{number}",
        "email": f"load.{client}.{number}.{uuid.uuid4().hex[:6]}@example.com",
        "topic": "support",
        "message": f"Load test enquiry {number} from client {client}",
        "policy_version": "2018-05-25",
    }


def post(port, source, path, body):
    """(status, parsed answer, seconds) of one JSON POST from the loopback address `source`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    data = json.dumps(body).encode()
    start = time.perf_counter()
    connection.request("POST", path, body=data, headers={"Content-Type": "application/json"})
    answer = connection.getresponse()
    text = answer.read()
    seconds = time.perf_counter() - start
    connection.close()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = {}
    return answer.status, parsed, seconds


def source_address(client):
    """Each client's own loopback address (all of 127.0.0.0/8 is this machine)."""
    return f"127.0.{1 + client // 200}.{2 + client % 200}"


def advance_an_hour(port):
    """Move the forms' clock on an hour (`/_dev/clock`): each client's rate limit starts afresh."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request(
        "POST",
        "/_dev/clock",
        body=json.dumps({"advance_days": 1 / 24}),
        headers={"Content-Type": "application/json"},
    )
    connection.getresponse().read()
    connection.close()


def send(port, client, kind, body, results):
    status, answer, seconds = post(port, source_address(client), "/api/enquiry", body)
    results.append(
        {
            "kind": kind,
            "email": body["email"],
            "status": status,
            "answer": answer,
            "seconds": seconds,
            "at": time.perf_counter(),
        }
    )


def client_round(port, client, round_number, results):
    """One client's hour: eight new enquiries, the first of them sent again, one invalid."""
    sent = [enquiry(client, round_number * PER_ROUND + n) for n in range(PER_ROUND - 2)]
    plan = [("new", body) for body in sent] + [
        ("again", sent[0]),
        ("invalid", {**sent[1], "email": "not an address"}),
    ]
    for kind, body in plan:
        send(port, client, kind, body, results)


def stored_enquiries(port):
    import boto3

    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/_dev/", headers={"Accept": "application/json"})
    index = json.loads(connection.getresponse().read())
    table = boto3.resource(
        "dynamodb",
        endpoint_url=index["dynamodb_endpoint"],
        region_name="eu-west-2",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Table(index["table"])
    items, start = [], {}
    while True:
        page = table.scan(**start)
        items += [item for item in page["Items"] if item.get("kind") == "enquiry"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


@contextlib.contextmanager
def served():
    """A fresh `make serve` server in its own process for one run: (its process, its port)."""
    with tempfile.TemporaryDirectory() as output:
        process, base_url = spawn(output)
        try:
            yield process, int(base_url.rsplit(":", 1)[1])
        finally:
            process.terminate()
            process.wait(timeout=30)


def run_together(threads):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def p99(values):
    return statistics.quantiles(values, n=100)[98]


def visitor_address(number):
    """Visitor `number`'s own loopback address (127.0.0.0/8 is all this machine)."""
    return f"127.{1 + number // 60_000}.{(number // 250) % 240 + 1}.{number % 250 + 2}"


def visitors_run():
    """VISITORS enquiries, VISITORS_AT_ONCE at a time, each from its own address, through a fresh server:
    every one stored once, no 5xx, and the p99 of the last 500 against the first 500."""
    import queue

    waiting = queue.Queue()
    for number in range(VISITORS):
        waiting.put(number)
    results = []

    def visitor():
        while True:
            try:
                number = waiting.get_nowait()
            except queue.Empty:
                return
            body = enquiry(f"visitor{number}", 0)
            status, answer, seconds = post(port, visitor_address(number), "/api/enquiry", body)
            results.append(
                {"email": body["email"], "status": status, "seconds": seconds, "at": time.perf_counter()}
            )

    with served() as (process, port):
        run_together([threading.Thread(target=visitor) for _ in range(VISITORS_AT_ONCE)])
        peak_mb = memory_mb(process.pid, "VmHWM")
        stored = stored_enquiries(port)
    results.sort(key=lambda result: result["at"])
    seconds = [result["seconds"] for result in results]
    first, last = p99(seconds[:500]), p99(seconds[-500:])
    stored_emails = [item["email"] for item in stored]
    once = sorted(stored_emails) == sorted(result["email"] for result in results if result["status"] == 201)
    server_errors = sum(1 for result in results if result["status"] >= 500)
    print_table(
        f"Load: {VISITORS} visitors, {VISITORS_AT_ONCE} at a time, each from its own address",
        ["figure", "value"],
        [
            ["accepted", sum(1 for result in results if result["status"] == 201)],
            ["stored exactly once", "yes" if once else "NO"],
            ["5xx", server_errors],
            ["p99 first 500 / last 500", f"{first * 1000:.0f} / {last * 1000:.0f} ms"],
            ["server peak memory (VmHWM)", f"{peak_mb:.0f} MB"],
        ],
    )
    return [
        Figure(
            f"load, {VISITORS} visitors each from its own address: stored once, no 5xx",
            f"{len(stored)} stored, {server_errors} 5xx",
            target="exactly once, 0",
            met=met(once and server_errors == 0),
        ),
        Figure(
            f"load, {VISITORS} visitors: p99 of the last 500 requests against the first 500",
            f"{last * 1000:.0f} ms",
            baseline=f"{first * 1000:.0f} ms",
            ratio=f"{last / first:.2f}",
            target=f"<= {P99_RATIO_TARGET}",
            met=met(last / first <= P99_RATIO_TARGET),
        ),
    ]


def main():
    return clients_run() + visitors_run()


def clients_run():
    with served() as (process, port):
        # Warm-up, not timed: one enquiry from each client (the server imports and builds what a first
        # request needs); they are counted with the rest below.
        warm_up = []
        run_together(
            [
                threading.Thread(target=send, args=(port, client, "new", enquiry(client, -1), warm_up))
                for client in range(CLIENTS)
            ]
        )
        advance_an_hour(port)
        results = []
        wall = time.perf_counter()
        for round_number in range(ROUNDS):
            run_together(
                [
                    threading.Thread(target=client_round, args=(port, client, round_number, results))
                    for client in range(CLIENTS)
                ]
            )
            this_round = [result["seconds"] for result in results[-CLIENTS * PER_ROUND :]]
            print(
                f"  round {round_number + 1}/{ROUNDS}: {len(results)} requests, this round's p50"
                f" {statistics.median(this_round) * 1000:.0f} ms, p99 {p99(this_round) * 1000:.0f} ms,"
                f" server {memory_mb(process.pid, 'VmRSS'):.0f} MB",
                flush=True,
            )
            advance_an_hour(port)
        wall = time.perf_counter() - wall
        peak_mb = memory_mb(process.pid, "VmHWM")
        stored = stored_enquiries(port)

    results.sort(key=lambda result: result["at"])
    counted = warm_up + results  # every answer is checked; only the timed ones are timed
    statuses = {}
    for result in counted:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    by_email = {}
    for item in stored:
        by_email.setdefault(item["email"], []).append(item)
    new = [result for result in counted if result["kind"] == "new"]
    again = [result for result in counted if result["kind"] == "again"]
    refused = [result for result in counted if result["status"] >= 400]
    accepted_once = all(
        result["status"] != 201 or len(by_email.get(result["email"], [])) == 1 for result in new
    )
    resends_same = all(
        result["status"] == 201 and result["answer"]["reference"] == by_email[result["email"]][0]["reference"]
        for result in again
    )
    refused_unstored = all(result["kind"] != "new" or result["email"] not in by_email for result in refused)
    lost = [result for result in new if result["status"] == 201 and result["email"] not in by_email]
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    seconds = [result["seconds"] for result in results]
    first, last = p99(seconds[:500]), p99(seconds[-500:])
    print_table(
        f"Load: {len(results)} timed enquiry submissions (after {len(warm_up)} to warm up), {CLIENTS} concurrent"
        " clients, make serve's server",
        ["figure", "value"],
        [
            [
                "answers by status",
                ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items())),
            ],
            ["enquiries stored", len(stored)],
            ["accepted stored exactly once", "yes" if accepted_once else "NO"],
            ["resends answered with the first reference, nothing stored", "yes" if resends_same else "NO"],
            ["refused stored", "none" if refused_unstored else "SOME"],
            ["accepted but lost", len(lost)],
            ["throughput", f"{len(results) / wall:.1f} requests/s"],
            ["p50 / p99", f"{statistics.median(seconds) * 1000:.0f} / {p99(seconds) * 1000:.0f} ms"],
            ["p99 first 500 / last 500", f"{first * 1000:.0f} / {last * 1000:.0f} ms"],
            ["server peak memory (VmHWM)", f"{peak_mb:.0f} MB"],
        ],
    )
    counted = accepted_once and resends_same and refused_unstored and not lost and server_errors == 0
    return [
        Figure(
            f"load: {len(results)} submissions, {CLIENTS} clients: each accepted stored once, refused none, no 5xx",
            f"{len(stored)} stored, {server_errors} 5xx, {len(lost)} lost",
            target="exactly once, none, 0",
            met=met(counted),
        ),
        Figure(
            "load: throughput; p50 / p99",
            f"{len(results) / wall:.1f} req/s; {statistics.median(seconds) * 1000:.0f} / {p99(seconds) * 1000:.0f} ms",
        ),
        Figure(
            "load: p99 of the last 500 requests against the first 500",
            f"{last * 1000:.0f} ms",
            baseline=f"{first * 1000:.0f} ms",
            ratio=f"{last / first:.2f}",
            target=f"<= {P99_RATIO_TARGET}",
            met=met(last / first <= P99_RATIO_TARGET),
        ),
        Figure(
            "load: make serve's server, peak memory",
            f"{peak_mb:.0f} MB",
            target=f"< {MEMORY_TARGET_MB} MB",
            met=met(peak_mb < MEMORY_TARGET_MB),
        ),
    ]


if __name__ == "__main__":
    main()

"""Lambda cost of our own code: cold import of each handler module against `import boto3` alone (what a
cold start pays), and warm per-request time with DynamoDB and SES stubbed out."""

import os
import statistics
import subprocess
import sys
import time

from bench.report import Figure, met, print_table

HANDLERS = [
    "jtec_forms.handlers.enquiry",
    "jtec_forms.handlers.subscription",
    "jtec_forms.handlers.your_data",
]
COLD_RUNS = 21
WARM_REQUESTS = 2000


def cold_import_seconds(modules):
    """Median time to import each entry of `modules` in a fresh interpreter (bytecode cached, as in
    Lambda). Runs are interleaved so that drift in the machine's speed hits every entry alike."""
    samples = {module: [] for module in modules}
    for _ in range(COLD_RUNS):
        for module in modules:
            code = f"import time; start = time.perf_counter(); import {module}; print(time.perf_counter() - start)"
            run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            samples[module].append(float(run.stdout))
    return {module: statistics.median(times) for module, times in samples.items()}


class _StubTable:
    name = "stub"

    def __init__(self):
        self.meta = type("Meta", (), {"client": self})()

    def get_item(self, **kwargs):
        return {}

    def update_item(self, **kwargs):
        return {"Attributes": {"hits": 1}}

    def transact_write_items(self, steps):
        return {}

    def query(self, **kwargs):
        return {"Items": [], "Count": 0, "ScannedCount": 0}

    def put_item(self, **kwargs):
        return {}

    def delete_item(self, **kwargs):
        return {}


class _StubSes:
    def send_raw_email(self, **kwargs):
        return {"MessageId": "stub"}


def stub_aws():
    os.environ.update(
        {
            "TABLE_NAME": "stub",
            "MAIL_FROM": "forms@jtec.invalid",
            "STAFF_EMAIL": "staff@jtec.invalid",
            "SITE_URL": "https://www.example.test",
            "APP_SECRET": "bench-secret",
            "ORIGIN_SECRET": "bench-origin-secret",
            "AWS_DEFAULT_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    from jtec_forms import mailer, store

    table = _StubTable()
    store.table = lambda: table
    mailer._client = lambda: _StubSes()


def warm_request_times(path, body):
    import importlib

    from bench.events import api_event
    from jtec_forms.routes import BY_PATH
    from local.api import LambdaContext

    route = BY_PATH[path]
    module = importlib.import_module(route.handler_module)
    context = LambdaContext(route.function)
    times = []
    for number in range(WARM_REQUESTS):
        request = api_event(route, body(number), source_ip=f"10.0.{number // 250}.{number % 250}")
        start = time.perf_counter()
        result = module.lambda_handler(request, context)
        times.append(time.perf_counter() - start)
        assert result["statusCode"] < 500 and result["statusCode"] != 403, result
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)]


def enquiry(number):
    return {
        "name": "Bench Person",
        "email": f"bench{number}@example.com",
        "topic": "support",
        "message": "A message of ordinary length about a printer that will not print.",
        "policy_version": "2018-05-25",
    }


def invalid_enquiry(number):
    return {"name": "", "email": "nope", "topic": "x", "message": "", "policy_version": "v"}


def subscribe(number):
    return {
        "name": "Bench",
        "email": f"bench{number}@example.com",
        "policy_version": "2018-05-25",
    }


def main():
    # The handlers import boto3 lazily, on the first request: the last row shows that total, so nothing hides.
    first_request = f"{HANDLERS[0]}, boto3, boto3.dynamodb.conditions"
    medians = cold_import_seconds(["boto3", *HANDLERS, first_request])
    boto3_seconds = medians["boto3"]
    rows = [["import boto3", f"{boto3_seconds * 1000:.0f}", "1.00"]]
    for module in HANDLERS:
        seconds = medians[module]
        rows.append([f"import {module}", f"{seconds * 1000:.0f}", f"{seconds / boto3_seconds:.2f} (<= 1.3)"])
    total = medians[first_request]
    rows.append(
        [
            f"import {HANDLERS[0]} + boto3 (first request)",
            f"{total * 1000:.0f}",
            f"{total / boto3_seconds:.2f}",
        ]
    )
    print_table(f"Cold import, median of {COLD_RUNS} fresh interpreters", ["what", "ms", "x boto3"], rows)
    figures = [
        Figure(
            f"cold import of {module.rsplit('.', 1)[-1]} handler (vs import boto3)",
            f"{medians[module] * 1000:.0f} ms",
            f"{boto3_seconds * 1000:.0f} ms",
            f"{medians[module] / boto3_seconds:.2f}",
            "<= 1.3",
            met(medians[module] / boto3_seconds <= 1.3),
        )
        for module in HANDLERS
    ]
    figures.append(
        Figure(
            "cold import of enquiry handler + boto3 (its first request; vs import boto3)",
            f"{total * 1000:.0f} ms",
            f"{boto3_seconds * 1000:.0f} ms",
            f"{total / boto3_seconds:.2f}",
        )
    )

    stub_aws()
    import logging

    logging.getLogger("jtec-forms").setLevel(logging.WARNING)
    rows = []
    for label, path, body in [
        ("enquiry, valid (201)", "/api/enquiry", enquiry),
        ("enquiry, invalid (400)", "/api/enquiry", invalid_enquiry),
        ("subscribe, valid (202)", "/api/subscribe", subscribe),
    ]:
        p50, p99 = warm_request_times(path, body)
        rows.append([label, f"{p50 * 1000:.3f}", f"{p99 * 1000:.3f}"])
        figures.append(
            Figure(
                f"warm request, our code only: {label}, p50",
                f"{p50 * 1000:.3f} ms",
                target="< 1 ms",
                met=met(p50 < 0.001),
            )
        )
    print_table(
        f"Warm request, our code only (DynamoDB and SES stubbed), {WARM_REQUESTS} requests",
        ["request", "p50 ms (< 1)", "p99 ms"],
        rows,
    )
    return figures


if __name__ == "__main__":
    main()

"""Cold start, end to end: in a fresh interpreter against the embedded AWS (moto server, real HTTP),
import the enquiry handler and serve its first enquiry; against a bare handler that imports boto3 and
makes the same writes an enquiry needs at the least (one `put_item`, one `send_raw_email`). Runs are
interleaved, so drift in the machine's speed hits both alike; each figure is the median.

When ours costs more than the target, the report names what its import pays for: `python -X
importtime`, summed by top-level package."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import Figure, met, print_table

RUNS = 15
TARGET_RATIO = 1.25
PROJECT_DIR = Path(__file__).resolve().parent.parent

OURS = """
import json, sys, time, uuid
event = json.load(open(sys.argv[1]))

class Context:  # what Powertools reads of Lambda's context (local.api's would import our package early)
    function_name, function_version, memory_limit_in_mb = "enquiry", "$LATEST", 256
    invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:enquiry"
    aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self):
        return 10_000

context = Context()
start = time.perf_counter()
from jtec_forms.handlers import enquiry
imported = time.perf_counter()
answer = enquiry.lambda_handler(event, context)
done = time.perf_counter()
assert answer["statusCode"] == 201, answer
print(json.dumps({"import": imported - start, "first": done - imported}))
"""

BARE = """
import json, os, sys, time, uuid
start = time.perf_counter()
import boto3
imported = time.perf_counter()
boto3.client("dynamodb").put_item(
    TableName=os.environ["TABLE_NAME"],
    Item={"pk": {"S": "BARE#" + uuid.uuid4().hex}, "sk": {"S": "ENQUIRY"}, "message": {"S": "hello"}},
)
boto3.client("ses").send_raw_email(
    Source=os.environ["MAIL_FROM"],
    Destinations=[os.environ["STAFF_EMAIL"]],
    RawMessage={"Data": b"From: forms@jtec.invalid\\r\\nTo: staff@jtec.invalid\\r\\nSubject: New enquiry\\r\\n\\r\\nA new enquiry.\\r\\n"},
)
done = time.perf_counter()
print(json.dumps({"import": imported - start, "first": done - imported}))
"""


# What each measure saves: the cost, in a fresh interpreter, of what the functions no longer do (after
# what they still do, `before`), so the figure is the milliseconds the measure takes off a cold start.
SAVINGS = [
    (
        "forms' rules generated from the schemas, not jsonschema at run time",
        "from jtec_forms.validation import schema",
        "import jsonschema; jsonschema.Draft202012Validator(schema('enquiry')).is_valid({})",
    ),
    (
        "own router, not Powertools' event_handler package",
        "import aws_lambda_powertools.logging",
        "import aws_lambda_powertools.event_handler",
    ),
    (
        "plain addresses decided without importing email-validator",
        "import idna",
        "import email_validator",
    ),
    (
        "clients from botocore's session, not boto3 (which imports s3transfer)",
        "import botocore.session; botocore.session.get_session()",
        "import boto3.dynamodb.types",
    ),
    (
        "DynamoDB's client, not boto3's resource",
        "import boto3; boto3.client('dynamodb')",
        "boto3.resource('dynamodb').Table('jtec')",
    ),
]
SAVING_RUNS = 9


def saving_ms(before, code):
    """Median milliseconds of `code` after `before`, each run in a fresh interpreter."""
    timer = f"import time; {before}; start = time.perf_counter(); {code}; print(time.perf_counter() - start)"
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-2"}
    times = []
    for _ in range(SAVING_RUNS):
        answer = subprocess.run(
            [sys.executable, "-c", timer],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        times.append(float(answer.stdout.strip().splitlines()[-1]))
    return statistics.median(times) * 1000


def enquiry_event(number):
    from bench.events import api_event
    from jtec_forms.routes import ENQUIRY

    body = {
        "name": "Cold Start",
        "email": f"cold.start.{number}@example.com",
        "topic": "support",
        "message": "Is it warm yet?",
        "policy_version": "2018-05-25",
    }
    # Each run from its own address, as a first visitor would be (no rate limit carried over).
    return api_event(ENQUIRY, body, source_ip=f"198.51.100.{number % 250 + 1}")


def run(code, *arguments):
    answer = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    if answer.returncode != 0:
        raise SystemExit(answer.stderr[-2000:])
    return json.loads(answer.stdout.strip().splitlines()[-1])


def import_costs(module):
    """Milliseconds of `import module` by top-level package (self time summed), the largest first."""
    answer = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    costs = {}
    for line in answer.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        package = name.strip().split(".")[0]
        costs[package] = costs.get(package, 0) + int(self_us) / 1000
    return sorted(costs.items(), key=lambda item: -item[1])


def main():
    from local.stack import LocalAws

    aws = LocalAws("http://127.0.0.1:8000").start()
    try:
        samples = {"ours": [], "bare": []}
        with tempfile.TemporaryDirectory() as scratch:
            for number in range(RUNS):
                event_file = Path(scratch) / f"event{number}.json"
                event_file.write_text(json.dumps(enquiry_event(number)))
                samples["ours"].append(run(OURS, str(event_file)))
                samples["bare"].append(run(BARE))
                print(f"  cold start {number + 1}/{RUNS}", flush=True)
    finally:
        aws.stop()

    def median(kind, part):
        values = [
            sample[part] if part != "total" else sample["import"] + sample["first"]
            for sample in samples[kind]
        ]
        return statistics.median(values)

    rows, figures = [], []
    for part, what in [
        ("import", "import"),
        ("first", "first request"),
        ("total", "import and first request"),
    ]:
        ours, bare = median("ours", part), median("bare", part)
        rows.append([what, f"{ours * 1000:.0f}", f"{bare * 1000:.0f}", f"{ours / bare:.2f}"])
        figures.append(
            Figure(
                f"cold start, end to end: {what} (enquiry handler against bare boto3)",
                f"{ours * 1000:.0f} ms",
                baseline=f"{bare * 1000:.0f} ms",
                ratio=f"{ours / bare:.2f}",
                target=f"<= {TARGET_RATIO}" if part == "total" else "",
                met=met(ours / bare <= TARGET_RATIO) if part == "total" else "",
            )
        )
    print_table(
        "Cold start, end to end (median of interleaved fresh interpreters)",
        ["what", "ours ms", "bare ms", "ratio"],
        rows,
    )
    saved = [(measure, saving_ms(before, code)) for measure, before, code in SAVINGS]
    print_table(
        "What each measure takes off a cold start (median of fresh interpreters)",
        ["measure", "ms saved"],
        [[measure, f"{ms:.0f}"] for measure, ms in saved],
    )
    figures += [Figure(f"cold start saved by: {measure}", f"{ms:.0f} ms") for measure, ms in saved]
    costs = import_costs("jtec_forms.handlers.enquiry")
    print_table(
        "What importing the enquiry handler pays for (python -X importtime, self time by package)",
        ["package", "ms"],
        [[package, f"{ms:.1f}"] for package, ms in costs[:12]],
    )
    return figures


if __name__ == "__main__":
    main()

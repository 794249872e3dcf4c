"""Run under the Lambda runtime's Python by tests/test_lambda_artefact.py, with only what the artefact
holds (its jtec_forms, the lock's libraries) and boto3: import each handler and answer the requests in
the JSON file named on the command line, against the embedded AWS the environment points at. Links
from the mails the requests cause are read from moto's outbox, as a person would click them. Prints one
JSON line: the status of each request, and the audit handler's answer. Standard library only."""

import email
import importlib
import json
import os
import re
import sys
import urllib.request
import uuid
from email import policy
from urllib.parse import parse_qs, urlsplit

LINK = re.compile(r"https?://\S+")


class Context:
    function_version, memory_limit_in_mb = "$LATEST", 256
    log_group_name, log_stream_name = "/aws/lambda/runtime-check", "local"

    def __init__(self, function):
        self.function_name = function
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-2:000000000000:function:{function}"
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self):
        return 10_000


def last_token(page):
    """The token of the newest mailed link to the site page `page`."""
    with urllib.request.urlopen(os.environ["AWS_ENDPOINT_URL"] + "/moto-api/data.json") as answer:
        raw_mails = json.load(answer).get("ses", {}).get("RawMessage", [])
    for raw in reversed(raw_mails):
        text = email.message_from_string(raw["raw_data"], policy=policy.default).get_content()
        for link in LINK.findall(text):
            parts = urlsplit(link)
            if parts.path == page and "token" in parse_qs(parts.query):
                return parse_qs(parts.query)["token"][0]
    raise SystemExit(f"no mailed link to {page}")


def main():
    with open(sys.argv[1], encoding="utf-8") as plan:
        steps = json.load(plan)
    statuses = []
    for step in steps["requests"]:
        event = step["event"]
        if step.get("token_from_mail_to"):
            event["body"] = json.dumps({"token": last_token(step["token_from_mail_to"])})
        handler = importlib.import_module(f"jtec_forms.handlers.{step['function']}")
        answer = handler.lambda_handler(event, Context(step["function"]))
        statuses.append(answer["statusCode"])
    audit = importlib.import_module("jtec_forms.handlers.expiry_audit")
    audited = audit.lambda_handler(steps["stream_event"], Context("expiry_audit"))
    print(json.dumps({"python": sys.version.split()[0], "statuses": statuses, "audit": audited}))


if __name__ == "__main__":
    main()

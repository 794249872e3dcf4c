"""The AWS calls each form makes, on its first request and on a later one (the same form sent again, a
link used again), counted against the embedded AWS by a hook on every botocore client; each call with
the function of ours that made it and that function's own first line, which says why it is needed.
A call costs a round trip on every request and a first use of its operation on a cold start, so the
list is the place to look before adding one (docs/performance.md prints it)."""

import importlib
import inspect
from urllib.parse import parse_qs, urlsplit

from bench.report import print_table

# The modules that carry a call rather than decide it: a call is put down to the first caller outside.
CARRIERS = {"jtec_forms.store", "jtec_forms.dynamodb", "jtec_forms.mailer", "jtec_forms.actions.common"}
HEADERS = ["route", "request", "#", "call", "made by", "why (its first line)"]
PERSON = {"name": "Calls Counted", "email": "calls.counted@example.com", "policy_version": "2018-05-25"}


def _reason():
    """The first function of ours up the stack, outside the carriers, that says what it does."""
    for frame in inspect.stack()[2:]:
        module = frame.frame.f_globals.get("__name__", "")
        if not module.startswith("jtec_forms.") or module in CARRIERS:
            continue
        doc = inspect.getdoc(frame.frame.f_globals.get(frame.function))
        if doc:
            first = " ".join(doc.split("\n\n")[0].split()).split(". ")[0].split(": ")[0]
            return f"{module.removeprefix('jtec_forms.')}.{frame.function}", first
    return "?", ""


def _last_token(endpoint, page):
    """The token of the newest mailed link to the site page `page`."""
    from local.dev import sent_mail

    for mail in reversed(sent_mail(endpoint)):
        for link in mail["links"]:
            parts = urlsplit(link)
            if parts.path == page and "token" in parse_qs(parts.query):
                return parse_qs(parts.query)["token"][0]
    raise SystemExit(f"no mailed link to {page}")


def main():
    from bench.events import api_event
    from jtec_forms import clock, mailer, rate_limits, routes, store
    from local.api import LambdaContext
    from local.stack import LocalAws

    aws = LocalAws("http://127.0.0.1:8000").start()
    calls = []

    def record(event_name, **kwargs):
        operation = event_name.split(".")[-1]
        calls.append((operation, *_reason()))

    store.table().meta.client.meta.events.register("before-call", record)
    mailer._client().meta.events.register("before-call", record)
    plan = [
        (routes.ENQUIRY, {**PERSON, "topic": "support", "message": "How many calls?"}),
        (routes.SUBSCRIBE, PERSON),
        (routes.CONFIRM_SUBSCRIPTION, None),
        (routes.UNSUBSCRIBE, None),
        (routes.ACCESS, {"email": PERSON["email"]}),
        (routes.CONFIRM_ACCESS, None),
        (routes.ERASURE, {"email": PERSON["email"]}),
        (routes.CONFIRM_ERASURE, None),
    ]
    rows = []
    try:
        for route, body in plan:
            handler = importlib.import_module(route.handler_module)
            clock.advance(rate_limits.WINDOW_SECONDS / 86400)  # each route in a fresh rate-limit window
            if body is None:
                body = {"token": _last_token(aws.endpoint, route.form_page)}
            for when in ("first", "again"):
                calls.clear()
                answer = handler.lambda_handler(api_event(route, body), LambdaContext(route.function))
                assert answer["statusCode"] == route.status or when == "again", answer
                for number, (operation, caller, why) in enumerate(calls, 1):
                    rows.append(
                        [f"{route.method} {route.path}" if number == 1 else "", when if number == 1 else ""]
                    )
                    rows[-1] += [str(number), operation, caller, why]
                if not calls:
                    rows.append([f"{route.method} {route.path}", when, "0", "", "", ""])
    finally:
        aws.stop()
    print_table(
        "AWS calls per request (first, and the same request again)",
        HEADERS,
        rows,
    )
    return rows


if __name__ == "__main__":
    main()

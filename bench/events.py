"""What the benchmarks put in front of the functions: API Gateway events, built by the local adapter from a
werkzeug request, and confirmed subscriptions as confirming a sign-up makes them."""

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from local.api import http_api_event


def api_event(route, body, source_ip="127.0.0.1"):
    environ = EnvironBuilder(
        path=route.path, method=route.method, json=body, environ_base={"REMOTE_ADDR": source_ip}
    ).get_environ()
    return http_api_event(Request(environ))


def confirmed_subscription(email, name, now):
    """The item of an active subscription for `email`, as confirming its sign-up at `now` makes it."""
    from jtec_forms import config, subscriptions
    from jtec_forms.subjects import subject_key

    consent = subscriptions.consent_proof(
        {"policy_version": "2018-05-25"}, "newsletter-2026-11", "Send me news", "bench", now
    )
    pending = subscriptions.pending_item(subject_key(config.secret(), email), name, email, consent, now)
    return subscriptions.confirmed(pending, now)

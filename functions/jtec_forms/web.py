"""HTTP for the forms: refuse what did not come through CloudFront, refuse what is wrong with a status that
says why, and shape answers (JSON for fetch; a 303, a page, or the form again for plain form posts).
Reading a form post is form_posts.py's job."""

import hmac
import json

from jtec_forms import config, mailer, once, pages, rate_limits, routes, store
from jtec_forms.actions.enquiry import Unfinished
from jtec_forms.form_posts import JSON_TYPE, typed_values, wants_html
from jtec_forms.refusals import FieldError, Refused
from jtec_forms.router import Response

# A resend after this finds an unfinished attempt's lease run out (once.py), so it can finish the job.
RETRY_AFTER_SECONDS = once.STEP_LEASE_SECONDS
# Answers hold personal data or one person's state: no cache, shared or private, may keep them.
NO_STORE = {"Cache-Control": "no-store"}


# CloudFront adds both to every request it sends to the API (infra/template.yaml): the secret from SSM,
# which proves the request came through the distribution, and the viewer's own address and port.
ORIGIN_HEADER = "x-origin-verify"
VIEWER_ADDRESS_HEADER = "cloudfront-viewer-address"
THROUGH_THE_SITE_ONLY = "This address answers only requests sent through the website"


def from_cloudfront(event):
    """True when the raw event carries the origin secret CloudFront adds (compared in constant time)."""
    expected = config.origin_secret()
    sent = ((event.get("headers") or {}).get(ORIGIN_HEADER) or "").encode()
    return expected is not None and hmac.compare_digest(sent, expected)


def resolve(app, event, context):
    """The API's way in, before anything else: a request that did not come through CloudFront (the API's
    own domain called directly) gets 403 and nothing is read, counted or written."""
    if not from_cloudfront(event):
        body = json.dumps({"errors": [{"field": None, "message": THROUGH_THE_SITE_ONLY}]})
        return {"statusCode": 403, "headers": {"Content-Type": JSON_TYPE, **NO_STORE}, "body": body}
    return app.resolve(event, context)


def client_ip(event):
    """The client's address for per-client limits: the viewer address CloudFront gives (the source IP is
    CloudFront's edge, shared by everyone behind it). Only called once `from_cloudfront` held."""
    viewer = event.headers.get(VIEWER_ADDRESS_HEADER) or ""
    address = viewer.rsplit(":", 1)[0].strip("[]") if ":" in viewer else ""
    return address or event.source_ip or "unknown"


DOWNLOAD_NAME = "jtec-your-data.json"


def respond(submission, body):
    """Done: a form post goes on to the route's thank-you page, or gets the route's result page; a JSON
    post gets `body`; `format=json` gets it as a file to keep."""
    route = submission.route
    if submission.data.get("format") == "json":
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{DOWNLOAD_NAME}"'}
        return Response(
            status_code=200, content_type=JSON_TYPE, body=json.dumps(body, indent=2), headers=headers
        )
    if submission.wants_html and route.result_template:
        page = pages.render(
            route.result_template,
            route,
            answer=body,
            token=submission.data.get("token"),
            download=pages.data_uri(body),
            download_name=DOWNLOAD_NAME,
        )
        return Response(
            status_code=route.status,
            content_type="text/html; charset=utf-8",
            body=page,
            headers=dict(NO_STORE),
        )
    if submission.wants_html:
        return Response(status_code=303, headers={"Location": route.thank_you_page, **NO_STORE}, body="")
    return Response(
        status_code=route.status, content_type=JSON_TYPE, body=json.dumps(body), headers=dict(NO_STORE)
    )


def rejection(event, status, errors, retry_after=None, allow=None, as_page=False):
    """The refusal: for a plain form post (or with `as_page`, a page's address opened again) the page a
    person reads, the form given back with its errors; for anything else the API's JSON errors."""
    headers = dict(NO_STORE)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    if allow:
        headers["Allow"] = allow
    route = routes.BY_PATH.get(event.path)
    if route is not None and (as_page or (wants_html(event) and event.method == route.method)):
        return Response(
            status_code=status,
            content_type="text/html; charset=utf-8",
            body=pages.error_page(route, errors, status, typed_values(event, route)),
            headers=headers,
        )
    body = json.dumps({"errors": [error.as_json() for error in errors]})
    return Response(status_code=status, content_type=JSON_TYPE, body=body, headers=headers)


NOTHING_SAVED = "Sorry, we could not save this just now. Nothing was saved: try again in a minute."
MAYBE_SAVED = (
    "Sorry, we could not confirm that this was saved. Send it again in a minute: it will not be saved twice."
)
MAIL_DOWN = "Sorry, we could not send the email just now. Nothing was saved: try again in a minute."
UNFINISHED = (
    "We have saved your enquiry (reference {reference}) but could not finish sending it to our staff. "
    "Send it again in a minute: it will not be saved twice."
)
TOO_MANY = "You have sent this form too many times. Try again later, or telephone us."
SHOWN_ONCE = "This page is shown once, when you press the button on the page our email links to"


def register_error_handlers(app, logger):
    """Map each failure once, for every route: never a 500 for something a client sent."""

    def log_and_reject(status, errors, retry_after=None, reason=""):
        logger.info("request refused", extra={"status": status, "reason": reason})
        return rejection(app.current_event, status, errors, retry_after)

    @app.exception_handler(Refused)
    def _refused(error):
        return log_and_reject(error.status, error.errors, reason="refused")

    @app.exception_handler(rate_limits.RateLimited)
    def _rate_limited(error):
        return log_and_reject(429, [FieldError(None, TOO_MANY)], error.retry_after, reason="rate limited")

    @app.exception_handler(store.StoreUnavailable)
    def _store_down(error):
        logger.warning("store unavailable", extra={"cause": str(error), "saved": error.saved})
        message = NOTHING_SAVED if error.saved is False else MAYBE_SAVED
        return rejection(app.current_event, 503, [FieldError(None, message)], RETRY_AFTER_SECONDS)

    @app.exception_handler(mailer.MailUnavailable)
    def _mail_down(error):
        logger.warning("mail unavailable", extra={"cause": str(error)})
        return rejection(app.current_event, 503, [FieldError(None, MAIL_DOWN)], RETRY_AFTER_SECONDS)

    @app.exception_handler(Unfinished)
    def _unfinished(error):
        logger.warning("enquiry saved, not finished", extra={"cause": repr(error.__cause__)})
        message = UNFINISHED.format(reference=error.reference)
        return rejection(app.current_event, 503, [FieldError(None, message)], RETRY_AFTER_SECONDS)

    @app.not_found
    def _not_found(error):
        route = routes.BY_PATH.get(app.current_event.path)
        if route is not None and route.path in routes.PAGE_ADDRESSES:  # reloaded, bookmarked, or from history
            error = FieldError("token", SHOWN_ONCE)  # the page offers a new link
            opened = app.current_event.method == "GET"  # a person's browser: the page, not JSON
            return rejection(app.current_event, 405, [error], allow=route.method, as_page=opened)
        if route is not None:
            message = f"Use {route.method} for this address"
            return rejection(app.current_event, 405, [FieldError(None, message)], allow=route.method)
        return rejection(app.current_event, 404, [FieldError(None, "Not found")])

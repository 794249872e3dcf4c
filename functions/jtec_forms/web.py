"""HTTP for the forms: read a JSON or urlencoded body, refuse what is wrong with a status that says why,
and shape answers (JSON for fetch, 303 or an HTML page for plain form posts)."""

import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from jtec_forms import config, mailer, once, pages, rate_limits, routes, store
from jtec_forms.actions.enquiry import Unfinished
from jtec_forms.refusals import FieldError, Refused
from jtec_forms.router import Response
from jtec_forms.validation import (
    from_multipart,
    from_urlencoded,
    normalise,
    schema,
    validate,
    without_empty_optionals,
)

MAX_BODY_BYTES = 16 * 1024
MAX_FIELDS = 50
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"  # taken from mail clients' one-click unsubscribes only (RFC 8058)
# A resend after this finds an unfinished attempt's lease run out (once.py), so it can finish the job.
RETRY_AFTER_SECONDS = once.STEP_LEASE_SECONDS
# Answers hold personal data or one person's state: no cache, shared or private, may keep them.
NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class Submission:
    route: routes.Route
    data: dict
    wants_html: bool


def content_type(event):
    return (event.headers.get("content-type") or "").split(";")[0].strip().lower()


def wants_html(event):
    return content_type(event) == FORM_TYPE


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


def _body_bytes(event):
    body = event.body or ""
    if event.is_base64_encoded:
        import base64

        try:
            return base64.b64decode(body)
        except ValueError:
            return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def _parse(event, route):
    form, kind, raw = route.form, content_type(event), _body_bytes(event)
    if len(raw) > MAX_BODY_BYTES:
        raise Refused(413, [FieldError(None, f"The form is too large: send at most {MAX_BODY_BYTES} bytes")])
    if kind == MULTIPART_TYPE and route.token_in_query:  # a mail client's RFC 8058 one-click POST
        try:
            return from_urlencoded(form, from_multipart(event.headers.get("content-type"), raw, MAX_FIELDS))
        except (ValueError, LookupError):  # LookupError: a part in an unknown charset
            raise Refused(400, [FieldError(None, "The form is not valid multipart/form-data")]) from None
    if kind not in (JSON_TYPE, FORM_TYPE):
        raise Refused(415, [FieldError(None, "Send the form as application/json or urlencoded")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, [FieldError(None, "Send the form as UTF-8 text")]) from None
    if kind == JSON_TYPE:
        try:
            return json.loads(text) if text.strip() else {}, []
        except (ValueError, RecursionError):
            raise Refused(400, [FieldError(None, "The request body is not valid JSON")]) from None
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise Refused(400, [FieldError(None, f"Send at most {MAX_FIELDS} fields")]) from None
    return from_urlencoded(form, fields)


def _token_from_link(event):
    """A token carried by the link itself: in the query (RFC 8058 one-click posts) or, for a form posted
    with JavaScript off from the page the email linked to, in that page's address."""
    query = event.query_string_parameters or {}
    if query.get("token"):
        return query["token"]
    referer = urlsplit(event.headers.get("referer") or "")
    tokens = parse_qs(referer.query).get("token")
    our_hosts = {event.headers.get("host"), urlsplit(config.site_url()).netloc}
    return tokens[0] if tokens and referer.netloc in our_hosts else None


def read_submission(event, route):
    """The validated submission to `route`, or Refused with every error at once."""
    form = route.form
    data, errors = _parse(event, route)
    data = normalise(data)
    if "token" in schema(form)["properties"] and isinstance(data, dict) and not data.get("token"):
        linked = _token_from_link(event)
        if linked:
            data["token"] = linked
    errors += validate(form, data)
    if errors:
        raise Refused(400, errors)
    return Submission(route=route, data=without_empty_optionals(form, data), wants_html=wants_html(event))


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


def rejection(event, status, errors, retry_after=None, allow=None):
    headers = dict(NO_STORE)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    if allow:
        headers["Allow"] = allow
    route = routes.BY_PATH.get(event.path)
    if wants_html(event) and route is not None and event.method == route.method:
        return Response(
            status_code=status,
            content_type="text/html; charset=utf-8",
            body=pages.error_page(route, errors, status),
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
        if route is not None:
            message = f"Use {route.method} for this address"
            return rejection(app.current_event, 405, [FieldError(None, message)], allow=route.method)
        return rejection(app.current_event, 404, [FieldError(None, "Not found")])

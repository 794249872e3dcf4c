"""HTTP for the forms: read a JSON or urlencoded body, refuse what is wrong with a status that says why,
and shape answers (JSON for fetch, 303 or an HTML page for plain form posts)."""

import html
import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from aws_lambda_powertools.event_handler import Response

from jtec_forms import actions, config, mailer, rate_limits, store
from jtec_forms.validation import FieldError, from_urlencoded, normalise, validate, without_empty_optionals

MAX_BODY_BYTES = 16 * 1024
MAX_FIELDS = 50
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
RETRY_AFTER_SECONDS = 30

# The page each form lives on, for links back from the HTML error page.
FORM_PAGES = {
    "/api/enquiry": "/contact/",
    "/api/subscribe": "/newsletter/",
    "/api/subscribe/confirm": "/newsletter/confirm/",
    "/api/unsubscribe": "/newsletter/unsubscribe/",
}


class RequestRejected(Exception):
    def __init__(self, status, errors, retry_after=None):
        super().__init__(f"{status}")
        self.status = status
        self.errors = errors
        self.retry_after = retry_after


@dataclass(frozen=True)
class Submission:
    data: dict
    wants_html: bool


def content_type(event):
    return (event.headers.get("content-type") or "").split(";")[0].strip().lower()


def wants_html(event):
    return content_type(event) == FORM_TYPE


def client_ip(event):
    return event.request_context.http.source_ip or "unknown"


def _body_bytes(event):
    body = event.body or ""
    if event.is_base64_encoded:
        import base64

        try:
            return base64.b64decode(body)
        except ValueError:
            return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def _parse(event, form):
    kind = content_type(event)
    raw = _body_bytes(event)
    if len(raw) > MAX_BODY_BYTES:
        raise RequestRejected(
            413, [FieldError(None, f"The form is too large: send at most {MAX_BODY_BYTES} bytes")]
        )
    if kind not in (JSON_TYPE, FORM_TYPE):
        raise RequestRejected(415, [FieldError(None, "Send the form as application/json or urlencoded")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRejected(400, [FieldError(None, "Send the form as UTF-8 text")]) from None
    if kind == JSON_TYPE:
        try:
            return json.loads(text) if text.strip() else {}, []
        except (ValueError, RecursionError):
            raise RequestRejected(400, [FieldError(None, "The request body is not valid JSON")]) from None
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise RequestRejected(400, [FieldError(None, f"Send at most {MAX_FIELDS} fields")]) from None
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


def read_submission(event, form):
    """The validated submission, or RequestRejected with every error at once."""
    data, errors = _parse(event, form)
    data = normalise(data)
    if form == "token" and isinstance(data, dict) and not data.get("token"):
        linked = _token_from_link(event)
        if linked:
            data["token"] = linked
    errors += validate(form, data)
    if errors:
        raise RequestRejected(400, errors)
    return Submission(data=without_empty_optionals(form, data), wants_html=wants_html(event))


def respond(submission, outcome):
    if submission.wants_html:
        return Response(status_code=303, headers={"Location": outcome.thank_you_page}, body="")
    return Response(status_code=outcome.status, content_type=JSON_TYPE, body=json.dumps(outcome.body))


def error_page(form_page, errors, status):
    items = "".join(
        f'<li><a href="{html.escape(form_page)}#{html.escape(error.field)}">{html.escape(error.message)}</a></li>'
        if error.field
        else f"<li>{html.escape(error.message)}</li>"
        for error in errors
    )
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Error: there is a problem | JTec IT Solutions</title>"
        '<link rel="stylesheet" href="/theme/css/site.css"></head><body>'
        '<main id="main" class="container"><div class="error-summary" role="alert" tabindex="-1">'
        '<h1 class="error-summary__title">There is a problem</h1>'
        f'<ul class="error-summary__list">{items}</ul></div>'
        f'<p><a href="{html.escape(form_page)}">Go back to the form</a> to put this right. '
        "Your browser's back button keeps what you typed.</p>"
        f"<p>(Error {status}.)</p></main></body></html>"
    )


def rejection(event, status, errors, retry_after=None):
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    if wants_html(event):
        page = FORM_PAGES.get(event.path, "/")
        return Response(
            status_code=status,
            content_type="text/html; charset=utf-8",
            body=error_page(page, errors, status),
            headers=headers,
        )
    body = json.dumps({"errors": [error.as_json() for error in errors]})
    return Response(status_code=status, content_type=JSON_TYPE, body=body, headers=headers)


def register_error_handlers(app, logger):
    """Map each failure once, for every route: never a 500 for something a client sent."""

    def log_and_reject(status, errors, retry_after=None, reason=""):
        logger.info("request refused", extra={"status": status, "reason": reason})
        return rejection(app.current_event, status, errors, retry_after)

    @app.exception_handler(RequestRejected)
    def _rejected(error):
        return log_and_reject(error.status, error.errors, error.retry_after, reason="invalid request")

    @app.exception_handler(actions.Refused)
    def _refused(error):
        return log_and_reject(400, [FieldError(error.field, error.message)], reason="refused")

    @app.exception_handler(rate_limits.RateLimited)
    def _rate_limited(error):
        message = "You have asked for too many emails. Try again later."
        return log_and_reject(429, [FieldError(None, message)], error.retry_after, reason="rate limited")

    @app.exception_handler(store.StoreUnavailable)
    def _store_down(error):
        logger.warning("store unavailable", extra={"cause": str(error)})
        message = "Sorry, we could not save this just now. Nothing was saved: try again in a minute."
        return rejection(app.current_event, 503, [FieldError(None, message)], RETRY_AFTER_SECONDS)

    @app.exception_handler(mailer.MailUnavailable)
    def _mail_down(error):
        logger.warning("mail unavailable", extra={"cause": str(error)})
        message = "Sorry, we could not send the email just now. Nothing was saved: try again in a minute."
        return rejection(app.current_event, 503, [FieldError(None, message)], RETRY_AFTER_SECONDS)

    @app.not_found
    def _not_found(error):
        return rejection(app.current_event, 404, [FieldError(None, "Not found")])

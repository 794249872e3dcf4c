"""A form post as the handlers read it: a JSON or urlencoded body (or a mail client's multipart one-click),
its fields in the schema's types, the token an emailed link carried, then validated with every error at
once; and, for the form given back with its errors, what was typed."""

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from jtec_forms import config, routes
from jtec_forms.refusals import FieldError, Refused
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


@dataclass(frozen=True)
class Submission:
    route: routes.Route
    data: dict
    wants_html: bool


def content_type(event):
    return (event.headers.get("content-type") or "").split(";")[0].strip().lower()


def wants_html(event):
    return content_type(event) == FORM_TYPE


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


def _with_linked_token(event, route, data):
    if "token" in schema(route.form)["properties"] and isinstance(data, dict) and not data.get("token"):
        linked = _token_from_link(event)
        if linked:
            data["token"] = linked
    return data


def read(event, route):
    """The validated submission to `route`, or Refused with every error at once."""
    form = route.form
    data, errors = _parse(event, route)
    data = _with_linked_token(event, route, normalise(data))
    errors += validate(form, data)
    if errors:
        raise Refused(400, errors)
    return Submission(route=route, data=without_empty_optionals(form, data), wants_html=wants_html(event))


def typed_values(event, route):
    """What a form post carried, as it was typed, to fill the form in again: {} when it cannot be read."""
    try:
        data, _ = _parse(event, route)
    except Refused:
        return {}
    return _with_linked_token(event, route, data) if isinstance(data, dict) else {}

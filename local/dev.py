"""Dev-only routes of the local server (`/_dev/`), like LocalStack's `/_aws/`: never deployed."""

import email
import functools
import json
import math
import re
import urllib.request
from email import policy

from werkzeug.wrappers import Response

from jtec_forms import clock
from jtec_forms.access import plain
from local.app import json_error, json_response, render
from local.stack import LOOPBACK_HOSTS

LINK = re.compile(r"https?://[^\s<>\"]+")


def sent_mail(endpoint):
    """Every mail the embedded SES at `endpoint` has sent, oldest first: to, subject, text, its links, its
    HTML part (news) and headers (`/_dev/outbox`, and the benchmarks that follow a mailed link)."""
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json") as answer:
        data = json.load(answer)
    return [_mail(message["raw_data"]) for message in data.get("ses", {}).get("RawMessage", [])]


def _mail(raw_data):
    to, subject, text, links, html, headers = _read_mail(raw_data)
    return {
        "to": to,
        "subject": subject,
        "text": text,
        "links": list(links),
        "html": html,
        "headers": dict(headers),
    }


@functools.lru_cache(maxsize=4096)
def _read_mail(raw_data):
    """One sent message's parts, read once: the outbox is read after every step of a journey, and each
    reading parsed every mail sent so far again."""
    parsed = email.message_from_string(raw_data, policy=policy.default)
    text = parsed.get_content() if not parsed.is_multipart() else parsed.get_body(("plain",)).get_content()
    html_part = parsed.get_body(("html",)) if parsed.is_multipart() else None
    return (
        parsed["To"],
        parsed["Subject"],
        text,
        tuple(LINK.findall(text)),
        html_part.get_content() if html_part else None,
        tuple((name, str(value).strip()) for name, value in parsed.items()),
    )


# The dev routes answer only to a browser or tool on this machine (not to a page of another site that
# rebinds a name to 127.0.0.1), and take JSON posts only (a cross-site form can send only simple types).
MAX_ADVANCE_DAYS = 3660


class DevRoutes:
    def __init__(self, aws, table, sweeper):
        self.aws = aws
        self.table = table
        self.sweeper = sweeper

    def __call__(self, request):
        if request.host.rsplit(":", 1)[0] not in LOOPBACK_HOSTS:
            return json_error(403, "The dev routes answer only to localhost or 127.0.0.1")
        if request.method == "POST" and request.mimetype != "application/json":
            return json_error(415, "Send the dev routes JSON (Content-Type: application/json)")
        route = (request.method, request.path.rstrip("/") or "/_dev")
        handlers = {
            ("GET", "/_dev"): self.index,
            ("GET", "/_dev/items"): self.items,
            ("GET", "/_dev/outbox"): self.outbox,
            ("GET", "/_dev/audit"): self.audit,
            ("POST", "/_dev/clock"): self.move_clock,
            ("POST", "/_dev/ses-event"): self.ses_event,
            ("POST", "/_dev/digest"): self.digest,
        }
        handler = handlers.get(route)
        if handler is None:
            return json_error(404, "Not found")
        return handler(request)

    def index(self, request):
        return json_response({"dynamodb_endpoint": self.aws.endpoint, "table": self.aws.table_name})

    def items(self, request):
        items, start = [], {}
        while True:
            page = self.table.scan(ConsistentRead=True, **start)
            items += [plain(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
        return json_response(sorted(items, key=lambda item: (item["pk"], item["sk"])))

    def audit(self, request):
        """The expiry audit: one entry per item deleted by TTL (kind and times, no personal data)."""
        from boto3.dynamodb.conditions import Attr

        from jtec_forms import retention

        entries, start = [], {}
        while True:
            page = self.table.scan(FilterExpression=Attr("kind").eq(retention.EXPIRY_AUDIT.kind), **start)
            entries += [plain(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
        return json_response(sorted(entries, key=lambda entry: entry["sk"]))

    def sent_mail(self):
        return sent_mail(self.aws.endpoint)

    def outbox(self, request):
        """Every mail sent, newest first, in the page and in its JSON alike."""
        mails = list(reversed(self.sent_mail()))
        if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
            return json_response(mails)
        return Response(render("outbox.html", mails=mails), mimetype="text/html")

    def move_clock(self, request):
        try:
            days = json.loads(request.get_data(as_text=True) or "{}")["advance_days"]
            if isinstance(days, bool) or not isinstance(days, int | float) or not math.isfinite(days):
                raise ValueError
            if not 0 <= days <= MAX_ADVANCE_DAYS:
                raise ValueError
        except (ValueError, KeyError, TypeError, OverflowError):
            message = f'Send {{"advance_days": N}} with N a number of days from 0 to {MAX_ADVANCE_DAYS}'
            return json_error(400, message, field="advance_days")
        now = clock.advance(days)
        self.sweeper.sweep()
        return json_response({"now": now.isoformat(timespec="seconds")})

    def digest(self, request):
        """Run the staff digest function now, as its schedule would: its mail shows in the outbox."""
        from jtec_forms.handlers import digest
        from local.api import INVOCATION_LOCK, LambdaContext

        with INVOCATION_LOCK:
            return json_response(digest.lambda_handler({}, LambdaContext("digest")))

    def ses_event(self, request):
        """A bounce or complaint for one address, as SES reports it, run through the mail-events function."""
        from local import ses_events

        try:
            body = json.loads(request.get_data(as_text=True) or "null")
            kind, bounce_type, address, issue = ses_events.read_request(body)
        except ValueError as refused:
            return json_error(
                400, getattr(refused, "message", "Send JSON"), field=getattr(refused, "field", None)
            )
        return json_response(ses_events.deliver(ses_events.ses_event(kind, bounce_type, address, issue)))

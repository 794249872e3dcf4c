"""Every route of the forms API, declared once: the handlers, the local API adapter, the site's form
pages, the OpenAPI document and the redirects after a form post all read this table, and a test holds
`infra/template.yaml` to it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    function: str  # the handler module under jtec_forms.handlers, one Lambda function each
    form: str  # the request's JSON Schema, under jtec_forms/schemas/
    form_page: str  # the site page whose form posts here
    page_title: str  # that page's title (a site test holds the built page to it)
    thank_you_page: str  # where a plain form post is sent (303) once it is done
    summary: str
    status: int  # the status of a successful JSON answer
    answer: str  # the schema of that answer in the OpenAPI document
    client_limit: int  # requests an hour from one client (rate_limits.check_client)
    token_in_query: bool = False  # RFC 8058 one-click posts carry the token in the URL

    @property
    def handler_module(self):
        return f"jtec_forms.handlers.{self.function}"

    @property
    def operation_id(self):
        return self.path.removeprefix("/api/").replace("/", "_")


ENQUIRY = Route(
    path="/api/enquiry",
    method="POST",
    function="enquiry",
    form="enquiry",
    form_page="/contact/",
    page_title="Contact us",
    thank_you_page="/contact/thank-you/",
    summary="Send an enquiry (kept 12 months at most)",
    status=201,
    answer="Reference",
    client_limit=10,
)
SUBSCRIBE = Route(
    path="/api/subscribe",
    method="POST",
    function="subscription",
    form="subscribe",
    form_page="/newsletter/",
    page_title="Newsletter",
    thank_you_page="/newsletter/check-your-email/",
    summary="Start a double opt-in newsletter subscription",
    status=202,
    answer="Message",
    client_limit=10,
)
CONFIRM_SUBSCRIPTION = Route(
    path="/api/subscribe/confirm",
    method="POST",
    function="subscription",
    form="token",
    form_page="/newsletter/confirm/",
    page_title="Confirm your subscription",
    thank_you_page="/newsletter/confirmed/",
    summary="Confirm a subscription with the emailed token",
    status=200,
    answer="Message",
    client_limit=20,
)
UNSUBSCRIBE = Route(
    path="/api/unsubscribe",
    method="POST",
    function="subscription",
    form="token",
    form_page="/newsletter/unsubscribe/",
    page_title="Unsubscribe",
    thank_you_page="/newsletter/unsubscribed/",
    summary="Unsubscribe (RFC 8058 one-click or the emailed page)",
    status=200,
    answer="Message",
    client_limit=20,
    token_in_query=True,
)

ROUTES = (ENQUIRY, SUBSCRIBE, CONFIRM_SUBSCRIPTION, UNSUBSCRIBE)
BY_PATH = {route.path: route for route in ROUTES}
BY_FORM_PAGE = {route.form_page: route for route in ROUTES}

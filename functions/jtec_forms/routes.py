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
    submit_label: str  # the words on the form's button, on the site and on the form given back with errors
    summary: str
    status: int  # the status of a successful JSON answer
    answer: str  # the schema of that answer in the OpenAPI document
    client_limit: int  # requests an hour from one client (rate_limits.check_client)
    thank_you_page: str | None = None  # where a plain form post is sent (303) once it is done, or
    result_template: str | None = None  # the page (jtec_forms/templates/) a plain form post gets instead
    # With JavaScript the form posts JSON and shows the answer in place; off for answers that are pages
    # of their own (a receipt, a report to download).
    enhanced: bool = True
    token_in_query: bool = False  # RFC 8058 one-click posts carry the token in the URL
    # For a route that takes an emailed link: the page that sends a new one, offered when the link has
    # expired, was used or is broken.
    new_link_page: str | None = None

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
    submit_label="Send enquiry",
    # Its answer names the enquiry's reference, so a plain form post gets a page, not a static one.
    result_template="enquiry_sent.html",
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
    submit_label="Subscribe",
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
    submit_label="Confirm my subscription",
    thank_you_page="/newsletter/confirmed/",
    summary="Confirm a subscription with the emailed token",
    status=200,
    answer="Message",
    client_limit=20,
    new_link_page=SUBSCRIBE.form_page,
)
RENEW_SUBSCRIPTION = Route(
    path="/api/subscribe/renew",
    method="POST",
    function="subscription",
    form="token",
    form_page="/newsletter/renew/",
    page_title="Do you still want our news?",
    submit_label="Yes, keep sending me news",
    thank_you_page="/newsletter/renewed/",
    summary="Keep a subscription whose consent we asked to renew, with the emailed token",
    status=200,
    answer="Message",
    client_limit=20,
    new_link_page=SUBSCRIBE.form_page,
)
UNSUBSCRIBE = Route(
    path="/api/unsubscribe",
    method="POST",
    function="subscription",
    form="token",
    form_page="/newsletter/unsubscribe/",
    page_title="Unsubscribe",
    submit_label="Unsubscribe",
    thank_you_page="/newsletter/unsubscribed/",
    summary="Unsubscribe (RFC 8058 one-click or the emailed page)",
    status=200,
    answer="Message",
    client_limit=20,
    token_in_query=True,
)

ERASURE = Route(
    path="/api/erasure",
    method="POST",
    function="your_data",
    form="data_request",
    form_page="/your-data/",
    page_title="Your data",
    submit_label="Ask to delete my data",
    thank_you_page="/your-data/check-your-email/",
    summary="Ask for everything held under an email address to be deleted (emails a link to confirm)",
    status=202,
    answer="Message",
    client_limit=10,
)
CONFIRM_ERASURE = Route(
    path="/your-data/delete/receipt",
    method="POST",
    function="your_data",
    form="token",
    form_page="/your-data/delete/",
    page_title="Delete your data",
    submit_label="Delete my data",
    result_template="erasure_receipt.html",
    enhanced=False,
    summary="Confirm an erasure with the emailed token: delete everything, answer with the receipt",
    status=200,
    answer="Receipt",
    client_limit=20,
    new_link_page=ERASURE.form_page,
)
ACCESS = Route(
    path="/api/access",
    method="POST",
    function="your_data",
    form="data_request",
    form_page="/your-data/see/",
    page_title="See the data we hold",
    submit_label="Email me a link",
    thank_you_page="/your-data/check-your-email/",
    summary="Ask to see everything held under an email address (emails a link to confirm)",
    status=202,
    answer="Message",
    client_limit=10,
)
CONFIRM_ACCESS = Route(
    path="/your-data/see/report",
    method="POST",
    function="your_data",
    form="access_confirm",
    form_page="/your-data/see/confirm/",
    page_title="The data we hold about you",
    submit_label="Show my data",
    result_template="access_report.html",
    enhanced=False,
    summary="Confirm an access request with the emailed token: everything held, with purpose and expiry",
    status=200,
    answer="DataReport",
    client_limit=20,
    new_link_page=ACCESS.form_page,
)

ROUTES = (
    ENQUIRY,
    SUBSCRIBE,
    CONFIRM_SUBSCRIPTION,
    RENEW_SUBSCRIPTION,
    UNSUBSCRIBE,
    ERASURE,
    CONFIRM_ERASURE,
    ACCESS,
    CONFIRM_ACCESS,
)
BY_PATH = {route.path: route for route in ROUTES}
# Routes whose answer to a plain form post is a page of its own (the access report, the erasure receipt)
# have an address of the site, so the address bar never shows /api/: CloudFront sends each to the API as
# it sends /api/* (infra/template.yaml), and so does the local server.
PAGE_ADDRESSES = tuple(route.path for route in ROUTES if not route.path.startswith("/api/"))
# The function API Gateway's `$default` route reaches: any other method or path under /api/ gets its JSON
# answer (405 with Allow for a form's address, 404 for any other), as the local adapter gives it too.
DEFAULT_ROUTE_FUNCTION = "enquiry"
BY_FORM_PAGE = {route.form_page: route for route in ROUTES}

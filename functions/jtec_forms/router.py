"""The forms' HTTP router for API Gateway HTTP API (payload v2) events: the decorator shape of Powertools'
`APIGatewayHttpResolver` (`@app.post(path)`, `app.current_event`, `@app.exception_handler`,
`@app.not_found`, `Response`) in the few lines our routes need.

Why not Powertools' resolver: importing `aws_lambda_powertools.event_handler` runs its `__init__`, which
imports every resolver (AppSync, Bedrock, WebSockets, asyncio...) and the data classes of every event
source; that was ~100 ms of each cold start (docs/performance.md). Powertools stays for logging and batch
processing. When upstream makes those imports lazy, handlers can go back to `APIGatewayHttpResolver`:
`current_event` there has the same attributes as `HttpEvent` here, except `method` and `source_ip`
(`request_context.http.method` and `.source_ip`)."""

from dataclasses import dataclass, field


class HttpEvent:
    """What the handlers read of a payload-v2 event. Header names are lower case (API Gateway sends them
    so; a hand-made event may not)."""

    def __init__(self, raw):
        self.raw = raw
        self.headers = {str(name).lower(): value for name, value in (raw.get("headers") or {}).items()}
        http = (raw.get("requestContext") or {}).get("http") or {}
        self.method = (http.get("method") or "").upper()
        self.source_ip = http.get("sourceIp")
        self.path = raw.get("rawPath") or http.get("path") or "/"
        self.body = raw.get("body")
        self.is_base64_encoded = bool(raw.get("isBase64Encoded"))
        self.query_string_parameters = raw.get("queryStringParameters") or {}


@dataclass
class Response:
    status_code: int
    content_type: str | None = None
    body: str = ""  # every answer is text: JSON or a page
    headers: dict = field(default_factory=dict)

    def as_result(self):
        """The answer API Gateway turns into an HTTP response."""
        headers = dict(self.headers)
        if self.content_type:
            headers["Content-Type"] = self.content_type
        return {
            "statusCode": self.status_code,
            "headers": headers,
            "body": self.body,
            "isBase64Encoded": False,
        }


class NotFound(Exception):
    """No route answers this method and path."""


class Router:
    def __init__(self):
        self._routes = {}
        self._exception_handlers = {}
        self._not_found = None
        self.current_event = None

    def route(self, method, path):
        def register(function):
            self._routes[(method.upper(), path)] = function
            return function

        return register

    def post(self, path):
        return self.route("POST", path)

    def exception_handler(self, exception_type):
        def register(function):
            self._exception_handlers[exception_type] = function
            return function

        return register

    def not_found(self, function):
        self._not_found = function
        return function

    def _handler_for(self, error):
        for kind in type(error).__mro__:
            if kind in self._exception_handlers:
                return self._exception_handlers[kind]
        return None

    def resolve(self, event, context=None):
        """Answer one event: the route's answer, or what the handler registered for its exception (an
        exception nothing handles propagates, as in Lambda, where it becomes a 500 and an Errors alarm)."""
        self.current_event = HttpEvent(event)
        try:
            function = self._routes.get((self.current_event.method, self.current_event.path))
            if function is None:
                if self._not_found is None:
                    return Response(404, "application/json", '{"message": "Not found"}').as_result()
                answer = self._not_found(NotFound(self.current_event.path))
            else:
                try:
                    answer = function()
                except Exception as error:
                    handler = self._handler_for(error)
                    if handler is None:
                        raise
                    answer = handler(error)
            return answer.as_result()
        finally:
            self.current_event = None

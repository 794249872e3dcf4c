"""The OpenAPI 3.1 document of the forms API, generated from the same JSON Schemas the handlers use."""

import copy

from jtec_forms.routes import ROUTES
from jtec_forms.validation import schema

FORM_TYPES = ("application/json", "application/x-www-form-urlencoded")
ERRORS = {
    "400": "Invalid input: every error at once, each with its field",
    "409": (
        "Enquiries only: nothing was kept, because the address already holds the most open enquiries one "
        "address may, or because an erasure of the address ran while the enquiry was being sent"
    ),
    "413": "Body larger than the cap",
    "415": "Content type other than JSON or urlencoded",
    "429": "Too many requests from this client, or verification emails to this mailbox; see Retry-After",
    "503": "Store or mail unavailable; the message says whether anything was saved; see Retry-After",
}


def _request_schema(form):
    body = copy.deepcopy(schema(form))
    for key in ("$schema", "$id"):
        body.pop(key, None)
    return body


def _error_response(description, retry_after):
    response = {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Errors"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {"required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
        }
    return response


def _success(route):
    """The answers when it is done: JSON for a JSON post; for a form post a 303 to the thank-you page, or
    the route's own page."""
    answers = {
        str(route.status): {
            "description": "Done",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{route.answer}"}}},
        }
    }
    if route.result_template:
        answers[str(route.status)]["content"]["text/html"] = {"schema": {"type": "string"}}
    else:
        answers["303"] = {
            "description": "Done (form post): go to the thank-you page",
            "headers": {"Location": {"required": True, "schema": {"type": "string"}}},
        }
    return answers


def _operation(route):
    operation = {
        "summary": route.summary,
        "operationId": route.operation_id,
        "requestBody": {
            "required": True,
            "content": {
                content_type: {"schema": _request_schema(route.form)}
                # RFC 8058: a mail client's one-click POST may come as multipart/form-data.
                for content_type in FORM_TYPES + (("multipart/form-data",) if route.token_in_query else ())
            },
        },
        "responses": {
            **_success(route),
            **{code: _error_response(text, code in ("429", "503")) for code, text in ERRORS.items()},
        },
    }
    if route.token_in_query:
        operation["parameters"] = [
            {
                "name": "token",
                "in": "query",
                "required": False,
                "description": "The token, as RFC 8058 one-click posts carry it in the List-Unsubscribe URL",
                "schema": {"type": "string", "maxLength": 400},
            }
        ]
    return operation


def document():
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "JTec forms API",
            "version": "1.0.0",
            "description": (
                "Enquiry, newsletter and your-data forms. Same origin as the site; JSON or urlencoded in."
            ),
        },
        "paths": {route.path: {route.method.lower(): _operation(route)} for route in ROUTES},
        "components": {
            "schemas": {
                "Errors": {
                    "type": "object",
                    "required": ["errors"],
                    "additionalProperties": False,
                    "properties": {
                        "errors": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["field", "message"],
                                "additionalProperties": False,
                                "properties": {
                                    "field": {"type": ["string", "null"]},
                                    "message": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                "Reference": {
                    "type": "object",
                    "required": ["reference"],
                    "additionalProperties": False,
                    "properties": {
                        "reference": {"type": "string", "pattern": "^ENQ-[A-Z0-9]{8}$"},
                        "message": {
                            "type": "string",
                            "description": "When the newsletter box was ticked: that the confirmation mail went, "
                            "or why it was not sent",
                        },
                    },
                },
                "Receipt": {
                    "type": "object",
                    "required": ["receipt"],
                    "additionalProperties": False,
                    "properties": {
                        "receipt": {
                            "type": "object",
                            "required": ["reference", "status", "requested_at", "confirmed_at", "deleted"],
                            "properties": {
                                "reference": {"type": "string", "pattern": "^ERA-[A-Z0-9]{8}$"},
                                "status": {"enum": ["erasing", "completed"]},
                                "requested_at": {"type": "string"},
                                "confirmed_at": {"type": "string"},
                                "completed_at": {"type": ["string", "null"]},
                                "deleted": {"type": "object", "additionalProperties": {"type": "integer"}},
                            },
                        }
                    },
                },
                "DataReport": {
                    "type": "object",
                    "required": ["generated_at", "items", "fields", "not_included"],
                    "properties": {
                        "generated_at": {"type": "string"},
                        "items": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["kind", "what", "purpose", "deleted_by", "contents"],
                            },
                        },
                        "fields": {"type": "object"},
                        "not_included": {"type": "string"},
                    },
                },
                "Message": {
                    "type": "object",
                    "required": ["message"],
                    "additionalProperties": False,
                    "properties": {
                        "message": {"type": "string"},
                        "already": {
                            "type": "boolean",
                            "description": "the link was used before; nothing changed",
                        },
                    },
                },
            }
        },
    }

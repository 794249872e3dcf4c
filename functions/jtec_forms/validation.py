"""Form validation against the JSON Schemas (Draft 2020-12): every error at once, each with its field
and a message a person understands, taken from the schema's `x-messages`. The rules are checked by
validators generated from the schemas (form_rules/, `make form-rules`); email addresses by
addresses.py. tests/test_form_rules.py holds the answers to jsonschema's on generated input."""

import functools
import json
import re
from pathlib import Path

from jtec_forms import addresses
from jtec_forms.refusals import FieldError

SCHEMA_DIR = Path(__file__).parent / "schemas"
FORMS = ("enquiry", "subscribe", "token", "data_request", "access_confirm")
TRUE_WORDS = {"true", "on", "yes", "1"}
FALSE_WORDS = {"false", "off", "no", "0", ""}
UNKNOWN_FIELD = "This form has no such field: remove it"
NOT_AN_OBJECT = "Send the form's fields as one JSON object"
# When a value breaks several rules, the message for the first of these is the most useful.
KEYWORD_PRIORITY = ("type", "minLength", "maxLength", "const", "enum", "pattern", "format")
# What no text field may hold, whatever its schema: characters DynamoDB or a mail cannot carry (unpaired
# surrogates, Unicode non-characters) and control characters other than tab and line breaks (they can
# rewrite what staff see in a terminal).
_NONCHARACTERS = "".join(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
UNACCEPTABLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef" + _NONCHARACTERS + "]"
)
UNACCEPTABLE_MESSAGE = (
    "{title} contains characters we cannot accept (such as pasted control characters): remove them"
)


@functools.cache
def schema(form):
    return json.loads((SCHEMA_DIR / f"{form}.json").read_text(encoding="utf-8"))


def broken_rules(form, data):
    """(field, keyword) for every rule of the form's schema that `data` breaks, `format` included; the
    field is None for a rule of the whole form (required, additionalProperties, type)."""
    from jtec_forms.form_rules import JsonSchemaValuesException, validator

    try:
        validator(form)(data)
        errors = []
    except JsonSchemaValuesException as invalid:
        errors = invalid.errors
    found = [(error.name.partition(".")[2] or None, error.rule) for error in errors]
    if isinstance(data, dict):
        for name, field in schema(form)["properties"].items():
            value = data.get(name)
            if field.get("format") == "email" and isinstance(value, str) and not _is_address(value):
                found.append((name, "format"))
    return found


def _is_address(value):
    try:
        addresses.check(value)
    except addresses.NotAnAddress:
        return False
    return True


def _text_problem(properties, name, value):
    """The message for what the schema cannot say about a text value, or None."""
    if not isinstance(value, str):
        return None
    if UNACCEPTABLE.search(value):
        return UNACCEPTABLE_MESSAGE.format(title=properties[name].get("title", name))
    if properties[name].get("format") == "email" and not addresses.is_deliverable(value):
        return properties[name]["x-messages"]["ascii"]
    return None


def from_urlencoded(form, fields):
    """Form posts carry strings only: turn them into the schema's types. `fields` maps name -> [values]."""
    properties = schema(form)["properties"]
    data, errors = {}, []
    for name, values in fields.items():
        if len(values) > 1:
            errors.append(FieldError(name if name in properties else None, "Send this field only once"))
            continue
        value = values[0]
        if (
            properties.get(name, {}).get("type") == "boolean"
            and value.strip().lower() in TRUE_WORDS | FALSE_WORDS
        ):
            value = value.strip().lower() in TRUE_WORDS
        data[name] = value
    return data, errors


def from_multipart(content_type, raw, max_fields):
    """The text fields of a multipart/form-data body (what RFC 8058 says a mail client's one-click POST
    should send) as name -> [values], read by the standard library's MIME parser; ValueError when the
    body is not such a form."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart() or message.defects or not message.get_boundary():
        raise ValueError("not multipart/form-data")
    parts = list(message.iter_parts())
    if len(parts) > max_fields:
        raise ValueError("too many fields")
    fields = {}
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not name or part.defects or part.is_multipart():
            raise ValueError("a part without a field name")
        fields.setdefault(name, []).append((part.get_payload(decode=True) or b"").decode("utf-8"))
    return fields


def normalise(data):
    """Surrounding spaces are never meant: strip them from every string."""
    if not isinstance(data, dict):
        return data
    cleaned = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        cleaned[name] = value
    return cleaned


def required_fields(form_schema, data):
    """The fields `data` must have: the schema's `required`, and its `then.required` when its `if` holds
    (an `if` of `const` values, such as the enquiry's topic asking for the right being used)."""
    required = list(form_schema.get("required", []))
    condition = form_schema.get("if")
    if condition and all(data.get(name) == rule["const"] for name, rule in condition["properties"].items()):
        required += form_schema["then"].get("required", [])
    return required


def _priority(keyword):
    return KEYWORD_PRIORITY.index(keyword) if keyword in KEYWORD_PRIORITY else len(KEYWORD_PRIORITY)


def validate(form, data, rules=broken_rules):
    """All errors in `data`, in the order of the form's fields; one per field. Empty means valid.
    `rules(form, data)` finds the broken rules (the tests pass jsonschema's, to compare)."""
    form_schema = schema(form)
    properties = form_schema["properties"]
    if not isinstance(data, dict):
        return [FieldError(None, NOT_AN_OBJECT)]
    required = required_fields(form_schema, data)
    found = {
        name: properties[name]["x-messages"]["required"]
        for name in required
        if name not in data or data[name] in ("", None)
    }
    broken = {}
    for name, keyword in rules(form, data):
        if name is None or name in found or name not in properties:
            continue
        if data.get(name) == "" and name not in required:
            continue
        broken.setdefault(name, []).append(keyword)
    for name, keywords in broken.items():
        keyword = min(keywords, key=_priority)
        found[name] = properties[name]["x-messages"].get(keyword) or properties[name]["x-messages"]["type"]
    for name, value in data.items():
        problem = name in properties and name not in found and _text_problem(properties, name, value)
        if problem:
            found[name] = problem
    errors = [FieldError(name, found[name]) for name in properties if name in found]
    errors += [FieldError(str(name)[:100], UNKNOWN_FIELD) for name in data if name not in properties]
    return errors


def without_empty_optionals(form, data):
    """Drop optional fields sent empty, so the stored item has no blank attributes."""
    required = set(required_fields(schema(form), data))
    return {name: value for name, value in data.items() if value != "" or name in required}

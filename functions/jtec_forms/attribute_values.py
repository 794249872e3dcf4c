"""Python values to DynamoDB's attribute values and back, as boto3's TypeSerializer and TypeDeserializer
make them (numbers come back as Decimal, held to DynamoDB's 38 digits), for the kinds of value the
functions store: None, bool, int, Decimal, str, sets of str or numbers, lists and mappings.

Why not boto3's: `boto3.dynamodb.types` is inside the boto3 package, whose import brings s3transfer
and boto3's session (about 100 ms of a cold start, docs/performance.md); the functions talk to AWS
through botocore alone (jtec_forms/aws.py). `tests/test_attribute_values.py` holds these functions
equal to boto3's on generated values, and to its refusals."""

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow

# DynamoDB's numbers: 38 significant digits, exponents from -130 to 125; anything inexact is refused.
NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def _is_number(value):
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _number(value):
    text = str(NUMBERS.create_decimal(value))
    if text in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return text


def to_attribute(value):
    """One Python value as an attribute value ({"S": "..."}, {"N": "12"}, {"M": {...}}...)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, Set) and value:
        if all(_is_number(member) for member in value):
            return {"NS": [_number(member) for member in value]}
        if all(isinstance(member, str) for member in value):
            return {"SS": list(value)}
    if isinstance(value, Mapping):
        return {"M": {key: to_attribute(member) for key, member in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute(member) for member in value]}
    raise TypeError(f"Unsupported type {type(value)} for value {value!r}")


def from_attribute(attribute):
    """One attribute value as the Python value boto3's resource gives."""
    if not attribute:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    [(kind, value)] = attribute.items()
    if kind == "NULL":
        return None
    if kind in ("S", "BOOL"):
        return value
    if kind == "N":
        return NUMBERS.create_decimal(value)
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {NUMBERS.create_decimal(member) for member in value}
    if kind == "L":
        return [from_attribute(member) for member in value]
    if kind == "M":
        return {key: from_attribute(member) for key, member in value.items()}
    raise TypeError(f"Dynamodb type {kind} is not supported")

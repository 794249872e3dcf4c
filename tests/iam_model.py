"""A small model of how IAM authorises the calls this project makes, for the conditions its policies use
(`dynamodb:LeadingKeys`, `dynamodb:Attributes`, `dynamodb:Select`, `ses:FromAddress`), so tests can hold
the template's conditions to the calls the code really makes: every call allowed, and the calls the
conditions exist to stop refused. It follows IAM's documented rules for these operators: a
`ForAllValues:` condition holds when every value of the request's key matches (and when the request has
none); a single-valued operator fails when the request lacks the key."""

import email.utils
import fnmatch
import re

from boto3.dynamodb.conditions import ConditionBase

TRANSACTION_STEPS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
# S3 operations whose IAM action has another name (the rest are named as they are called).
S3_ACTIONS = {
    "ListObjectsV2": "s3:ListBucket",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "DeleteObjects": "s3:DeleteObject",
}
# A name or a document path (`counts.#k0`, `items[2]`): IAM's dynamodb:Attributes holds the top level only.
_NAME = re.compile(r"[:#]?[A-Za-z_][A-Za-z0-9_]*(?:\.#?[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*")


def actions(service, operation, parameters):
    """The IAM actions one call needs: a transaction needs each step's own write."""
    if operation == "TransactWriteItems":
        return {
            f"dynamodb:{TRANSACTION_STEPS[step]}" for item in parameters["TransactItems"] for step in item
        }
    if service == "s3" and operation in S3_ACTIONS:
        return {S3_ACTIONS[operation]}
    return {f"{service}:{operation}"}


_KEYWORDS = {"SET", "REMOVE", "ADD", "DELETE", "if_not_exists", "list_append", "AND", "OR", "NOT"}


def _names(expression, placeholders):
    """The top-level attribute names an update or projection expression names."""
    names = set()
    for path in _NAME.findall(expression or ""):
        token = re.split(r"[.\[]", path)[0]
        if token in _KEYWORDS or token.startswith(":"):  # a keyword, or a value's placeholder
            continue
        names.add(placeholders.get(token, token) if token.startswith("#") else token)
    return names


def _value(value):
    return value.get("S") if isinstance(value, dict) and "S" in value else value


def _partition_key(condition, parameters):
    """The `pk` value a Query's key condition asks for (a boto3 condition, or an expression string)."""
    if isinstance(condition, ConditionBase):
        stack = [condition]
        while stack:
            current = stack.pop()
            values = current.get_expression()["values"]
            if current.expression_operator == "=" and getattr(values[0], "name", None) == "pk":
                return values[1]
            stack += [value for value in values if isinstance(value, ConditionBase)]
        return None
    names = parameters.get("ExpressionAttributeNames", {})
    for name, placeholder in re.findall(r"(#?\w+)\s*=\s*(:\w+)", condition or ""):
        if names.get(name, name) == "pk":
            return _value(parameters["ExpressionAttributeValues"][placeholder])
    return None


def requests(service, operation, parameters):
    """[(action, resource kind, {condition key: set of values})] that IAM checks for one call: one per
    item for a transaction, whose items are authorised as the writes they are."""
    if service == "ses" and operation.startswith("Send"):
        sender = email.utils.parseaddr(parameters.get("Source", ""))[1]
        return [(f"ses:{operation}", "identity", {"ses:FromAddress": {sender}})]
    if service != "dynamodb":
        return [(f"{service}:{operation}", service, {})]
    if operation == "TransactWriteItems":
        found = []
        for item in parameters["TransactItems"]:
            for step, body in item.items():
                found += requests(service, TRANSACTION_STEPS[step], body)
        return found
    keys = {}
    placeholders = parameters.get("ExpressionAttributeNames", {})
    if operation in ("GetItem", "DeleteItem", "UpdateItem", "ConditionCheckItem"):
        keys["dynamodb:LeadingKeys"] = {_value(parameters["Key"]["pk"])}
    if operation == "PutItem":
        keys["dynamodb:LeadingKeys"] = {_value(parameters["Item"]["pk"])}
        keys["dynamodb:Attributes"] = set(parameters["Item"])
    if operation == "UpdateItem":
        keys["dynamodb:Attributes"] = {"pk", "sk"} | _names(parameters.get("UpdateExpression"), placeholders)
    if operation == "Query" and "IndexName" not in parameters:
        keys["dynamodb:LeadingKeys"] = {_partition_key(parameters.get("KeyConditionExpression"), parameters)}
    if operation in ("Query", "Scan", "GetItem") and parameters.get("ProjectionExpression"):
        keys["dynamodb:Attributes"] = _names(parameters["ProjectionExpression"], placeholders)
    if operation in ("Query", "Scan") and "Select" in parameters:
        keys["dynamodb:Select"] = {parameters["Select"]}
    kind = "index" if parameters.get("IndexName") else "table"
    return [(f"dynamodb:{operation}", kind, keys)]


def _matches(operator, wanted, values):
    if operator == "Null":  # "false": the key must be in the request; "true": it must not
        return bool(values) == (str(wanted).lower() == "false")
    if operator.endswith("IfExists"):
        if not values:
            return True
        operator = operator.removesuffix("IfExists")
    compare = fnmatch.fnmatchcase if operator.endswith("StringLike") else str.__eq__
    wanted = [wanted] if isinstance(wanted, str) else [str(item) for item in wanted]
    if operator.startswith("ForAllValues:"):
        return all(any(compare(str(value), pattern) for pattern in wanted) for value in values)
    return bool(values) and all(any(compare(str(value), pattern) for pattern in wanted) for value in values)


def condition_holds(condition, context):
    return all(
        _matches(operator, wanted, context.get(key, set()))
        for operator, tests in (condition or {}).items()
        for key, wanted in tests.items()
    )


def resource_kind(resource):
    """What a statement's Resource names: the table, its index, its stream, an SES identity, ..."""
    text = str(resource)
    if "index/" in text:
        return "index"
    if "StreamArn" in text:
        return "stream"
    if "DataTable" in text:
        return "table"
    if ":ses:" in text:
        return "identity"
    return "other"


def allowed(statements, action, kind, context, resolve=lambda value: value):
    """True when an Allow statement covers the action on that kind of resource and its conditions hold.
    `resolve` turns the template's references (a !Ref to a parameter) into values."""
    for statement in statements:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        covered = "*" in resources or kind in {resource_kind(resource) for resource in resources}
        if action not in actions or not covered:
            continue
        condition = {
            operator: {key: resolve(value) for key, value in tests.items()}
            for operator, tests in (statement.get("Condition") or {}).items()
        }
        if condition_holds(condition, context):
            return True
    return False

"""One DynamoDB table through the low-level client, with Python values in and out as boto3's resource
gives them (jtec_forms/attribute_values.py, held equal to boto3's TypeSerializer and TypeDeserializer:
numbers come back as Decimal).

Why not `boto3.resource("dynamodb").Table(...)`: creating the resource loads its resource model and
registers its transformations, ~95 ms of a cold start on top of the client (docs/performance.md), for
the same calls. Only the calls the functions make are here; their arguments are the client's."""

from types import SimpleNamespace

from jtec_forms.attribute_values import from_attribute, to_attribute

# Arguments and answers that hold items (attribute name -> value), and those that hold lists of them.
ITEM_ARGUMENTS = ("Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey")
ITEM_ANSWERS = ("Item", "Attributes", "LastEvaluatedKey")
TRANSACT_ACTIONS = ("Put", "Update", "Delete", "ConditionCheck")


class Table:
    def __init__(self, client, name):
        self.name = name
        self.meta = SimpleNamespace(client=client)  # as the resource's `meta.client`

    def _to_wire(self, arguments):
        return {
            name: {key: to_attribute(value) for key, value in argument.items()}
            if name in ITEM_ARGUMENTS
            else argument
            for name, argument in arguments.items()
        }

    def _from_wire(self, item):
        return {key: from_attribute(value) for key, value in item.items()}

    def _request(self, operation, arguments):
        arguments = {"TableName": self.name, **arguments}
        answer = getattr(self.meta.client, operation)(**self._to_wire(arguments))
        for name in ITEM_ANSWERS:
            if name in answer:
                answer[name] = self._from_wire(answer[name])
        if "Items" in answer:
            answer["Items"] = [self._from_wire(item) for item in answer["Items"]]
        return answer

    def get_item(self, **arguments):
        return self._request("get_item", arguments)

    def put_item(self, **arguments):
        return self._request("put_item", arguments)

    def update_item(self, **arguments):
        return self._request("update_item", arguments)

    def delete_item(self, **arguments):
        return self._request("delete_item", arguments)

    def query(self, **arguments):
        return self._request("query", arguments)

    def transact_write_items(self, steps):
        """One transaction of `steps` ({"Put": {...}} and the like, each naming its table)."""
        items = [
            {action: self._to_wire(step[action]) for action in TRANSACT_ACTIONS if action in step}
            for step in steps
        ]
        return self.meta.client.transact_write_items(TransactItems=items)

"""Two narrow patches to moto, for the local stack only (never in `functions/`), so that what costs
DynamoDB a partition's worth of work costs moto no more than that:

- `TransactWriteItems` deep-copies every table a transaction touches, to roll back on failure: time in
  proportion to the table, memory growing with its square. The patch keeps moto's transaction code,
  skips the copies, and rolls back by restoring just the items the transaction names.
- `Query` on the table (not an index) sorts and walks every item of the table to find one partition.
  The patch hands it that partition's items only.
"""

import copy
import inspect
import threading

from moto.dynamodb import models
from moto.dynamodb.models.table import Table


class _CopyWithoutTables:
    """The `copy` module as moto's DynamoDB backend sees it, except that a Table is not deep-copied."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _target(backend, transact_item):
    """The table name and key a transaction item writes, in DynamoDB JSON, or None when unknown."""
    operation, details = next(iter(transact_item.items()))
    table_name = details.get("TableName")
    if table_name not in backend.tables:
        return None
    if operation == "Put":
        table = backend.tables[table_name]
        attributes = details.get("Item", {})
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        if not all(name in attributes for name in names):
            return None
        return table_name, {name: attributes[name] for name in names}
    return (table_name, details["Key"]) if "Key" in details else None


def _transact_write_items(self, transact_items):
    targets = [target for item in transact_items if (target := _target(self, item)) is not None]
    before = []
    for table_name, key in targets:
        current = self.get_item(table_name, key)
        before.append((table_name, key, copy.deepcopy(current.to_json()["Attributes"]) if current else None))
    try:
        return _original(self, transact_items)
    except Exception:
        for table_name, key, attributes in reversed(before):
            if attributes is None:
                if self.get_item(table_name, key) is not None:
                    self.delete_item(table_name, key)
            else:
                self.put_item(table_name, attributes)
        raise


_original = models.DynamoDBBackend.transact_write_items
_original_query = Table.query
_original_all_items = Table.all_items
_querying = threading.local()  # the partition a base-table query in this thread asks for


_QUERY_SIGNATURE = inspect.signature(_original_query)


def _query(self, *arguments, **options):
    asked = _QUERY_SIGNATURE.bind(self, *arguments, **options).arguments
    on_table = not asked.get("index_name") and self.range_key_attr and asked.get("hash_key") is not None
    _querying.partition = (self, asked["hash_key"]) if on_table else None
    try:
        return _original_query(self, *arguments, **options)
    finally:
        _querying.partition = None


def _all_items(self):
    partition = getattr(_querying, "partition", None)
    if partition is not None and partition[0] is self:
        return sorted(self.items.get(partition[1], {}).values(), key=lambda item: item.range_key)
    return _original_all_items(self)


def apply():
    """Install the patches (idempotent)."""
    if models.DynamoDBBackend.transact_write_items is not _transact_write_items:
        models.copy = _CopyWithoutTables()
        models.DynamoDBBackend.transact_write_items = _transact_write_items
        Table.query = _query
        Table.all_items = _all_items

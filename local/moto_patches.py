"""Narrow patches to moto, for the local stack only (never in `functions/`), so that what costs
DynamoDB a partition's worth of work costs moto no more than that, and SES paces as AWS does:

- `TransactWriteItems` deep-copies every table a transaction touches, to roll back on failure: time in
  proportion to the table, memory growing with its square. The patch keeps moto's transaction code,
  skips the copies, and rolls back by restoring just the items the transaction names.
- `Query` on the table (not an index) sorts and walks every item of the table to find one partition.
  The patch hands it that partition's items only.
- `Query` on a global secondary index walks every item of the table too (5 ms at 400 items, 91 ms at
  6,600, whatever the Limit). The patch keeps each index's partitions (index key value -> the keys of
  the items in it), built on the index's first Query and kept up to date by every write through the
  backend (PutItem, UpdateItem, DeleteItem, and the batches and transactions made of them), and hands
  the Query that partition's items only.
- Every table with encryption at rest makes moto create a KMS key, and with it an RSA private key that
  KMS never uses for a table: 20-200 ms each (RSA generation takes a random time), on every table the
  tests and the local stack create. The patch makes one private key per key spec per process; nothing
  here signs with them.
- moto writes every answer by walking the operation's output shape, and for each DynamoDB attribute
  value tries every member of the AttributeValue shape under several spellings: a third of a GetItem's
  time, more for a Query. The values moto's DynamoDB hands its writer are already in the wire's form
  ({"S": "..."}, {"M": {...}}), which is what that walk writes for them, so the patch writes such a value
  as it is, and leaves any other (binary members, unexpected types) to moto's walk.
- Every UpdateItem parses its update expression twice (moto's answer and its backend each parse it) and
  then deep-copies the tree for each validator, for the handful of expressions the functions write. The
  patch parses each expression once (its tree is only read: each validator works on a copy) and copies
  the tree through pickle, which makes the same copy in half the time: an UpdateItem 5.1 to 3.9 ms.
- moto keeps every model object it ever made in a list on its class, for its dashboard and
  `/moto-api/data.json`, until a reset (which `make serve` never does), and a DynamoDB item is such an
  object, as is a stream record: every write makes several items (the item, the copies taken to compare
  and roll back) and a record, so the server kept ~4 KB a write however few items the table held, and
  each read of `/moto-api/data.json` (the outbox) walked them all (150 ms after 850 writes). The patch
  leaves items and stream records out of those lists: the table and its stream hold their own, and what
  the outbox reads (SES's messages) is still listed.
- The update expression's validators each walk its tree (ten walks an UpdateItem, three quarters of
  its time in moto), and at every node rebuild the map of node types they act on (a dictionary of bound
  methods) to ask whether, and how, the node is theirs, through `isinstance` on abstract classes. What a
  walker does with a node depends only on the two types, so the patch works it out once per pair; the
  walk is moto's own, node for node.
- Every call asks `inspect.getmembers` for its response class's method names, to check the action is
  one (a fifth of a millisecond a call, more than a GetItem's own work). The patch asks once per class.
- SES's send quota says 1 message a second (a sandbox account's rate), so a local `jtec newsletter send`
  waited a second a message. The patch gives the rate a production account starts with,
  `SES_SEND_RATE` (14 a second); `jtec` still reads it with GetSendQuota and paces itself by it.
"""

import copy
import functools
import inspect
import pickle
import threading

from moto.core import responses, serialize
from moto.core.model_instances import model_data
from moto.dynamodb import models
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord, Table
from moto.dynamodb.parsing import ast_nodes, expressions, validators
from moto.kms import models as kms_models
from moto.ses import models as ses_models

SES_SEND_RATE = 14  # messages a second: what AWS gives a production SES account to start with
_original_method_names = responses.method_names_from_class


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


def _index_hash_attribute(index):
    """The attribute a global index is partitioned by, or None for a multi-attribute key (not indexed)."""
    hashes = [key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH"]
    return hashes[0] if len(hashes) == 1 else None


class _IndexPartitions:
    """One global index's partitions: the keys of the items in each, and each key's partition, so a write
    moves one key without looking through the others."""

    def __init__(self):
        self.members = {}  # index key value -> {(hash, range)}
        self.value_of = {}  # (hash, range) -> index key value

    def place(self, key, value):
        """Put `key` in the partition of `value` (None: in none)."""
        old = self.value_of.pop(key, None)
        if old is not None:
            self.members[old].discard(key)
        if value is not None:
            self.members.setdefault(value, set()).add(key)
            self.value_of[key] = value


def _index_partitions(table, index_name):
    """The partitions of one global index, built from the table's items the first time they are asked
    for, then kept by `_reindex` on every write."""
    built = table.__dict__.setdefault("_jtec_index_partitions", {})
    if index_name not in built:
        index = next(index for index in table.global_indexes if index.name == index_name)
        attribute, partitions = _index_hash_attribute(index), _IndexPartitions()
        for item in _original_all_items(table):
            partitions.place((item.hash_key, item.range_key), item.attrs.get(attribute))
        built[index_name] = partitions
    return built[index_name]


def _reindex(table, hash_value, range_value):
    """After a write to one key: that item in the partitions of every index built so far."""
    built = table.__dict__.get("_jtec_index_partitions")
    if not built:
        return
    item = table.get_item(hash_value, range_value)
    for index in table.global_indexes:
        partitions = built.get(index.name)
        if partitions is not None:
            value = item.attrs.get(_index_hash_attribute(index)) if item is not None else None
            partitions.place((hash_value, range_value), value)


def _key_values(table, key):
    """(hash, range) DynamoTypes of a key given as {attribute: {type: value}}."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    range_value = key.get(table.range_key_attr) if table.range_key_attr else None
    return DynamoType(key[table.hash_key_attr]), DynamoType(range_value) if range_value else None


def _reindexing(write, key_of):
    def patched(self, table_name, *arguments, **options):
        answer = write(self, table_name, *arguments, **options)
        table = self.get_table(table_name)
        if table.__dict__.get("_jtec_index_partitions"):
            _reindex(table, *_key_values(table, key_of(table, *arguments, **options)))
        return answer

    patched.__wrapped__ = write
    return patched


def _put_key(table, item_attrs, *rest, **options):
    return {name: item_attrs[name] for name in (table.hash_key_attr, table.range_key_attr) if name}


def _update_or_delete_key(table, key, *rest, **options):
    return key


def _query(self, *arguments, **options):
    asked = _QUERY_SIGNATURE.bind(self, *arguments, **options).arguments
    index_name, hash_key = asked.get("index_name"), asked.get("hash_key")
    global_index = next((index for index in self.global_indexes if index.name == index_name), None)
    if not index_name and self.range_key_attr and hash_key is not None:
        _querying.partition = (self, hash_key)
    elif global_index is not None and _index_hash_attribute(global_index) and hash_key is not None:
        _querying.partition = (self, index_name, hash_key)
    else:
        _querying.partition = None
    try:
        return _original_query(self, *arguments, **options)
    finally:
        _querying.partition = None


def _all_items(self):
    partition = getattr(_querying, "partition", None)
    if partition is None or partition[0] is not self:
        return _original_all_items(self)
    if len(partition) == 3:  # an index's partition: moto sorts it by the index's keys itself
        keys = _index_partitions(self, partition[1]).members.get(partition[2], ())
        found = (self.items.get(hash_value, {}).get(range_value) for hash_value, range_value in keys)
        return [item for item in found if item is not None]
    return sorted(self.items.get(partition[1], {}).values(), key=lambda item: item.range_key)


_WIRE_SCALARS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}


def _in_wire_form(value):
    """Whether an attribute value is already what moto's writer would write for it: one member, no
    binary, strings where strings go, nested values in the same form."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    ((member, inner),) = value.items()
    if member in _WIRE_SCALARS:
        return type(inner) is _WIRE_SCALARS[member]
    if member in ("SS", "NS"):
        return type(inner) is list and all(type(element) is str for element in inner)
    if member == "L":
        return type(inner) is list and all(_in_wire_form(element) for element in inner)
    if member == "M":
        return type(inner) is dict and all(
            type(name) is str and _in_wire_form(element) for name, element in inner.items()
        )
    return False


_original_json_structure = serialize.BaseJSONSerializer._serialize_type_structure


def _json_structure(self, serialized, value, shape, key):
    if shape.name == "AttributeValue" and key and _in_wire_form(value):
        serialized[key] = value
        return
    _original_json_structure(self, serialized, value, shape, key)


_original_quota_init = ses_models.SESQuota.__init__


def _production_quota(quota, sent):
    _original_quota_init(quota, sent)
    quota.max_send_rate = SES_SEND_RATE


_one_private_key_per_spec = functools.cache(kms_models.generate_private_key)


class _Untracked(list):
    """The list moto appends each new object of a model to, for a model whose objects are not kept there."""

    def append(self, instance):
        pass


def _stop_tracking(model):
    model_data[model.__module__.split(".")[1]].pop(model.__name__, None)  # so a reset leaves it untracked
    model.instances_tracked = _Untracked()


_original_make = expressions.UpdateExpressionParser.make.__func__


@functools.lru_cache(maxsize=256)
def _parsed_update_expression(expression):
    return _original_make(expressions.UpdateExpressionParser, expression)


def _make_once(cls, expression):
    """An update expression's tree, parsed once per expression (an invalid one raises each time)."""
    return _parsed_update_expression(expression)


def _copied_tree(tree, memo=None):
    """What `copy.deepcopy` makes of an expression tree (the validator's own copy), through pickle."""
    try:
        return pickle.loads(pickle.dumps(tree, pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(tree, memo)


_NODE_KINDS = {}  # (walker's type, node's type) -> what the walk does with such a node


def _how_to_process(walker, node):
    """What moto's walk does with a node of this type: None (not a node), False (leaves it), True (asks
    the walker's `process`), or the walker's function that processes it. It depends on the two types only
    (moto's walkers map node types to their own methods), so it is worked out once per pair of types."""
    key = (type(walker), type(node))
    kind = _NODE_KINDS.get(key)
    if kind is None and key not in _NODE_KINDS:
        if not isinstance(node, ast_nodes.Node):
            kind = None
        elif not isinstance(node, walker.nodes_to_be_processed()):
            kind = False
        else:
            processor = next(
                method for cls, method in walker._processing_map().items() if isinstance(node, cls)
            )
            kind = processor.__func__ if getattr(processor, "__self__", None) is walker else True
        _NODE_KINDS[key] = kind
    return kind


def _traverse(self, node):
    """moto's DepthFirstTraverser.traverse (depth first, each node after its children), with what to do
    with each type of node worked out once."""

    def visit(node, child_id):
        kind = _how_to_process(self, node)
        if kind is None:
            return node
        parent_node = node.parent
        if node.children is not None:
            for index, child_node in enumerate(node.children):
                self.pre_processing_of_child(node, index)
                visit(child_node, index)
        if kind is not False:
            node = self.process(node) if kind is True else kind(self, node)
            node.parent = parent_node
            if parent_node:
                parent_node.children[child_id] = node
        return node

    return visit(node, -1)


@functools.cache
def _method_names(response_class):
    return frozenset(_original_method_names(response_class))


def apply():
    """Install the patches (idempotent)."""
    responses.method_names_from_class = _method_names
    ast_nodes.DepthFirstTraverser.traverse = _traverse
    kms_models.generate_private_key = _one_private_key_per_spec
    serialize.BaseJSONSerializer._serialize_type_structure = _json_structure
    ses_models.SESQuota.__init__ = _production_quota
    expressions.UpdateExpressionParser.make = classmethod(_make_once)
    for model in (Item, StreamRecord):
        _stop_tracking(model)
    validators.deepcopy = _copied_tree
    if models.DynamoDBBackend.transact_write_items is not _transact_write_items:
        models.copy = _CopyWithoutTables()
        models.DynamoDBBackend.transact_write_items = _transact_write_items
        Table.query = _query
        Table.all_items = _all_items
        backend = models.DynamoDBBackend
        backend.put_item = _reindexing(backend.put_item, _put_key)
        backend.update_item = _reindexing(backend.update_item, _update_or_delete_key)
        backend.delete_item = _reindexing(backend.delete_item, _update_or_delete_key)

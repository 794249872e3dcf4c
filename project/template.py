"""The SAM template (infra/template.yaml) as plain data: the one source of the table's definition, the
routes the API deploys and the policies the tests hold to the code."""

import functools
import pickle
from pathlib import Path

import yaml

from project import PROJECT_DIR

TEMPLATE = PROJECT_DIR / "infra" / "template.yaml"
TABLE_RESOURCE = "DataTable"
# The table properties that DynamoDB's CreateTable takes as they are written in the template.
CREATE_TABLE_KEYS = (
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "SSESpecification",
)


class _TemplateLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Reads CloudFormation's short-form tags (!Ref, !GetAtt, !Sub) as plain values (with libyaml's
    parser where PyYAML has it: six times faster)."""


def _tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}


_TemplateLoader.add_multi_constructor("!", _tag)


@functools.lru_cache(maxsize=8)
def _parsed(template_path, modified, size):
    parsed = yaml.load(Path(template_path).read_text(encoding="utf-8"), Loader=_TemplateLoader)
    return pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL)


def _parse(template_path):
    """A fresh copy of the template's parse, which is kept (pickled: unpickling copies it five times
    faster than deep-copying) and made again only when the file changes."""
    stat = Path(template_path).stat()
    return pickle.loads(_parsed(str(template_path), stat.st_mtime_ns, stat.st_size))


def read_template(template_path=TEMPLATE):
    """The SAM template as plain data (short-form tags become one-key mappings such as {"Ref": ...}): a
    copy of its parse, made again when the file changes (the tests and tools read it many times)."""
    return _parse(template_path)


def table_definition(template_path=TEMPLATE):
    """The data table's properties exactly as the SAM template declares them (a copy)."""
    return _parse(template_path)["Resources"][TABLE_RESOURCE]["Properties"]

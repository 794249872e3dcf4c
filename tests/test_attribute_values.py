"""The functions' own attribute values (jtec_forms/attribute_values.py) are boto3's: the same wire form
for every value the functions can store, the same Python value back, and the same refusals."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from jtec_forms.attribute_values import from_attribute, to_attribute
from tests.support import examples

numbers = st.one_of(
    st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20))
sets = st.one_of(st.frozensets(st.text(max_size=8), min_size=1), st.frozensets(numbers, min_size=1)).map(set)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def same_wire_form(ours, theirs):
    """Equal, with set members compared as sets (neither keeps an order)."""
    [(kind, value)], [(their_kind, their_value)] = ours.items(), theirs.items()
    if kind in ("SS", "NS"):
        return kind == their_kind and sorted(value) == sorted(their_value)
    if kind == "L":
        return (
            kind == their_kind
            and all(map(same_wire_form, value, their_value))
            and len(value) == len(their_value)
        )
    if kind == "M":
        return (
            kind == their_kind
            and value.keys() == their_value.keys()
            and all(same_wire_form(value[key], their_value[key]) for key in value)
        )
    return ours == theirs


@settings(max_examples=examples(500))
@given(values)
def test_every_storable_value_goes_to_dynamodb_as_boto3_sends_it(value):
    assert same_wire_form(to_attribute(value), TypeSerializer().serialize(value))


@settings(max_examples=examples(500))
@given(values)
def test_every_stored_value_comes_back_as_boto3_gives_it(value):
    wire = TypeSerializer().serialize(value)
    assert from_attribute(wire) == TypeDeserializer().deserialize(wire)


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        float("nan"),
        Decimal("Infinity"),
        Decimal("NaN"),
        Decimal("1." + "1" * 40),
        10**200,
        {1, "a"},
        object(),
    ],
    ids=[
        "float",
        "nan",
        "infinity",
        "decimal nan",
        "too precise",
        "too large",
        "mixed set",
        "object",
    ],
)
def test_what_boto3_refuses_is_refused_with_a_type_error(value):
    with pytest.raises(Exception) as theirs:
        TypeSerializer().serialize(value)
    with pytest.raises(type(theirs.value)):
        to_attribute(value)


def test_binary_is_refused_as_the_functions_store_none():
    """The one difference from boto3, which would send bytes as a binary attribute (B)."""
    with pytest.raises(TypeError):
        to_attribute(b"bytes")
    with pytest.raises(TypeError):
        from_attribute({"B": b"bytes"})

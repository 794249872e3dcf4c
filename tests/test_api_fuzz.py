"""schemathesis against the live local server, from the OpenAPI document it serves: zero 5xx, and every
response conforms to the document (status, content type, headers, body schema)."""

import json
import urllib.request
import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import HypothesisWarning
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jtec_forms.routes import ROUTES
from jtec_forms.validation import FORMS, schema
from tests.support import examples

# What schemathesis' pytest plugin (not loaded: pyproject.toml) does as pytest starts: patch Hypothesis
# for schemathesis' strategies. It registers Hypothesis' own global PRNG, which Hypothesis warns looks like
# an object about to be collected; it is not (Hypothesis' thread-local state holds it).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", HypothesisWarning)
    schemathesis.generation.hypothesis.setup()


@pytest.fixture(scope="module")
def api_schema(forms_site):
    return schemathesis.openapi.from_url(forms_site + "/api/openapi.json")


def test_openapi_document_is_served_and_built_from_the_form_schemas(forms_site):
    with urllib.request.urlopen(forms_site + "/api/openapi.json") as answer:
        document = json.load(answer)
    assert document["openapi"] == "3.1.0"
    enquiry = document["paths"]["/api/enquiry"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert enquiry["properties"] == schema("enquiry")["properties"]
    assert set(FORMS) == {route.form for route in ROUTES}
    assert set(document["paths"]) == {route.path for route in ROUTES}


OPERATIONS = [route.path for route in ROUTES]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# 60 cases of each kind per operation; `make check` tries a tenth, as it does every property (at least 10).
EXAMPLES_PER_MODE = examples(60)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("path", OPERATIONS)
def test_api_never_answers_5xx_and_always_conforms(api_schema, forms_site, path, mode):
    """Hypothesis drives schemathesis' strategy for each operation (its pytest plugin predates pytest 9)."""
    operation = api_schema[path]["POST"]

    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(base_url=forms_site, checks=CHECKS)

    call()

"""The forms' rules as the functions check them (validators generated from the schemas, addresses decided
without email-validator when plain) give the answers jsonschema and email-validator give, on generated
input: jsonschema is the oracle, kept here, out of the Lambda package."""

import string

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from jtec_forms import addresses
from jtec_forms.validation import FORMS, normalise, schema, validate
from project import form_rules
from tests.support import examples

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("email", raises=EmailNotValidError)
def _is_email(value):
    if isinstance(value, str):
        validate_email(value, check_deliverability=False)
    return True


def jsonschema_rules(form, data):
    """The broken rules as jsonschema finds them, with email-validator as its email format checker."""
    validator = Draft202012Validator(schema(form), format_checker=FORMAT_CHECKER)
    return [(error.path[0] if error.path else None, error.validator) for error in validator.iter_errors(data)]


def test_the_generated_rules_are_those_of_the_schemas_now():
    written = {path.name: path.read_text(encoding="utf-8") for path in form_rules.TARGET.glob("*.py")}
    assert written == form_rules.generate(), "a schema changed: run `make form-rules`"


@pytest.mark.process
def test_the_lambda_package_runs_the_generated_rules_without_jsonschema_or_fastjsonschema():
    import subprocess
    import sys

    code = (
        "import sys; from jtec_forms.validation import validate; validate('enquiry', {'email': 'a@b.com'}); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'fastjsonschema', 'email_validator')))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=form_rules.PROJECT_DIR
    )
    assert answer.stdout.strip() == "[]"


def _text(max_size):
    return st.one_of(
        st.text(max_size=max_size),
        st.text(alphabet=string.ascii_letters + string.digits + " -+()@.", max_size=max_size),
        st.sampled_from(["", " ", "2018-05-25", "2018-5-25", "support", "One-Click", "a@b.com", "x@y.test"]),
    )


def _value(field):
    lengths = [n for n in (field.get("maxLength"), field.get("minLength")) if n is not None]
    longest = max(lengths, default=20) + 2
    choices = [
        _text(min(longest, 300)),
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.lists(st.integers(), max_size=2),
        st.text(min_size=longest - 2, max_size=longest),
    ]
    if "enum" in field:
        choices.append(st.sampled_from(field["enum"]))
    if "const" in field:
        choices.append(st.just(field["const"]))
    return st.one_of(choices)


@st.composite
def submissions(draw):
    form = draw(st.sampled_from(FORMS))
    properties = schema(form)["properties"]
    names = draw(st.lists(st.sampled_from(sorted(properties)), unique=True))
    data = {name: draw(_value(properties[name])) for name in names}
    if draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=10))] = draw(_text(10))
    return form, data


@settings(max_examples=examples(500), suppress_health_check=[HealthCheck.too_slow])
@given(submissions())
@example(("enquiry", {"name": "Ann\nExample", "email": "ann@example.com"}))
@example(("subscribe", {"email": "ann@exämple.de", "name": "Ann"}))
def test_every_generated_submission_gets_the_errors_jsonschema_finds(case):
    """As the functions validate: after surrounding spaces are stripped (form_posts.read)."""
    form, data = case
    data = normalise(data)
    assert validate(form, data) == validate(form, data, rules=jsonschema_rules)


def test_a_pattern_ends_at_the_end_of_the_text_as_json_schema_says():
    """JSON Schema patterns are ECMA-262, where `$` is the end of the text; Python's `re` (jsonschema)
    also lets `$` match before a final line break. The generated rules follow the standard."""
    assert [error.field for error in validate("enquiry", {"name": "Ann\n"}) if error.field == "name"] == [
        "name"
    ]


@pytest.mark.parametrize("data", [[], "text", 5, None])
def test_a_body_that_is_not_an_object_gets_one_error_either_way(data):
    assert validate("enquiry", data) == validate("enquiry", data, rules=jsonschema_rules)


def _email_validator(address, smtputf8=True):
    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=smtputf8)
    except EmailNotValidError:
        return None


ATEXT = string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-."
plain_looking = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}.{tld}",
    st.text(alphabet=ATEXT, min_size=0, max_size=70),
    st.lists(
        st.text(alphabet=string.ascii_letters + string.digits + "-_", max_size=65), min_size=1, max_size=4
    ),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=0, max_size=8),
)


@settings(max_examples=examples(1000))
@given(st.one_of(plain_looking, st.text(max_size=80), st.emails()))
@example("Ann.Example@Example.COM")
@example("ab--c@ab--c.com")
@example("a@xn--mller-kva.de")
@example("a@b.local")
def test_an_address_decided_without_email_validator_is_one_it_accepts_in_the_same_form(address):
    valid = _email_validator(address)
    try:
        addresses.check(address)
        accepted = True
    except addresses.NotAnAddress:
        accepted = False
    assert accepted == (valid is not None)
    if valid is not None:
        assert addresses.parts(address) == (valid.local_part, valid.ascii_domain)
        assert addresses.is_deliverable(address) == (_email_validator(address, smtputf8=False) is not None)

"""Tested as deployed: `sam build` makes the artefact infra/template.yaml deploys (Python 3.12, arm64,
functions/ with the lock's libraries), and the tests open it; then its code, with the lock's versions of
the libraries (wheels for this machine), answers one valid request per route under the runtime's Python
against the embedded AWS."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from project import PROJECT_DIR, lambda_build

pytestmark = pytest.mark.deployed

LOCK = PROJECT_DIR / "functions" / "requirements.txt"
SOURCE = PROJECT_DIR / "functions" / "jtec_forms"
LAMBDA_VENV = PROJECT_DIR / ".venv-lambda"
# What must never be deployed: the tests, the build-time code, the local stack, and the libraries only
# they use.
NEVER_DEPLOYED = {
    "tests",
    "project",
    "local",
    "infra",
    "staff",
    "plugins",
    "bench",
    "jsonschema",
    "fastjsonschema",
}


def locked_versions():
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def runtime_python():
    try:
        return lambda_build.runtime_python()
    except lambda_build.RuntimeMissing as missing:
        pytest.fail(str(missing))


@pytest.fixture(scope="module")
def artefact(tmp_path_factory):
    """The directory `sam build` writes: one folder per function and the built template."""
    assert lambda_build.SAM.exists(), "the SAM CLI comes with 'make infra-tools' (make test runs it)"
    runtime_python()
    build = tmp_path_factory.mktemp("sam-build")
    status, output = lambda_build.sam_build(build)
    assert status == 0, output[-3000:]
    return build


@pytest.mark.parametrize("function", lambda_build.functions())
def test_the_artefact_holds_exactly_the_functions_code(artefact, function):
    built = artefact / function / "jtec_forms"
    shipped = {path.relative_to(built): path.read_bytes() for path in built.rglob("*") if path.is_file()}
    ours = {
        path.relative_to(SOURCE): path.read_bytes()
        for path in SOURCE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert sorted(map(str, shipped)) == sorted(map(str, ours))
    assert shipped == ours
    handler = yaml.safe_load((artefact / "template.yaml").read_text())["Resources"][function]["Properties"][
        "Handler"
    ]
    assert (artefact / function / Path(*handler.split(".")[:-1])).with_suffix(".py").exists()


@pytest.mark.parametrize("function", lambda_build.functions())
def test_the_artefact_bundles_exactly_the_locks_libraries(artefact, function):
    bundled = {}
    for info in (artefact / function).glob("*.dist-info"):
        name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
        bundled[re.sub(r"[-_.]+", "-", name).lower()] = version
    assert bundled == locked_versions()


@pytest.mark.parametrize("function", lambda_build.functions())
def test_the_artefact_holds_no_test_or_build_time_code(artefact, function):
    top_level = {path.name for path in (artefact / function).iterdir()}
    assert top_level & NEVER_DEPLOYED == set()
    assert not list((artefact / function).rglob("conftest.py"))
    assert not list((artefact / function).rglob("test_*.py"))


@pytest.mark.parametrize("function", lambda_build.functions())
def test_the_artefact_is_small(artefact, function):
    unzipped, _ = lambda_build.size(artefact / function)
    assert unzipped <= lambda_build.MAX_UNZIPPED_BYTES, f"{function}: {unzipped:,} bytes unzipped"


@pytest.fixture(scope="module")
def lambda_python():
    """A virtualenv of the runtime's Python with the lock's libraries (this machine's wheels) and the
    boto3 the tests use (the runtime brings its own), made again when the lock changes."""
    stamp = LAMBDA_VENV / ".installed"
    wanted = LOCK.read_text() + f"boto3=={_boto3_version()}\n"
    if not stamp.exists() or stamp.read_text() != wanted:
        shutil.rmtree(LAMBDA_VENV, ignore_errors=True)
        subprocess.run([runtime_python(), "-m", "venv", str(LAMBDA_VENV)], check=True)
        subprocess.run(
            [str(LAMBDA_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", str(LOCK)]
            + [f"boto3=={_boto3_version()}"],
            check=True,
        )
        stamp.write_text(wanted)
    return LAMBDA_VENV / "bin" / "python"


def _boto3_version():
    import boto3

    return boto3.__version__


def renewal_token(email):
    """The token of a consent-renewal question to `email` (what `jtec newsletter send` mails)."""
    from jtec_forms import clock, config, tokens
    from jtec_forms.subjects import subject_key

    clock.reset()  # signed by the real clock, which the runtime's process reads (not the fixture's moved one)
    return tokens.issue(config.secret(), tokens.RENEW_SUBSCRIPTION, subject_key(config.secret(), email))


def route_requests():
    """One valid request per route, in an order that makes each valid (a subscription to confirm, an
    enquiry to see and erase), and a TTL deletion for the audit function."""
    from jtec_forms import retention, routes
    from local.sweeper import ttl_stream_record
    from tests.forms_support import event, person

    details = person(opt_in=False)
    email = details["email"]
    plan = [
        (
            routes.SUBSCRIBE,
            {"email": email, "name": details["name"], "policy_version": "2018-05-25"},
        ),
        (routes.CONFIRM_SUBSCRIPTION, None),
        # The renewal question is mailed by `jtec newsletter send`, not by a route: its token is made here,
        # with the key the runtime's process signs with.
        (routes.RENEW_SUBSCRIPTION, {"token": renewal_token(email)}),
        (routes.UNSUBSCRIBE, None),
        (routes.ENQUIRY, details),
        (routes.ACCESS, {"email": email}),
        (routes.CONFIRM_ACCESS, None),
        (routes.ERASURE, {"email": email}),
        (routes.CONFIRM_ERASURE, None),
    ]
    assert {route.path for route, _ in plan} == {route.path for route in routes.ROUTES}, "a route is missing"
    requests = []
    for route, body in plan:
        requests.append(
            {
                "function": route.function,
                "event": event(route.path, body or {"token": ""}),
                "token_from_mail_to": None if body else route.form_page,
                "status": route.status,
            }
        )
    expired_enquiry = {
        "pk": "SUBJECT#expired",
        "sk": f"{retention.ENQUIRY.sort_key}2025-01-01T10:00:00+00:00#ENQ-AAAAAAAA",
    }
    stream = {"Records": [ttl_stream_record(expired_enquiry, deleted_at=1_767_265_200)]}  # 2026-01-01 11:00
    return requests, stream


def test_every_route_answers_under_the_runtimes_python_with_the_artefacts_code(
    artefact, lambda_python, tmp_path, forms
):
    code = tmp_path / "code"
    shutil.copytree(artefact / "EnquiryFunction" / "jtec_forms", code / "jtec_forms")
    requests, stream = route_requests()
    plan = tmp_path / "requests.json"
    plan.write_text(json.dumps({"requests": requests, "stream_event": stream}))
    answer = subprocess.run(
        [str(lambda_python), str(PROJECT_DIR / "tests" / "runtime_requests.py"), str(plan)],
        env={**os.environ, "PYTHONPATH": str(code), "POWERTOOLS_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result["python"].startswith(lambda_build.runtime()[0] + ".")
    assert result["statuses"] == [request["status"] for request in requests]
    assert result["audit"] == {"batchItemFailures": []}

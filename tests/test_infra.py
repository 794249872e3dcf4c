"""`infra/template.yaml` against the code: the template deploys exactly the routes the functions serve."""

import sys

from jtec_forms.routes import ROUTES
from local.stack import read_template


def template_routes():
    """(method, path, handler module) for every HTTP API event of every function in the template."""
    wired = set()
    for resource in read_template()["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        handler_module = resource["Properties"]["Handler"].removesuffix(".lambda_handler")
        for event in resource["Properties"].get("Events", {}).values():
            if event["Type"] == "HttpApi":
                wired.add((event["Properties"]["Method"], event["Properties"]["Path"], handler_module))
    return wired


def test_the_template_wires_exactly_the_routes_of_the_route_table():
    assert template_routes() == {(route.method, route.path, route.handler_module) for route in ROUTES}


def test_every_handler_the_template_names_exists():
    import importlib

    for _, _, module in template_routes():
        assert callable(importlib.import_module(module).lambda_handler)


def resources():
    return read_template()["Resources"]


def test_ttl_deletions_reach_the_audit_function_and_none_is_lost_silently():
    stream = resources()["ExpiryAuditFunction"]["Properties"]["Events"]["TableStream"]["Properties"]
    assert stream["Stream"] == {"GetAtt": "DataTable.StreamArn"}
    assert stream["BisectBatchOnFunctionError"] is True
    assert 0 < stream["MaximumRetryAttempts"] <= 10
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert stream["DestinationConfig"]["OnFailure"]["Destination"] == {"GetAtt": "ExpiryAuditFailures.Arn"}
    table = resources()["DataTable"]["Properties"]
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"


def staff_actions():
    statements = resources()["StaffToolsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    return {
        action
        for statement in statements
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }


def test_the_staff_policy_allows_exactly_what_the_staff_tools_call():
    import ast
    from pathlib import Path

    from local.site_builder import PROJECT_DIR

    source = Path(PROJECT_DIR / "staff" / "jtec_staff" / "queries.py").read_text()
    called = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "table"
    }
    operations = {
        "get_item": "GetItem",
        "query": "Query",
        "scan": "Scan",
        "update_item": "UpdateItem",
        "put_item": "PutItem",
        "delete_item": "DeleteItem",
    }
    assert {f"dynamodb:{operations[name]}" for name in called} == staff_actions()


def test_the_region_the_policy_states_is_the_one_the_deployment_uses():
    import tomllib
    from pathlib import Path

    from jtec_forms import policy_facts
    from local import stack
    from local.site_builder import PROJECT_DIR

    samconfig = tomllib.loads(Path(PROJECT_DIR / "infra" / "samconfig.toml").read_text())
    assert samconfig["default"]["deploy"]["parameters"]["region"] == policy_facts.DATA_REGION
    assert stack.REGION == policy_facts.DATA_REGION
    draft = (PROJECT_DIR / "content" / "policies" / "privacy" / "2027-01-01.md").read_text()
    assert f"{policy_facts.DATA_REGION_NAME} region ({policy_facts.DATA_REGION})" in draft


def test_every_aws_service_the_template_uses_is_named_by_the_policy_or_given_no_personal_data():
    from jtec_forms import policy_facts

    template = read_template()
    used = {resource["Type"] for resource in template["Resources"].values()}
    for resource in template["Resources"].values():
        for policy in resource.get("Properties", {}).get("Policies", []):
            for statement in policy.get("Statement", []):
                action = statement["Action"]
                used |= {action} if isinstance(action, str) else set(action)
    undecided = set()
    for name in used:
        try:
            policy_facts.aws_service(name)
        except KeyError:
            undecided.add(name)
    assert not undecided, "say in policy_facts whether these are given personal data"
    assert "Amazon CloudFront" in {policy_facts.aws_service(name) for name in used}


def test_the_lambda_package_declares_every_library_the_functions_import():
    import ast

    from local.site_builder import PROJECT_DIR

    functions = PROJECT_DIR / "functions"
    imported = set()
    for source in (functions / "jtec_forms").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    provided = {"boto3", "botocore"}  # in the Lambda runtime
    required = {
        line.split(">=")[0]
        .strip()
        .replace("-", "_")
        .replace("aws_lambda_powertools", "aws_lambda_powertools")
        for line in (functions / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    names = {"email_validator": "email_validator", "jinja2": "jinja2", "lxml": "lxml"}
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "jtec_forms"}
    missing = {name for name in third_party - provided if names.get(name, name) not in required}
    # lxml is imported only by the site build's policy checks (policy_facts.problems), never in Lambda.
    assert missing <= {"lxml"}, missing

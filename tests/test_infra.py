"""`infra/template.yaml` against the code: the template deploys exactly the routes the functions serve."""

import shutil
import sys
from pathlib import Path

import pytest

from infra import deployed_lock
from infra.deployment import NotReady
from jtec_forms import web
from jtec_forms.routes import DEFAULT_ROUTE_FUNCTION, PAGE_ADDRESSES, ROUTES
from project.template import TEMPLATE, read_template


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
    default = ("ANY", "$default", f"jtec_forms.handlers.{DEFAULT_ROUTE_FUNCTION}")
    assert template_routes() == {(route.method, route.path, route.handler_module) for route in ROUTES} | {
        default
    }


def test_cloudfront_sends_each_page_address_to_the_api_exactly_as_it_sends_api_paths():
    behaviours = resources()["SiteDistribution"]["Properties"]["DistributionConfig"]["CacheBehaviors"]
    by_pattern = {behaviour["PathPattern"]: behaviour for behaviour in behaviours}
    assert set(by_pattern) == {"/api/*", *PAGE_ADDRESSES}
    api = {key: value for key, value in by_pattern["/api/*"].items() if key != "PathPattern"}
    for address in PAGE_ADDRESSES:
        assert {key: value for key, value in by_pattern[address].items() if key != "PathPattern"} == api


def test_only_a_missing_page_becomes_the_sites_404_page_so_api_errors_stay_json():
    config = resources()["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert [
        (error["ErrorCode"], error["ResponseCode"], error["ResponsePagePath"])
        for error in config["CustomErrorResponses"]
    ] == [(403, 404, "/404.html")]
    [reads] = [
        s
        for s in resources()["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        if s["Sid"] == "CloudFrontReadsTheSite"
    ]
    assert reads["Action"] == "s3:GetObject"  # no ListBucket: a missing object is S3's 403, not its 404


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


def test_the_stream_filter_uses_only_what_lambda_filters_support_so_audits_cannot_stop_silently():
    import json

    stream = resources()["ExpiryAuditFunction"]["Properties"]["Events"]["TableStream"]["Properties"]
    [only] = stream["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == {"eventName": ["REMOVE"]}  # TTL or not: the function decides


def staff_actions():
    statements = resources()["StaffToolsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    return {
        action
        for statement in statements
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }


# The AWS operations the staff tools' modules call, by the name of what they call them on.
STAFF_OPERATIONS = {
    "get_item": ["dynamodb:GetItem"],
    "query": ["dynamodb:Query"],
    "scan": ["dynamodb:Scan"],
    "update_item": ["dynamodb:UpdateItem"],
    "put_item": ["dynamodb:PutItem"],
    "delete_item": ["dynamodb:DeleteItem"],
    "transact_write_items": ["dynamodb:ConditionCheckItem", "dynamodb:PutItem"],  # the claim of a news send
    "send_raw_email": ["ses:SendRawEmail"],
    "get_send_quota": ["ses:GetSendQuota"],
}


def test_the_staff_policy_allows_exactly_what_the_staff_tools_call():
    import ast
    from pathlib import Path

    from project import PROJECT_DIR

    called = set()
    for module in ("queries.py", "newsletter.py", "data_requests.py"):
        source = Path(PROJECT_DIR / "staff" / "jtec_staff" / module).read_text()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Attribute) and node.attr in STAFF_OPERATIONS:
                receiver = getattr(node.value, "id", None) or getattr(node.value, "attr", None)
                if receiver in ("table", "client", "ses"):
                    called.update(STAFF_OPERATIONS[node.attr])
    # The key that signs each subscriber's unsubscribe link, read as the functions read it
    # (jtec_forms.config.secret, when APP_SECRET_PARAMETER names it); and what `jtec erase`, `access` and
    # `subscribers` do through the functions' own code (for_a_person.py), and `jtec digest`'s count of the
    # failure queue (digest.queue_depth): each recorded, with its conditions, by test_least_privilege.py.
    assert called | {"ssm:GetParameter", "dynamodb:DeleteItem", "sqs:GetQueueAttributes"} == staff_actions()


def test_the_region_the_policy_states_is_the_one_the_deployment_uses():
    import tomllib
    from pathlib import Path

    from local import stack
    from project import PROJECT_DIR, policy_facts

    samconfig = tomllib.loads(Path(PROJECT_DIR / "infra" / "samconfig.toml").read_text())
    assert samconfig["default"]["deploy"]["parameters"]["region"] == policy_facts.DATA_REGION
    assert stack.REGION == policy_facts.DATA_REGION
    draft = (PROJECT_DIR / "content" / "policies" / "privacy" / "2027-01-01.md").read_text()
    assert f"{policy_facts.DATA_REGION_NAME} region ({policy_facts.DATA_REGION})" in draft


def test_every_aws_service_the_template_uses_is_named_by_the_policy_or_given_no_personal_data():
    from project import policy_facts

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


def imports_of_the_functions():
    import ast

    from project import PROJECT_DIR

    imported = set()
    for source in (PROJECT_DIR / "functions" / "jtec_forms").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    return {name for name in imported if name not in sys.stdlib_module_names and name != "jtec_forms"}


def requirements(name):
    from packaging.requirements import Requirement

    from project import PROJECT_DIR

    lines = (PROJECT_DIR / "functions" / name).read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def test_the_lambda_package_declares_every_library_the_functions_import():
    from packaging.utils import canonicalize_name

    provided = {"boto3", "botocore"}  # in the Lambda runtime
    declared = {canonicalize_name(requirement.name) for requirement in requirements("requirements.in")}
    # lxml is imported only by the site build's policy checks (policy_facts.problems), never in Lambda.
    missing = {
        name for name in imports_of_the_functions() - provided if canonicalize_name(name) not in declared
    }
    assert missing <= {"lxml"}, missing


def test_the_lock_pins_one_version_of_every_declared_library_that_satisfies_it():
    from packaging.utils import canonicalize_name

    pins = {}
    for requirement in requirements("requirements.txt"):
        [specifier] = requirement.specifier
        assert specifier.operator == "==", requirement
        pins[canonicalize_name(requirement.name)] = specifier.version
    for requirement in requirements("requirements.in"):
        assert requirement.specifier.contains(pins[canonicalize_name(requirement.name)]), requirement


def functions():
    return {
        name: resource
        for name, resource in resources().items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_every_function_runs_the_runtime_the_lock_was_resolved_for():
    from infra import lock_functions

    globals_ = read_template()["Globals"]["Function"]
    assert globals_["Runtime"] == "python" + lock_functions.RUNTIME_PYTHON
    assert globals_["Architectures"] == ["arm64"] and lock_functions.RUNTIME_PLATFORM.endswith("aarch64")
    for resource in functions().values():
        assert "Runtime" not in resource["Properties"] and "Layers" not in resource["Properties"]


def test_every_environment_variable_the_functions_read_is_set_by_the_template():
    import ast

    from project import PROJECT_DIR

    read = set()
    for source in (PROJECT_DIR / "functions" / "jtec_forms").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            environ = None
            if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
                environ = node.slice
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv"):
                environ = node.args[0]
            if environ is not None:
                read.add(environ.value)
    template = read_template()
    set_by_template = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            set_by_template |= set(resource["Properties"].get("Environment", {}).get("Variables", {}))
    # APP_SECRET and ORIGIN_SECRET are the local stack's stand-ins for the SSM parameters, never read in AWS;
    # DIGEST_OLD_AFTER_DAYS is a setting with its default in the code (digest.OLD_AFTER_DAYS).
    assert read - set_by_template == {"APP_SECRET", "ORIGIN_SECRET", "DIGEST_OLD_AFTER_DAYS"}


def test_cloudfront_sends_the_api_the_origin_secret_from_ssm_and_the_viewers_address():
    resources = read_template()["Resources"]
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    [api] = [origin for origin in config["Origins"] if origin["Id"] == "api"]
    [header] = api["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == web.ORIGIN_HEADER
    assert header["HeaderValue"] == {"Sub": "{{resolve:ssm:${OriginSecretParameter}}}"}  # never the value
    [behaviour] = [item for item in config["CacheBehaviors"] if item["PathPattern"] == "/api/*"]
    assert behaviour["OriginRequestPolicyId"] == {"Ref": "ApiOriginRequests"}
    headers = resources["ApiOriginRequests"]["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]
    assert web.VIEWER_ADDRESS_HEADER in {name.lower() for name in headers["Headers"]}
    assert "host" not in {name.lower() for name in headers["Headers"]}
    variables = read_template()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ORIGIN_SECRET_PARAMETER"] == {"Ref": "OriginSecretParameter"}


def test_the_code_uses_the_key_ttl_index_and_stream_the_template_declares():
    from jtec_forms import store, subscriptions
    from jtec_staff import queries

    table = resources()["DataTable"]["Properties"]
    assert [key["AttributeName"] for key in table["KeySchema"]] == ["pk", "sk"]
    assert store.key_of({"pk": "P", "sk": "S", "other": 1}) == {"pk": "P", "sk": "S"}
    assert table["TimeToLiveSpecification"] == {"AttributeName": store.TTL_ATTRIBUTE, "Enabled": True}
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {queries.OPEN_INDEX, subscriptions.SUBSCRIBERS_INDEX}
    assert [key["AttributeName"] for key in indexes[queries.OPEN_INDEX]["KeySchema"]] == [
        "open_pk",
        "open_sk",
    ]
    subscribers = indexes[subscriptions.SUBSCRIBERS_INDEX]
    assert [key["AttributeName"] for key in subscribers["KeySchema"]] == ["list_pk", "list_sk"]
    assert subscribers["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["email"]}
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"


def test_every_log_group_keeps_logs_as_long_as_the_retention_schedule_says():
    from jtec_forms import retention

    groups = {
        name: resource for name, resource in resources().items() if resource["Type"] == "AWS::Logs::LogGroup"
    }
    assert {group["Properties"]["RetentionInDays"] for group in groups.values()} == {
        retention.LOG_RETENTION_DAYS
    }
    logged = {resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] for resource in functions().values()}
    api_logs = resources()["HttpApi"]["Properties"]["AccessLogSettings"]["DestinationArn"]["GetAtt"]
    assert logged | {api_logs.removesuffix(".Arn")} == set(groups)


def test_a_flood_on_one_function_cannot_starve_the_others():
    assert all(
        resource["Properties"]["ReservedConcurrentExecutions"] > 0 for resource in functions().values()
    )
    throttling = resources()["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert throttling["ThrottlingRateLimit"] > 0 and throttling["ThrottlingBurstLimit"] > 0


def test_the_api_is_reached_only_through_cloudfront_on_the_sites_origin():
    assert resources()["HttpApi"]["Properties"]["DisableExecuteApiEndpoint"] is True
    config = resources()["SiteDistribution"]["Properties"]["DistributionConfig"]
    [api] = [behaviour for behaviour in config["CacheBehaviors"] if behaviour["PathPattern"] == "/api/*"]
    [origin] = [origin for origin in config["Origins"] if origin["Id"] == api["TargetOriginId"]]
    assert origin["DomainName"] == {"Ref": "ApiDomainName"}
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # managed CachingDisabled
    assert "POST" in api["AllowedMethods"]


def test_no_module_of_the_lambda_package_is_over_250_lines():
    from project import PROJECT_DIR

    package = PROJECT_DIR / "functions" / "jtec_forms"
    sizes = {
        path.relative_to(package).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in package.rglob("*.py")
    }
    assert {name: lines for name, lines in sizes.items() if lines > 250} == {}


def test_the_deploy_tools_never_import_the_local_stack():
    import ast

    from project import PROJECT_DIR

    imports = set()
    for source in (PROJECT_DIR / "infra").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imports.add((source.name, node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                imports |= {(source.name, alias.name.split(".")[0]) for alias in node.names}
    assert {(name, module) for name, module in imports if module == "local"} == set()


def test_the_templates_alarms_are_the_ones_infra_alarms_writes():
    from infra import alarms

    text = alarms.TEMPLATE.read_text(encoding="utf-8")
    assert alarms.written(text) == text, "run python -m infra.alarms"


def test_every_function_has_its_errors_and_throttles_alarms_and_the_failure_queue_its_alarm():
    resources = read_template()["Resources"]
    watched = {
        (alarm["Properties"]["MetricName"], alarm["Properties"]["Dimensions"][0]["Value"].get("Ref"))
        for alarm in resources.values()
        if alarm["Type"] == "AWS::CloudWatch::Alarm"
    }
    for name, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            assert {("Errors", name), ("Throttles", name)} <= watched, name
    queue_alarms = [
        alarm
        for alarm in resources.values()
        if alarm["Type"] == "AWS::CloudWatch::Alarm" and alarm["Properties"]["Namespace"] == "AWS/SQS"
    ]
    assert [alarm["Properties"]["Dimensions"][0]["Value"] for alarm in queue_alarms] == [
        {"GetAtt": "ExpiryAuditFailures.QueueName"}
    ]
    assert all(
        alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
        for alarm in resources.values()
        if alarm["Type"] == "AWS::CloudWatch::Alarm"
    )


def test_the_alarm_topic_has_no_key_cloudwatch_cannot_use():
    topic = read_template()["Resources"]["AlarmTopic"]["Properties"]
    assert (
        "KmsMasterKeyId" not in topic
    )  # CloudWatch cannot publish under alias/aws/sns; alarms hold no personal data


def test_a_failed_first_create_leaves_no_orphan_table():
    table = read_template()["Resources"]["DataTable"]
    assert table["DeletionPolicy"] == "RetainExceptOnCreate" and table["UpdateReplacePolicy"] == "Retain"


def test_the_apis_certificate_must_come_from_the_data_region():
    import re

    from project import policy_facts

    pattern = re.compile(read_template()["Parameters"]["ApiCertificateArn"]["AllowedPattern"])
    arn = "arn:aws:acm:{}:123456789012:certificate/abcd-1234"
    assert pattern.match(arn.format(policy_facts.DATA_REGION))
    assert not pattern.match(arn.format("us-east-1"))


def test_the_lambda_package_holds_only_what_its_handlers_reach():
    """Walk the imports from every handler (those inside functions too): every module of functions/ is
    reached, and every data file is named by a module that is (build-time code lives in project/)."""
    import ast

    from project import PROJECT_DIR

    package = PROJECT_DIR / "functions" / "jtec_forms"

    def module_file(name):
        path = package.parent / Path(*name.split("."))
        return path.with_suffix(".py") if path.with_suffix(".py").exists() else path / "__init__.py"

    def imported(path):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("jtec_forms"):
                yield node.module
                yield from (f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                yield from (alias.name for alias in node.names if alias.name.startswith("jtec_forms"))

    reached, waiting = (
        set(),
        [f"jtec_forms.handlers.{path.stem}" for path in (package / "handlers").glob("[!_]*.py")],
    )
    while waiting:
        path = module_file(waiting.pop())
        if path.exists() and path not in reached:
            reached.add(path)
            waiting += list(imported(path))
    modules = {path for path in package.rglob("*.py") if path.name != "__init__.py"}
    assert {path.relative_to(package).as_posix() for path in modules - reached} == set()
    sources = "".join(path.read_text(encoding="utf-8") for path in reached)
    data = [path for path in package.rglob("*") if path.is_file() and path.suffix not in (".py", ".pyc")]
    unnamed = [
        path.relative_to(package).as_posix()
        for path in data
        if f'"{path.name}"' not in sources and f'"{path.parent.name}"' not in sources
    ]
    assert unnamed == []


def test_without_the_runtimes_python_the_deployed_tier_says_what_to_install(monkeypatch, tmp_path):
    import pytest

    from project import lambda_build

    monkeypatch.setattr(lambda_build.shutil, "which", lambda name: None)
    monkeypatch.setattr(lambda_build.Path, "home", lambda: tmp_path)  # no pyenv there
    with pytest.raises(lambda_build.RuntimeMissing, match=r"pyenv install 3\.12.*python3\.12-venv"):
        lambda_build.runtime_python()


def test_the_deploy_role_knows_every_kind_of_resource_the_stack_holds():
    from infra import deploy_role

    assert deploy_role.unknown_types() == []
    grown = read_template()
    grown["Resources"]["NewThing"] = {"Type": "AWS::Kinesis::Stream", "Properties": {}}
    assert deploy_role.unknown_types(grown) == ["AWS::Kinesis::Stream"]  # a new kind fails until listed


def test_the_deploy_role_can_set_up_the_apis_access_logs_and_pass_the_functions_roles():
    from infra import deploy_role

    assert "AccessLogSettings" in resources()["HttpApi"]["Properties"]
    actions = {action for statement in deploy_role.policy()["Statement"] for action in statement["Action"]}
    assert {"logs:CreateLogDelivery", "logs:PutResourcePolicy", "iam:PassRole", "ssm:PutParameter"} <= actions
    assert all(action.count(":") == 1 and "*" not in action for action in actions)


def test_the_template_names_the_policy_lock_its_functions_carry():
    assert deployed_lock.recorded() == deployed_lock.lock_sha256()


def test_make_lock_records_a_new_policy_lock_in_the_template_and_nothing_else(tmp_path):
    template = tmp_path / "template.yaml"
    shutil.copy(TEMPLATE, template)
    lock_file = tmp_path / "policy_lock.json"
    lock_file.write_text('{"privacy": {"2027-03-01": "' + "a" * 64 + '"}}\n')
    with pytest.raises(NotReady, match="run `make lock`"):
        deployed_lock.check_recorded(template, lock_file)  # make deploy stops here
    assert deployed_lock.record(template, lock_file) is True
    deployed_lock.check_recorded(template, lock_file)
    assert deployed_lock.record(template, lock_file) is False
    before, after = read_template(TEMPLATE), read_template(template)
    assert after["Outputs"].pop("PolicyLockSha256")["Value"] == deployed_lock.lock_sha256(lock_file)
    before["Outputs"].pop("PolicyLockSha256")
    assert after == before

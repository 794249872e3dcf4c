"""Where and as whom `make deploy` and `make publish` work: the stack and region of infra/samconfig.toml,
and an AWS session that exists only when there are credentials."""

import tomllib
from pathlib import Path

SAMCONFIG = Path(__file__).resolve().parent / "samconfig.toml"


class NotReady(Exception):
    """What stops a deployment or a publish, and how to fix it (the message says)."""


def deploy_settings():
    """The `sam deploy` parameters of infra/samconfig.toml (stack_name, region, parameter_overrides...)."""
    return tomllib.loads(SAMCONFIG.read_text())["default"]["deploy"]["parameters"]


def session():
    """A boto3 session in the deployment's region, refusing clearly when no credentials are found."""
    import boto3

    aws = boto3.Session(region_name=deploy_settings()["region"])
    if aws.get_credentials() is None:
        raise NotReady(
            "No AWS credentials: sign in first (aws sso login, or AWS_PROFILE=...; see docs/deploying.md)"
        )
    return aws

"""Settings from the environment, read once when first needed. The secret comes from SSM in AWS."""

import functools
import os


@functools.cache
def table_name():
    return os.environ["TABLE_NAME"]


@functools.cache
def site_url():
    """The public origin of the site, used in links in emails."""
    return os.environ.get("SITE_URL", "").rstrip("/")


@functools.cache
def mail_from():
    return os.environ["MAIL_FROM"]


@functools.cache
def staff_email():
    return os.environ["STAFF_EMAIL"]


@functools.cache
def secret():
    """The key for subject HMACs and signed links: SSM Parameter Store in AWS, env locally."""
    parameter = os.environ.get("APP_SECRET_PARAMETER")
    value = _parameter(parameter, decrypt=True) if parameter else os.environ["APP_SECRET"]
    return value.encode()


def _parameter(name, decrypt=False):
    """An SSM parameter's value (read once per instance: the callers cache it)."""
    from jtec_forms import aws

    return aws.client("ssm").get_parameter(Name=name, WithDecryption=decrypt)["Parameter"]["Value"]


@functools.cache
def origin_secret():
    """The value CloudFront sends in `X-Origin-Verify` with every request to the API, or None when none is
    configured (then no request is taken): SSM Parameter Store in AWS (a String, so the distribution can
    read it through a dynamic reference), env locally, where the local server adds it as CloudFront would."""
    parameter = os.environ.get("ORIGIN_SECRET_PARAMETER")
    value = _parameter(parameter) if parameter else os.environ.get("ORIGIN_SECRET")
    return value.encode() if value else None


# Every AWS call answers within the function's timeout (10 s in infra/template.yaml): at worst two
# attempts of 1 s to connect and, to read, 1 s from DynamoDB (it answers in milliseconds) or 3 s from
# SES, SSM and SQS; so a stalled service leaves time to answer 503.
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = {"dynamodb": 1, "ses": 3, "ssm": 3, "sqs": 3}
MAX_ATTEMPTS = 2


@functools.cache
def aws_client_config(service):
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS[service],
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )


def failure_queue_url():
    """The expiry audit's on-failure queue, whose waiting messages the digest counts (unset: none)."""
    return os.environ.get("FAILURE_QUEUE_URL") or None


def digest_old_after_days():
    """After how many days the digest calls an open enquiry out (DIGEST_OLD_AFTER_DAYS, default 14)."""
    from jtec_forms import digest

    return int(os.environ.get("DIGEST_OLD_AFTER_DAYS") or digest.OLD_AFTER_DAYS)


def clear():
    """Forget cached settings (the local stack and tests change the environment)."""
    for setting in (table_name, site_url, mail_from, staff_email, secret, origin_secret):
        setting.cache_clear()

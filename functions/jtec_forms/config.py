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
    if parameter:
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_parameter(parameter, decrypt=True, max_age=300)
    else:
        value = os.environ["APP_SECRET"]
    return value.encode()


def clear():
    """Forget cached settings (the local stack and tests change the environment)."""
    for setting in (table_name, site_url, mail_from, staff_email, secret):
        setting.cache_clear()

"""Sending email through Amazon SES (raw messages, so RFC 8058 unsubscribe headers can be set)."""

import functools
from email.message import EmailMessage

from jtec_forms import config


class MailUnavailable(Exception):
    """SES did not accept the message."""


@functools.cache
def _client():
    import boto3

    return boto3.client("ses")


def send(to, subject, text, headers=None):
    message = EmailMessage()
    message["From"] = config.mail_from()
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        _client().send_raw_email(
            Source=config.mail_from(), Destinations=[to], RawMessage={"Data": message.as_bytes()}
        )
    except (BotoCoreError, ClientError) as error:
        raise MailUnavailable(type(error).__name__) from error

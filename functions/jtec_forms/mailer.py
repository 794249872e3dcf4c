"""Sending email through Amazon SES (raw messages, so RFC 8058 unsubscribe headers can be set)."""

import functools

from jtec_forms import config
from jtec_forms.subjects import delivery_address


class MailUnavailable(Exception):
    """SES did not accept the message."""


@functools.cache
def _client():
    from jtec_forms import aws

    return aws.client("ses")


def build(to, subject, text, headers=None):
    """A plain-text message. The classic MIMEText API: several times faster than EmailMessage here.
    Imported here, not at module load: requests that send no mail (most refusals) never pay for it."""
    from email.charset import QP, Charset
    from email.mime.text import MIMEText

    charset = Charset("utf-8")
    charset.body_encoding = QP  # quoted-printable keeps the text and its links readable in the raw message
    message = MIMEText(text, "plain", charset)
    message["From"] = config.mail_from()
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    return message.as_bytes()


def send(to, subject, text, headers=None):
    """Send to the address's ASCII form: SES takes no international domain as typed (`müller.de` goes as
    `xn--mller-kva.de`), and that form is the mailbox the person's subject key is made from. An ASCII
    address is its own ASCII form (staff's, say, from the template: sent as configured)."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not to.isascii():
        to = delivery_address(to) or to
    try:
        _client().send_raw_email(
            Source=config.mail_from(),
            Destinations=[to],
            RawMessage={"Data": build(to, subject, text, headers)},
        )
    except (BotoCoreError, ClientError) as error:
        raise MailUnavailable(type(error).__name__) from error

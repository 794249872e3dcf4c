"""Signed, expiring links for emails (itsdangerous, one salt per purpose). Single use is the store's job."""

import datetime
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from jtec_forms import clock, retention

CONFIRM_SUBSCRIPTION = "confirm-subscription"
UNSUBSCRIBE = "unsubscribe"
RENEW_SUBSCRIPTION = "renew-subscription"
ERASE = "erase-my-data"
ACCESS = "see-my-data"

# How long a link works, from the retention schedule (None: for as long as what it acts on exists).
MAX_AGE = {
    CONFIRM_SUBSCRIPTION: retention.CONFIRM_LINK_LIFETIME,
    UNSUBSCRIBE: retention.UNSUBSCRIBE_LINK_LIFETIME,
    RENEW_SUBSCRIPTION: retention.RENEW_LINK_LIFETIME,
    ERASE: retention.DATA_REQUEST_LINK_LIFETIME,
    ACCESS: retention.DATA_REQUEST_LINK_LIFETIME,
}


class TokenRefused(Exception):
    """The token is tampered, expired, or for another purpose; the message is for the person."""


@dataclass(frozen=True)
class Claims:
    subject_key: str
    nonce: str
    issued_at: datetime.datetime
    purpose: str

    @property
    def expires_at(self):
        """When the link stops working, or None when it works for as long as what it acts on exists."""
        lifetime = MAX_AGE[self.purpose]
        return self.issued_at + lifetime if lifetime else None


class _ClockSigner(TimestampSigner):
    """Timestamps from our clock, so the local stack's moved clock expires links too."""

    def get_timestamp(self):
        return int(clock.now().timestamp())


def _serializer(secret, purpose):
    return URLSafeTimedSerializer(secret, salt=purpose, signer=_ClockSigner)


def issue(secret, purpose, subject_key):
    return _serializer(secret, purpose).dumps({"s": subject_key, "n": secrets.token_urlsafe(16)})


def read(secret, purpose, token):
    try:
        payload, issued_at = _serializer(secret, purpose).loads(
            token, max_age=MAX_AGE[purpose] and MAX_AGE[purpose].total_seconds(), return_timestamp=True
        )
    except SignatureExpired:
        raise TokenRefused("This link has expired. Start again to get a new one.") from None
    except BadSignature:
        raise TokenRefused(
            "This link is not valid. Check you copied the whole link from the email."
        ) from None
    if not isinstance(payload, dict) or not {"s", "n"} <= payload.keys():
        raise TokenRefused("This link is not valid. Check you copied the whole link from the email.")
    return Claims(subject_key=payload["s"], nonce=payload["n"], issued_at=issued_at, purpose=purpose)

"""Data-subject keys: every item about a person lives under `SUBJECT#<HMAC of normalised email>`."""

import hashlib
import hmac

from email_validator import EmailNotValidError, validate_email


def normalise_email(address):
    """The canonical form of an address: validated syntax, normalised domain, case folded."""
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.normalized.casefold()


def subject_key(secret, address):
    digest = hmac.new(secret, b"subject:" + normalise_email(address).encode(), hashlib.sha256)
    return "SUBJECT#" + digest.hexdigest()


def mailbox(address):
    """The mailbox an address delivers to, for limits on mail: case folded and without a plus tag, so
    `Ann+1@example.com` and `ann+2@example.com` count as `ann@example.com` (what is stored is unchanged)."""
    local, _, domain = normalise_email(address).rpartition("@")
    untagged = local.split("+", 1)[0]
    return (untagged or local) + "@" + domain  # "+tag@" alone is a mailbox of its own


def mailbox_key(secret, address):
    """The subject key of the mailbox an address delivers to: its mail limits live there."""
    return subject_key(secret, mailbox(address))


def client_key(secret, source_ip):
    """A key for rate limits per client that keeps no IP address."""
    return hmac.new(secret, b"client:" + source_ip.encode(), hashlib.sha256).hexdigest()

"""Data-subject keys: every item about a person lives under `SUBJECT#<HMAC of normalised email>`.

A person is a mailbox, and a mailbox is the address mail is delivered to: the ASCII form of the address
(an international domain in IDNA, `straße.de` as `xn--strae-oqa.de`), which is also where our mail goes.
Two addresses are one person exactly when their ASCII forms differ only in the case of an ASCII local
part. Folding Unicode case (`ß` to `ss`, `ς` to `σ`) would join domains that belong to different owners."""

import hashlib
import hmac

from jtec_forms import addresses


def delivery_address(address):
    """Where mail for `address` goes: its ASCII form (local part as typed, domain in IDNA). An address
    whose local part is not ASCII has no ASCII form; the forms refuse those, so this is never None for
    an address they accepted."""
    found = addresses.parts(address)
    if found is None or not found[0].isascii():
        return None
    return found[0] + "@" + found[1]


def normalise_email(address):
    """The canonical form of an address, or None if it is not one: the ASCII form, with an ASCII local
    part in lower case (a non-ASCII one, which the forms refuse, is kept as normalised, never folded)."""
    found = addresses.parts(address)
    if found is None:
        return None
    local, domain = found
    return (local.lower() if local.isascii() else local) + "@" + domain


def subject_key(secret, address):
    digest = hmac.new(secret, b"subject:" + normalise_email(address).encode(), hashlib.sha256)
    return "SUBJECT#" + digest.hexdigest()


def mailbox(address):
    """The mailbox an address delivers to, for limits on mail: in one case and without a plus tag, so
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

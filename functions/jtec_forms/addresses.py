"""Email addresses: whether a text is one, and its ASCII form (the address mail is delivered to).

email-validator decides (check_deliverability=False: no DNS). It costs ~20 ms to import, so the common
plain address (ASCII letters, digits and the usual signs; a domain of ASCII labels under a TLD of
letters) is decided here without it: `PLAIN` accepts only addresses email-validator accepts with the same
ASCII form (a property test in tests/test_rules.py holds it), and everything else, an international
address, a quoted local part or a special-use domain, goes to email-validator."""

import re

# A local part of dot-separated atoms (RFC 5322 atext), at most 64 characters; a domain of labels of
# letters, digits and inner hyphens (never `xx--`, which IDNA reserves), under a TLD of 2 to 63 letters.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"(?![A-Za-z0-9]{2}--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
PLAIN = re.compile(rf"(?=[^@]{{1,64}}@){_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
MAX_LENGTH = 254
# Domains email-validator refuses as special-use (RFC 6761): left to it, so it gives its own reason.
SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")


def _plain(address):
    """True for an address decided here: plain ASCII, within the lengths, no special-use domain."""
    return (
        len(address) <= MAX_LENGTH
        and PLAIN.fullmatch(address) is not None
        and address.rsplit(".", 1)[1].lower() not in SPECIAL_USE
    )


class NotAnAddress(ValueError):
    """email-validator's reason why a text is not an email address."""


def _validated(address, smtputf8=True):
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False, allow_smtputf8=smtputf8)
    except EmailNotValidError as error:
        raise NotAnAddress(str(error)) from None


def check(address):
    """Raise NotAnAddress unless `address` is an email address."""
    if not _plain(address):
        _validated(address)


def is_deliverable(address):
    """False for a valid address Amazon SES cannot send to: one with characters outside ASCII before the
    @ (SMTPUTF8). A domain in other scripts is fine: it is sent as xn--."""
    if _plain(address):
        return True
    try:
        _validated(address, smtputf8=False)
    except NotAnAddress:
        return False
    return True


def parts(address):
    """(local part as typed, ASCII domain) of a valid address, or None if it is not one."""
    if _plain(address):
        local, _, domain = address.rpartition("@")
        return local, domain.lower()
    try:
        valid = _validated(address)
    except NotAnAddress:
        return None
    return valid.local_part, valid.ascii_domain

"""What the forms' actions share: the mail they send, the links they read, the consent they record."""

import contextlib

from jtec_forms import config, emails, mailer, policies, store, subscriptions, tokens
from jtec_forms.refusals import Refused
from jtec_forms.validation import schema


def wording(form, field):
    """The id and words of the consent a form's tick box asks for."""
    properties = schema(form)["properties"][field]
    return properties["x-wording-id"], properties["title"]


def button_wording(route):
    """The id, words and button of the consent a form asks for with its button (its schema's x-consent)."""
    asked = schema(route.form)["x-consent"]
    return asked["wording-id"], asked["text"], route.submit_label


def subscription_step(subject, name, email, consent, now):
    """Write a new sign-up, or touch an active subscription, and return the mail to send with the key
    of what to take back if it cannot be sent. Both paths read, write and mail once, so the time of
    the answer does not tell whether an address is subscribed."""
    secret = config.secret()
    unsubscribe_token = tokens.issue(secret, tokens.UNSUBSCRIBE, subject)
    existing = store.get_subscription(subject, now)
    if existing and existing["status"] == "active":
        # Unsubscribed a moment ago (ItemChanged): the reminder still tells the truth about the request.
        with contextlib.suppress(store.ItemChanged):
            store.replace_existing(existing)
        return emails.already_subscribed(unsubscribe_token), None
    confirm_token = tokens.issue(secret, tokens.CONFIRM_SUBSCRIPTION, subject)
    item = subscriptions.pending_item(subject, name, email, consent, now)
    store.put(item)
    return emails.confirm_subscription(confirm_token, unsubscribe_token), store.key_of(item)


def send(to, mail):
    subject, text, *headers = mail
    mailer.send(to, subject, text, headers[0] if headers else None)


def send_or_take_back(to, mail, written):
    """Send the mail; if it cannot be sent, delete what was written for it, so nothing is half-done."""
    try:
        send(to, mail)
    except mailer.MailUnavailable:
        if written:
            store.delete(written)
        raise


def policy_versions(submission, now):
    versions = policies.consented_under(submission["policy_version"], now)
    if versions is None:
        raise Refused.about("policy_version", policies.OUT_OF_DATE)
    return versions


def claims(purpose, token):
    try:
        return tokens.read(config.secret(), purpose, token)
    except tokens.TokenRefused as refused:
        raise Refused.about("token", str(refused)) from None

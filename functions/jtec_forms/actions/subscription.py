"""The newsletter: a double opt-in sign-up, its confirmation by the emailed link, and one-click
unsubscribe; each link works once."""

from jtec_forms import (
    clock,
    config,
    link_ledger,
    rate_limits,
    retention,
    routes,
    store,
    subscriptions,
    tokens,
)
from jtec_forms.actions import common
from jtec_forms.refusals import Refused
from jtec_forms.subjects import client_key, mailbox_key, subject_key

CHECK_YOUR_EMAIL = {"message": "Check your email: we have sent you a link to confirm your subscription."}


def start_subscription(submission, client_ip):
    """Newsletter sign-up: the same answer, and the same work, whether or not the address is known."""
    if submission.get("website"):
        return CHECK_YOUR_EMAIL
    now = clock.now()
    secret = config.secret()
    versions = common.policy_versions(submission, now)
    rate_limits.check_client(routes.SUBSCRIBE, client_key(secret, client_ip), now)
    rate_limits.check_mailbox(mailbox_key(secret, submission["email"]), now)
    subject = subject_key(secret, submission["email"])
    wording_id, wording, button = common.button_wording(routes.SUBSCRIBE)
    consent = subscriptions.consent_proof(versions, wording_id, wording, "newsletter", now, button=button)
    mail, written = common.subscription_step(subject, submission["name"], submission["email"], consent, now)
    common.send_or_take_back(submission["email"], mail, written)
    return CHECK_YOUR_EMAIL


def confirm_subscription(token, client_ip):
    """Use the emailed link once to make the pending sign-up active (subscriptions.confirmed decides)."""
    now = clock.now()
    rate_limits.check_client(routes.CONFIRM_SUBSCRIPTION, client_key(config.secret(), client_ip), now)
    claims = common.claims(tokens.CONFIRM_SUBSCRIPTION, token)
    pending = store.get_subscription(claims.subject_key, now)
    try:
        active = subscriptions.confirmed(pending, now)
        link_ledger.replace_using_link(claims.nonce, now, pending, active)
    except (subscriptions.NothingPending, store.ItemChanged, store.LinkAlreadyUsed):
        return _already_confirmed(claims, now)
    return {"message": "Thank you: your subscription is confirmed."}


def _already_confirmed(claims, now):
    """A link used before: good news if the subscription it confirmed is active (the answer is the same
    success, saying so, and changes nothing); refused, with words true to the state, otherwise."""
    used = link_ledger.link_used(claims.nonce)
    current = store.get_subscription(claims.subject_key, now)
    if used and current and current["status"] == "active":
        return {
            "message": "This link has already been used: your subscription is confirmed.",
            "already": True,
        }
    if used:
        raise Refused.about(
            "token", "This link has already been used, and this address is not subscribed now. Sign up again."
        )
    raise Refused.about("token", "This sign-up has expired or was cancelled. Sign up again.")


def renew_subscription(token, client_ip):
    """Use the emailed link once to keep a subscription whose consent we asked to renew."""
    now = clock.now()
    rate_limits.check_client(routes.RENEW_SUBSCRIPTION, client_key(config.secret(), client_ip), now)
    claims = common.claims(tokens.RENEW_SUBSCRIPTION, token)
    current = store.get_subscription(claims.subject_key, now)
    question = {"pk": claims.subject_key, "sk": retention.CONSENT_RENEWAL.sort_key}
    try:
        kept = subscriptions.renewed(current, now)
        link_ledger.replace_using_link(claims.nonce, now, current, kept, deleting=[question])
    except (subscriptions.NothingToRenew, store.ItemChanged):
        raise Refused.about(
            "token", "This subscription has ended, so there is nothing to keep. Sign up again."
        ) from None
    except store.LinkAlreadyUsed:
        return {"message": "This link has already been used: your subscription is kept.", "already": True}
    return {"message": "Thank you: you will keep getting our news."}


def unsubscribe(token, client_ip):
    rate_limits.check_client(routes.UNSUBSCRIBE, client_key(config.secret(), client_ip), clock.now())
    claims = common.claims(tokens.UNSUBSCRIBE, token)
    key = {"pk": claims.subject_key, "sk": retention.ACTIVE_SUBSCRIPTION.sort_key}
    try:
        link_ledger.delete_using_link(claims.nonce, clock.now(), key)
    except store.LinkAlreadyUsed:
        if store.get_subscription(claims.subject_key, clock.now()):
            raise Refused.about(
                "token",
                "This link has already been used. To unsubscribe again, use the link in our latest email.",
            ) from None
        # Used before and nothing is subscribed: what the person wants is true already.
        return {"message": "This link has already been used: you are unsubscribed.", "already": True}
    return {"message": "You have unsubscribed and we have deleted your details."}

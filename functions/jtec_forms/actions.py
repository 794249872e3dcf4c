"""What each form does once its input is valid: decide, store, mail, and return the answer's body.
Domain exceptions say what failed; the web layer turns them into statuses."""

import functools
import time

from jtec_forms import (
    clock,
    config,
    emails,
    enquiries,
    mailer,
    rate_limits,
    retention,
    store,
    subscriptions,
    tokens,
)
from jtec_forms.subjects import client_key, subject_key
from jtec_forms.validation import schema

IDEMPOTENCY_SECONDS = 600
IN_PROGRESS_WAIT_SECONDS = 5


CHECK_YOUR_EMAIL = {"message": "Check your email: we have sent you a link to confirm your subscription."}


class Refused(Exception):
    """The request is understood but cannot be done; `field` and message are for the person."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def _wording(form, field):
    properties = schema(form)["properties"][field]
    return properties["x-wording-id"], properties["title"]


def _subscription_step(subject, name, email, consent, now):
    """Items to write and the mail to send for a new sign-up (or a reminder if already subscribed)."""
    secret = config.secret()
    unsubscribe_token = tokens.issue(secret, tokens.UNSUBSCRIBE, subject)
    existing = store.get_subscription(subject, now)
    if existing and existing["status"] == "active":
        return [], emails.already_subscribed(existing["name"], unsubscribe_token)
    confirm_token = tokens.issue(secret, tokens.CONFIRM_SUBSCRIPTION, subject)
    item = subscriptions.pending_item(subject, name, email, consent, now)
    return [item], emails.confirm_subscription(name, confirm_token, unsubscribe_token)


def _write_then_mail(items, mails):
    """Write items, then send mails; if a mail fails, take the items back so nothing is half-done."""
    if items:
        store.put_all(items)
    try:
        for to, (subject, text, *headers) in mails:
            mailer.send(to, subject, text, headers[0] if headers else None)
    except mailer.MailUnavailable:
        if items:
            store.delete_all([{"pk": item["pk"], "sk": item["sk"]} for item in items])
        raise


def _record_enquiry(submission):
    now = clock.now()
    subject = subject_key(config.secret(), submission["email"])
    reference = enquiries.new_reference()
    items = [enquiries.enquiry_item(submission, subject, reference, now)]
    topic_labels = schema("enquiry")["properties"]["topic"]["x-labels"]
    mails = []
    if submission.get("opt_in") is True:
        wording_id, wording = _wording("enquiry", "opt_in")
        consent = subscriptions.consent_proof(
            submission["policy_version"], wording_id, wording, "enquiry", now
        )
        new_items, mail = _subscription_step(subject, submission["name"], submission["email"], consent, now)
        items += new_items
        mails.append((submission["email"], mail))
    # Staff hear last, so a failed confirmation mail never leaves them a notice of an enquiry taken back.
    mails.append(
        (config.staff_email(), emails.staff_notification(reference, topic_labels[submission["topic"]]))
    )
    _write_then_mail(items, mails)
    return {"reference": reference}


@functools.cache
def _idempotent_enquiry():
    """`_record_enquiry` made idempotent on the submission, in our own table (built on first use)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(
        table_name=config.table_name(),
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value="IDEMPOTENCY#enquiry",
        expiry_attr="expires_at",
        boto3_client=store.low_level_client(),
    )
    idempotency = IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_SECONDS)
    recorded = idempotent_function(
        data_keyword_argument="submission", persistence_store=persistence, config=idempotency
    )(_record_enquiry)
    return recorded, idempotency


def submit_enquiry(submission, client_ip, lambda_context=None):
    """Store an enquiry once however often it is sent; if opted in, start a double opt-in."""
    if submission.get("website"):
        return {"reference": enquiries.new_reference()}
    if submission.get("opt_in") is True:
        secret = config.secret()
        rate_limits.check(
            subject_key(secret, submission["email"]), client_key(secret, client_ip), clock.now()
        )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
    )

    recorded, idempotency = _idempotent_enquiry()
    if lambda_context is not None:
        idempotency.register_lambda_context(lambda_context)
    deadline = time.monotonic() + IN_PROGRESS_WAIT_SECONDS
    while True:
        try:
            result = recorded(submission=submission)
            break
        except IdempotencyAlreadyInProgressError:
            # A double-click: the first request is still running; answer with its result.
            if time.monotonic() > deadline:
                raise store.StoreUnavailable("enquiry still in progress") from None
            time.sleep(0.1)
        except IdempotencyPersistenceLayerError as error:
            raise store.StoreUnavailable("idempotency store") from error
    return {"reference": result["reference"]}


def start_subscription(submission, client_ip):
    """Newsletter sign-up: the same answer whether or not the address is known."""
    if submission.get("website"):
        return CHECK_YOUR_EMAIL
    now = clock.now()
    secret = config.secret()
    subject = subject_key(secret, submission["email"])
    rate_limits.check(subject, client_key(secret, client_ip), now)
    wording_id, wording = _wording("subscribe", "consent")
    consent = subscriptions.consent_proof(
        submission["policy_version"], wording_id, wording, "newsletter", now
    )
    items, mail = _subscription_step(subject, submission["name"], submission["email"], consent, now)
    _write_then_mail(items, [(submission["email"], mail)])
    return CHECK_YOUR_EMAIL


def _claims(purpose, token):
    try:
        return tokens.read(config.secret(), purpose, token)
    except tokens.TokenRefused as refused:
        raise Refused("token", str(refused)) from None


def confirm_subscription(token):
    """Use the emailed link once to make the pending sign-up active (subscriptions.confirmed decides)."""
    claims = _claims(tokens.CONFIRM_SUBSCRIPTION, token)
    now = clock.now()
    pending = store.get_subscription(claims.subject_key, now)
    try:
        active = subscriptions.confirmed(pending, now)
        store.replace_using_link(claims.subject_key, claims.nonce, now, pending, active)
    except (subscriptions.NothingPending, store.ItemChanged, store.LinkAlreadyUsed):
        raise Refused("token", _why_not_confirmed(claims, now)) from None
    return {"message": "Thank you: your subscription is confirmed."}


def _why_not_confirmed(claims, now):
    """Words true to the state the link finds: used before or not, subscribed now or not."""
    used = store.link_used(claims.subject_key, claims.nonce)
    current = store.get_subscription(claims.subject_key, now)
    if used and current and current["status"] == "active":
        return "This link has already been used. Your subscription is confirmed."
    if used:
        return "This link has already been used, and this address is not subscribed now. Sign up again."
    return "This sign-up has expired or was cancelled. Sign up again."


def unsubscribe(token):
    claims = _claims(tokens.UNSUBSCRIBE, token)
    key = {"pk": claims.subject_key, "sk": retention.ACTIVE_SUBSCRIPTION.sort_key}
    try:
        store.delete_using_link(claims.subject_key, claims.nonce, clock.now(), key)
    except store.LinkAlreadyUsed:
        if store.get_subscription(claims.subject_key, clock.now()):
            message = (
                "This link has already been used. To unsubscribe again, use the link in our latest email."
            )
        else:
            message = "This link has already been used. You are unsubscribed."
        raise Refused("token", message) from None
    return {"message": "You have unsubscribed and we have deleted your details."}

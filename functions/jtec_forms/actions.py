"""What each form does once its input is valid: decide, store, mail, and return the answer's body.
Domain exceptions say what failed; the web layer turns them into statuses."""

import contextlib
import datetime
import time

from jtec_forms import (
    access,
    clock,
    config,
    emails,
    enquiries,
    erasure,
    mailer,
    policies,
    rate_limits,
    retention,
    routes,
    site_facts,
    store,
    subscriptions,
    tokens,
)
from jtec_forms.logs import logger
from jtec_forms.subjects import client_key, mailbox_key, subject_key
from jtec_forms.validation import schema

# How long one attempt may hold a step of an enquiry (a mail) before a resend may take it over; the
# 503s ask for a resend after the same time (web.RETRY_AFTER_SECONDS).
STEP_LEASE_SECONDS = 30
TWIN_WAIT_SECONDS = 5
CHECK_YOUR_EMAIL = {"message": "Check your email: we have sent you a link to confirm your subscription."}
NEWSLETTER_LIMITED = (
    "We did not send the email to confirm your newsletter sign-up: too many have been asked for this "
    "address in the last hour. You can sign up on the newsletter page later."
)
NEWSLETTER_NOT_SENT = (
    "We could not send the email to confirm your newsletter sign-up just now. You can sign up on the "
    "newsletter page later."
)


class Refused(Exception):
    """The request is understood but cannot be done; `field` and message are for the person, `status`
    says why (400: what was sent cannot be done; 409: what it was about changed while it ran)."""

    def __init__(self, field, message, status=400):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


TOO_MANY_OPEN = (
    f"We already have {enquiries.MAX_OPEN_PER_ADDRESS} enquiries from this email address waiting for an answer. "
    f"Please telephone us on {site_facts.COMPANY['telephone']} instead, or write again once we have replied."
)
ERASED_MEANWHILE = (
    "Your enquiry was not kept: an erasure of your data ran while it was being sent, and took it with it. "
    "Send it again if you would like us to reply."
)


class Unfinished(Exception):
    """The enquiry is saved but a later step failed; sending it again finishes it and saves nothing twice."""

    def __init__(self, reference):
        super().__init__("unfinished")
        self.reference = reference


def _wording(form, field):
    properties = schema(form)["properties"][field]
    return properties["x-wording-id"], properties["title"]


def _subscription_step(subject, name, email, consent, now):
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


def _send(to, mail):
    subject, text, *headers = mail
    mailer.send(to, subject, text, headers[0] if headers else None)


def _send_or_take_back(to, mail, written):
    """Send the mail; if it cannot be sent, delete what was written for it, so nothing is half-done."""
    try:
        _send(to, mail)
    except mailer.MailUnavailable:
        if written:
            store.delete(written)
        raise


def _submission_record(subject, fingerprint, now):
    """The record of this enquiry's first arrival: found when it is sent again, written otherwise (a new
    enquiry is refused while the address holds the most open enquiries it may)."""
    sort_key = retention.SUBMISSION.sort_key + fingerprint
    record = store.get(subject, sort_key, now)
    if record is not None:
        return record
    if store.count_open_enquiries(subject, now) >= enquiries.MAX_OPEN_PER_ADDRESS:
        raise Refused(None, TOO_MANY_OPEN, status=409)
    record = enquiries.submission_item(subject, fingerprint, now)
    try:
        store.put_new(record, now)
    except store.AlreadyExists:
        return store.get(subject, sort_key, now)  # a twin arrived at the same moment
    return record


def _once(record_key, step, work):
    """Run `work` once per enquiry, however often it is sent: the submission record holds a lease on the
    step while it runs and marks it done after. `work` returns None when it did its job, or a note when
    it did not (the lease is given back, so sending the enquiry again tries again). A twin's running
    lease is waited for a few seconds, as for a double-click."""
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    while (state := store.claim(record_key, step, clock.now(), STEP_LEASE_SECONDS)) == store.BUSY:
        if time.monotonic() > deadline:
            raise store.StoreUnavailable(f"{step} in progress", saved=None)
        time.sleep(0.1)
    if state == store.DONE:
        return None
    try:
        note = work()
    except Exception:
        store.release(record_key, step)
        raise
    if note is None:
        store.finish(record_key, step)
    else:
        store.release(record_key, step)
    return note


def _policy_versions(submission, now):
    versions = policies.consented_under(submission["policy_version"], now)
    if versions is None:
        raise Refused("policy_version", policies.OUT_OF_DATE)
    return versions


def _newsletter_from_enquiry(submission, subject, now, written):
    """Start the double opt-in the enquiry's box asked for. The enquiry never depends on it: over the
    mail limit, or with mail down, nothing is kept for the newsletter and the note says so."""
    try:
        rate_limits.check_mailbox(mailbox_key(config.secret(), submission["email"]), now)
    except rate_limits.RateLimited:
        return NEWSLETTER_LIMITED
    wording_id, wording = _wording("enquiry", "opt_in")
    consent = subscriptions.consent_proof(
        _policy_versions(submission, now), wording_id, wording, "enquiry", now
    )
    mail, pending = _subscription_step(subject, submission["name"], submission["email"], consent, now)
    if pending:
        written.append(pending)
    try:
        _send_or_take_back(submission["email"], mail, pending)
    except mailer.MailUnavailable:
        return NEWSLETTER_NOT_SENT
    return None


def _notify_staff(reference, topic):
    topic_label = schema("enquiry")["properties"]["topic"]["x-labels"][topic]
    _send(config.staff_email(), emails.staff_notification(reference, topic_label))


def submit_enquiry(submission, client_ip):
    """Store an enquiry once however often it is sent, tell staff once, and, if the box is ticked, start
    a double opt-in. Once the enquiry is stored it is kept: later failures ask for it to be sent again."""
    if submission.get("website"):
        return {"reference": enquiries.new_reference()}
    now = clock.now()
    secret = config.secret()
    versions = _policy_versions(submission, now)
    rate_limits.check_client(routes.ENQUIRY, client_key(secret, client_ip), now)
    subject = subject_key(secret, submission["email"])
    record = _submission_record(subject, enquiries.fingerprint(secret, submission), now)
    created = datetime.datetime.fromisoformat(record["created_at"])
    item = enquiries.enquiry_item(submission, subject, record["reference"], created, versions)
    try:
        store.put_new(item, now)
    except store.AlreadyExists:
        pass  # sent again: stored the first time
    except store.StoreUnavailable as failure:
        raise store.StoreUnavailable(str(failure), saved=None) from failure
    answer = {"reference": record["reference"]}
    record_key = store.key_of(record)
    written = [store.key_of(item)]
    try:
        if submission.get("opt_in") is True:
            note = _once(
                record_key,
                "confirmation_mailed",
                lambda: _newsletter_from_enquiry(submission, subject, now, written),
            )
            if note:
                answer["message"] = note
        _once(record_key, "staff_notified", lambda: _notify_staff(record["reference"], submission["topic"]))
    except store.Gone:
        # An erasure of this person deleted the enquiry's record while it was being sent: what this request
        # wrote after the erasure looked goes too, so the erasure leaves nothing, and the sender is told.
        for key in written:
            store.delete(key)
        raise Refused(None, ERASED_MEANWHILE, status=409) from None
    except (store.StoreUnavailable, mailer.MailUnavailable) as failure:
        raise Unfinished(record["reference"]) from failure
    return answer


def start_subscription(submission, client_ip):
    """Newsletter sign-up: the same answer, and the same work, whether or not the address is known."""
    if submission.get("website"):
        return CHECK_YOUR_EMAIL
    now = clock.now()
    secret = config.secret()
    versions = _policy_versions(submission, now)
    rate_limits.check_client(routes.SUBSCRIBE, client_key(secret, client_ip), now)
    rate_limits.check_mailbox(mailbox_key(secret, submission["email"]), now)
    subject = subject_key(secret, submission["email"])
    wording_id, wording = _wording("subscribe", "consent")
    consent = subscriptions.consent_proof(versions, wording_id, wording, "newsletter", now)
    mail, written = _subscription_step(subject, submission["name"], submission["email"], consent, now)
    _send_or_take_back(submission["email"], mail, written)
    return CHECK_YOUR_EMAIL


def _claims(purpose, token):
    try:
        return tokens.read(config.secret(), purpose, token)
    except tokens.TokenRefused as refused:
        raise Refused("token", str(refused)) from None


def confirm_subscription(token, client_ip):
    """Use the emailed link once to make the pending sign-up active (subscriptions.confirmed decides)."""
    now = clock.now()
    rate_limits.check_client(routes.CONFIRM_SUBSCRIPTION, client_key(config.secret(), client_ip), now)
    claims = _claims(tokens.CONFIRM_SUBSCRIPTION, token)
    pending = store.get_subscription(claims.subject_key, now)
    try:
        active = subscriptions.confirmed(pending, now)
        store.replace_using_link(claims.nonce, now, pending, active)
    except (subscriptions.NothingPending, store.ItemChanged, store.LinkAlreadyUsed):
        return _already_confirmed(claims, now)
    return {"message": "Thank you: your subscription is confirmed."}


def _already_confirmed(claims, now):
    """A link used before: good news if the subscription it confirmed is active (the answer is the same
    success, saying so, and changes nothing); refused, with words true to the state, otherwise."""
    used = store.link_used(claims.nonce)
    current = store.get_subscription(claims.subject_key, now)
    if used and current and current["status"] == "active":
        return {
            "message": "This link has already been used: your subscription is confirmed.",
            "already": True,
        }
    if used:
        raise Refused(
            "token", "This link has already been used, and this address is not subscribed now. Sign up again."
        )
    raise Refused("token", "This sign-up has expired or was cancelled. Sign up again.")


def unsubscribe(token, client_ip):
    rate_limits.check_client(routes.UNSUBSCRIBE, client_key(config.secret(), client_ip), clock.now())
    claims = _claims(tokens.UNSUBSCRIBE, token)
    key = {"pk": claims.subject_key, "sk": retention.ACTIVE_SUBSCRIPTION.sort_key}
    try:
        store.delete_using_link(claims.nonce, clock.now(), key)
    except store.LinkAlreadyUsed:
        if store.get_subscription(claims.subject_key, clock.now()):
            raise Refused(
                "token",
                "This link has already been used. To unsubscribe again, use the link in our latest email.",
            ) from None
        # Used before and nothing is subscribed: what the person wants is true already.
        return {"message": "This link has already been used: you are unsubscribed.", "already": True}
    return {"message": "You have unsubscribed and we have deleted your details."}


CHECK_YOUR_EMAIL_FOR_REQUEST = {
    "message": "Check your email: we have sent a message to that address about your request."
}


def _data_request(submission, client_ip, route, purpose, confirmation_mail):
    """A request to see or delete data: a link if anything is held under the address, a mail saying so if
    nothing is. The same answer, and the same reads, writes and mail, either way (the time of the answer
    tells nothing)."""
    if submission.get("website"):
        return CHECK_YOUR_EMAIL_FOR_REQUEST
    now = clock.now()
    secret = config.secret()
    rate_limits.check_client(route, client_key(secret, client_ip), now)
    rate_limits.check_mailbox(mailbox_key(secret, submission["email"]), now)
    subject = subject_key(secret, submission["email"])
    keys, _ = store.subject_keys(subject)
    held = any(erasure.kind_of(item) != retention.RATE_LIMIT.kind for item in keys)
    token = tokens.issue(secret, purpose, subject)
    written = None
    if purpose == tokens.ERASE:
        nonce = tokens.read(secret, purpose, token).nonce
        request = erasure.request_item(subject, nonce, submission["email"], now)
        if held:
            store.put(request)
            written = store.key_of(request)
        else:
            store.put_refused(request)  # the same write, refused by its condition: nothing is kept
    mail = confirmation_mail(token) if held else emails.nothing_held()
    _send_or_take_back(submission["email"], mail, written)
    return CHECK_YOUR_EMAIL_FOR_REQUEST


def request_erasure(submission, client_ip):
    return _data_request(submission, client_ip, routes.ERASURE, tokens.ERASE, emails.confirm_erasure)


def request_access(submission, client_ip):
    return _data_request(submission, client_ip, routes.ACCESS, tokens.ACCESS, emails.confirm_access)


def _mail_receipt_once(receipt_key, request, reference):
    """Mail the receipt to the address the request holds, once however many runs reach this point."""
    if (
        request is None
        or store.claim(receipt_key, "receipt_mailed", clock.now(), STEP_LEASE_SECONDS) != store.CLAIMED
    ):
        return
    try:
        _send(request["email"], emails.erasure_done(reference))
    except mailer.MailUnavailable:
        store.release(receipt_key, "receipt_mailed")
        return
    store.finish(receipt_key, "receipt_mailed")


def confirm_erasure(token, client_ip):
    """Delete everything under the subject key and answer with the receipt. The person's partition is
    looked at again after each pass until a Query finds nothing, so what is written while an erasure runs
    goes too; the receipt is completed at the start of that last Query. Running the same link again
    finishes a run that stopped half-way, deletes what arrived since, or, with nothing left, shows the
    same receipt and changes nothing."""
    now = clock.now()
    secret = config.secret()
    rate_limits.check_client(routes.CONFIRM_ERASURE, client_key(secret, client_ip), now)
    claims = _claims(tokens.ERASE, token)
    reference = erasure.reference(secret, claims.nonce)
    receipt_key = {"pk": retention.ERASURE_RECEIPT_PARTITION, "sk": reference}
    receipt = store.get(receipt_key["pk"], reference, now)
    if receipt is None:
        with contextlib.suppress(store.AlreadyExists):
            store.put_new(erasure.receipt_item(reference, claims.issued_at, now), now)
    request = store.get(claims.subject_key, retention.ERASURE_REQUEST.sort_key + claims.nonce, now)
    deleted = 0
    for _ in range(erasure.MAX_PASSES):
        looked_at = clock.now()
        keys, items_read = store.subject_keys(claims.subject_key)
        logger.info("erasure pass", extra={"items_read": items_read})
        if not keys:
            break
        try:
            for batch, counts in erasure.batches(keys):
                if retention.ERASURE_REQUEST.kind in counts:
                    # The request holds the address: mail the receipt before the request itself goes.
                    _mail_receipt_once(receipt_key, request, reference)
                store.delete_counted(receipt_key, batch, counts)
                deleted += len(batch)
        except store.ItemChanged:
            continue  # another run of this erasure deleted some first: look again
    else:
        raise store.StoreUnavailable("erasure still finding new items", saved=None)
    store.complete(receipt_key, looked_at, deleted_now=deleted > 0)
    return {"receipt": erasure.summary(store.get(receipt_key["pk"], reference, clock.now()))}


ACCESS_LINK_USED = (
    "This link has already been used: it shows your data once. To see your data again, ask for a new link "
    "on the page See the data we hold (/your-data/see/)."
)


def confirm_access(token, client_ip):
    """Everything held under the subject key when the link was issued, each item with its purpose and
    when it will be deleted. The link shows it once: its use is recorded before the answer goes."""
    now = clock.now()
    rate_limits.check_client(routes.CONFIRM_ACCESS, client_key(config.secret(), client_ip), now)
    claims = _claims(tokens.ACCESS, token)
    items = store.subject_items(claims.subject_key, now)
    held = [item for item in items if erasure.kind_of(item) != retention.RATE_LIMIT.kind]
    answer = access.report(access.held_at(held, claims.issued_at), now)
    try:
        store.use_link(claims.nonce, now)
    except store.LinkAlreadyUsed:
        raise Refused("token", ACCESS_LINK_USED) from None
    return answer

"""The contact form: an enquiry stored once however often it is sent, staff told once, and the
newsletter's double opt-in started when its box is ticked."""

import datetime

from jtec_forms import (
    clock,
    config,
    emails,
    enquiries,
    mailer,
    once,
    rate_limits,
    retention,
    routes,
    site_facts,
    store,
    subscriptions,
)
from jtec_forms.actions import common
from jtec_forms.refusals import Refused
from jtec_forms.subjects import client_key, mailbox_key, subject_key
from jtec_forms.validation import schema

NEWSLETTER_LIMITED = (
    "We did not send the email to confirm your newsletter sign-up: too many have been asked for this "
    "address in the last hour. You can sign up on the newsletter page later."
)

NEWSLETTER_SENT = "Check your email for a link to confirm your newsletter sign-up."
NEWSLETTER_NOT_SENT = (
    "We could not send the email to confirm your newsletter sign-up just now. You can sign up on the "
    "newsletter page later."
)

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


def _submission_record(subject, fingerprint, steps, now):
    """The record of this enquiry's first arrival and whether this request wrote it: written by the first
    (holding the leases of `steps`), found when it is sent again. A new enquiry is refused while the
    address holds the most open enquiries it may. The write comes before any read: a first arrival, by
    far the most common, reads nothing it need not (docs/performance.md)."""
    sort_key = retention.SUBMISSION.sort_key + fingerprint
    if store.count_open_enquiries(subject, now) >= enquiries.MAX_OPEN_PER_ADDRESS:
        record = store.get(subject, sort_key, now)  # only a resend of one of those may pass
        if record is None:
            raise Refused.about(None, TOO_MANY_OPEN, status=409)
        return record, False
    leases = {name: until for step in steps for name, until in once.lease(step, now).items()}
    record = enquiries.submission_item(subject, fingerprint, now, leases)
    try:
        store.put_new(record, now)
    except store.AlreadyExists:
        record = store.get(subject, sort_key, now)  # sent before, or a twin at the same moment
        if record is None:  # and erased since
            raise Refused.about(None, ERASED_MEANWHILE, status=409) from None
        return record, False
    return record, True


def _newsletter_from_enquiry(submission, subject, now, written):
    """Start the double opt-in the enquiry's box asked for. The enquiry never depends on it: over the
    mail limit, or with mail down, nothing is kept for the newsletter and the note says so."""
    try:
        rate_limits.check_mailbox(mailbox_key(config.secret(), submission["email"]), now)
    except rate_limits.RateLimited:
        return NEWSLETTER_LIMITED
    wording_id, wording = common.wording("enquiry", "opt_in")
    consent = subscriptions.consent_proof(
        common.policy_versions(submission, now), wording_id, wording, "enquiry", now
    )
    mail, pending = common.subscription_step(subject, submission["name"], submission["email"], consent, now)
    if pending:
        written.append(pending)
    try:
        common.send_or_take_back(submission["email"], mail, pending)
    except mailer.MailUnavailable:
        return NEWSLETTER_NOT_SENT
    return None


def _notify_staff(item):
    properties = schema("enquiry")["properties"]
    request = None
    if item.get("due"):
        request = (properties["right"]["x-labels"][item["right"]], datetime.date.fromisoformat(item["due"]))
    topic_label = properties["topic"]["x-labels"][item["topic"]]
    common.send(config.staff_email(), emails.staff_notification(item["reference"], topic_label, request))


def submit_enquiry(submission, client_ip):
    """Store an enquiry once however often it is sent, tell staff once, and, if the box is ticked, start
    a double opt-in. Once the enquiry is stored it is kept: later failures ask for it to be sent again."""
    if submission.get("website"):
        return {"reference": enquiries.new_reference()}
    if submission["topic"] != enquiries.DATA_REQUEST_TOPIC:
        submission = {name: value for name, value in submission.items() if name != "right"}  # not asked
    now = clock.now()
    secret = config.secret()
    versions = common.policy_versions(submission, now)
    rate_limits.check_client(routes.ENQUIRY, client_key(secret, client_ip), now)
    subject = subject_key(secret, submission["email"])
    steps = (
        ("confirmation_mailed", "staff_notified") if submission.get("opt_in") is True else ("staff_notified",)
    )
    fingerprint = enquiries.fingerprint(secret, submission)
    record, first_arrival = _submission_record(subject, fingerprint, steps, now)
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
            note = once.run(
                record_key,
                "confirmation_mailed",
                lambda: _newsletter_from_enquiry(submission, subject, now, written),
                held=first_arrival,
            )
            # Only someone who ticked the box is told about the newsletter: the mail went, or why not.
            answer["message"] = note or NEWSLETTER_SENT
        once.run(
            record_key,
            "staff_notified",
            lambda: _notify_staff(item),
            held=first_arrival,
        )
    except store.Gone:
        # An erasure of this person deleted the enquiry's record while it was being sent: what this request
        # wrote after the erasure looked goes too, so the erasure leaves nothing, and the sender is told.
        for key in written:
            store.delete(key)
        raise Refused.about(None, ERASED_MEANWHILE, status=409) from None
    except (store.StoreUnavailable, mailer.MailUnavailable) as failure:
        raise Unfinished(record["reference"]) from failure
    return answer

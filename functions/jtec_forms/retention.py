"""The retention schedule: each kind of data we keep, why, and for how long, and the sort key its items
are stored under. The one place these periods live.

Handlers compute TTLs and link lifetimes from it; mails quote it; the privacy page renders it as a
table; the site build checks that the policy in force states the same enquiry period.
"""

import calendar
import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Retention:
    kind: str
    sort_key: str  # the item's `sk`, or its prefix when it ends with "#"
    what: str
    purpose: str
    months: int = 0
    days: int = 0
    until: str = ""

    @property
    def period(self):
        """The period in words, as the privacy page shows it."""
        if self.until:
            return self.until
        if self.months:
            return f"{self.months} months" if self.months != 1 else "1 month"
        return f"{self.days} days" if self.days != 1 else "1 day"

    def expires_at(self, start):
        """When data of this kind created at `start` expires, or None if it is kept until an event."""
        if self.until:
            return None
        return add_months(start, self.months) + datetime.timedelta(days=self.days)


ENQUIRY = Retention(
    kind="enquiry",
    sort_key="ENQUIRY#",
    what="Enquiries: name, email address, telephone number, topic and message",
    purpose="To deal with your enquiry or feedback",
    months=12,
)
PENDING_SUBSCRIPTION = Retention(
    kind="pending_subscription",
    sort_key="SUBSCRIPTION",
    what="Newsletter sign-ups not yet confirmed: name and email address",
    purpose="To send the email that asks you to confirm",
    days=7,
)
ACTIVE_SUBSCRIPTION = Retention(
    kind="subscription",
    sort_key="SUBSCRIPTION",
    what="Newsletter subscriptions: name, email address and proof of your consent",
    purpose="To send you news and promotions you asked for",
    until="Until you unsubscribe",
)
CONSENT_RENEWAL = Retention(
    kind="consent_renewal",
    sort_key="RENEWAL",
    what="Record that we asked if you still want our news (no address)",
    purpose="To end your subscription if you do not answer",
    days=30,
)
# Consent grows old: a subscription confirmed (or renewed) more than this before a news issue is sent is
# asked, instead of that issue, whether it still wants the news; with no answer within CONSENT_RENEWAL's
# days it ends (the record's TTL; the expiry audit function ends the subscription it asked about).
CONSENT_RENEW_AFTER_MONTHS = 24
NEWSLETTER_SEND = Retention(
    kind="newsletter_send",
    sort_key="NEWS#",  # + the slug
    what="Record of each news issue sent to you (no address)",
    purpose="So nobody gets an issue twice",
    months=24,
)
USED_LINK = Retention(
    kind="used_link",
    sort_key="USED_LINK#",
    what="Record that an email link was used (pseudonymous: no address)",
    purpose="To make sure each link works only once",
    months=25,
)
RATE_LIMIT = Retention(
    kind="rate_limit",
    sort_key="WINDOW#",
    what="Counts of forms sent and confirmation emails asked for (pseudonymous)",
    purpose="To stop the forms being used to flood inboxes or our systems",
    days=1,
)
SUBMISSION = Retention(
    kind="submission",
    sort_key="SUBMISSION#",
    what="Record that an enquiry arrived: its reference and a fingerprint (pseudonymous)",
    purpose="So an enquiry sent twice is kept once and staff are told once",
    days=1,
)

ERASURE_REQUEST = Retention(
    kind="erasure_request",
    sort_key="ERASURE_REQUEST#",
    what="Requests to delete your data, until you confirm them: email address",
    purpose="To send you the link that confirms the request, and the receipt",
    days=1,
)
ERASURE_RECEIPT = Retention(
    kind="erasure_receipt",
    sort_key="",  # under its own partition, by reference (ERASURE_RECEIPT_PARTITION)
    what="Receipts for deleted data: a reference, counts of each kind, and when (no personal details)",
    purpose="To show you and the regulator that we deleted what you asked",
    months=36,
)
MAIL_EVENT = Retention(
    kind="mail_event",
    sort_key="",  # under a partition per month (MAIL_EVENT_PARTITION)
    what="Record of news mail that bounced or was reported as spam (no address)",
    purpose="To stop mailing addresses that do not take our news",
    months=24,
)
EXPIRY_AUDIT = Retention(
    kind="expiry_audit",
    sort_key="",  # under a partition per month (EXPIRY_AUDIT_PARTITION)
    what="Record that data expired and was deleted: its kind and the times (no personal details)",
    purpose="To show that data is really deleted when its time is up",
    months=24,
)
ERASURE_TOMBSTONE = Retention(
    kind="erasure_tombstone",
    sort_key="",  # under a partition per month (ERASURE_TOMBSTONE_PARTITION)
    what="Backups of the above; a digest of each erased address",
    purpose="To recover from failures without undoing erasures",
    days=35,  # the table's point-in-time recovery window (infra/template.yaml; a test holds them equal)
)
STAFF_ACTION = Retention(
    kind="staff_action",
    sort_key="",  # under a partition per month (STAFF_ACTION_PARTITION)
    what="Record of what staff did at your request (no address)",
    purpose="To show that requests were carried out",
    months=24,
)

SCHEDULE = (
    ENQUIRY,
    PENDING_SUBSCRIPTION,
    ACTIVE_SUBSCRIPTION,
    CONSENT_RENEWAL,
    NEWSLETTER_SEND,
    USED_LINK,
    RATE_LIMIT,
    SUBMISSION,
    ERASURE_REQUEST,
    ERASURE_RECEIPT,
    MAIL_EVENT,
    EXPIRY_AUDIT,
    ERASURE_TOMBSTONE,
    STAFF_ACTION,
)
ERASURE_RECEIPT_PARTITION = "ERASURE_RECEIPT"
EXPIRY_AUDIT_PARTITION = "EXPIRY_AUDIT#"  # + YYYY-MM of the deletion
MAIL_EVENT_PARTITION = "MAIL_EVENT#"  # + YYYY-MM of the event
STAFF_ACTION_PARTITION = "STAFF_ACTION#"  # + YYYY-MM of the action
ERASURE_TOMBSTONE_PARTITION = "ERASED#"  # + YYYY-MM of the erasure


def kind_of_key(pk, sk):
    """The kind of an item from its key alone (the table's stream carries keys only). A subscription
    that expires is a pending one: an active subscription has no TTL."""
    if pk == ERASURE_RECEIPT_PARTITION:
        return ERASURE_RECEIPT.kind
    if pk.startswith(EXPIRY_AUDIT_PARTITION):
        return EXPIRY_AUDIT.kind
    if pk.startswith(MAIL_EVENT_PARTITION):
        return MAIL_EVENT.kind
    if pk.startswith(STAFF_ACTION_PARTITION):
        return STAFF_ACTION.kind
    if pk.startswith(ERASURE_TOMBSTONE_PARTITION):
        return ERASURE_TOMBSTONE.kind
    if sk == PENDING_SUBSCRIPTION.sort_key:
        return PENDING_SUBSCRIPTION.kind
    if sk == CONSENT_RENEWAL.sort_key:
        return CONSENT_RENEWAL.kind
    for entry in SCHEDULE:
        if entry.sort_key.endswith("#") and sk.startswith(entry.sort_key):
            return entry.kind
    return "unknown"


def by_kind(kind):
    return next(entry for entry in SCHEDULE if entry.kind == kind)


# How long the functions' and the API's logs are kept (infra/template.yaml, a test holds them together).
# They never hold personal data; 90 days is long enough to look into a fault that a person reports.
LOG_RETENTION_DAYS = 90

# How long each emailed link works. A confirmation link lives as long as the sign-up it confirms. An
# unsubscribe link has no lifetime: it works for as long as the subscription exists (the address in a
# newsletter's List-Unsubscribe header must keep working, RFC 8058), and using it ends that subscription.
# The used-link record (USED_LINK) must outlive every link that has a lifetime (a test holds them to
# that), or a used confirmation link would work again once its record expired; an unsubscribe link used
# again after its record is gone can only end its own person's subscription again, which it says it does.
CONFIRM_LINK_LIFETIME = datetime.timedelta(days=PENDING_SUBSCRIPTION.days)
UNSUBSCRIBE_LINK_LIFETIME = None
# A link that keeps a subscription whose consent is being renewed lives as long as the question does.
RENEW_LINK_LIFETIME = datetime.timedelta(days=CONSENT_RENEWAL.days)
# Links that confirm a request about your data live as long as the request does.
DATA_REQUEST_LINK_LIFETIME = datetime.timedelta(days=ERASURE_REQUEST.days)


def add_months(start, months):
    """`start` plus calendar months; the day is clamped to the month's end (29 Feb + 12 -> 28 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def month_partitions(prefix, since, until):
    """The partition keys (`prefix` + YYYY-MM, UTC) of a kind kept under a partition per month, from the
    month of `since` to the month of `until` (aware datetimes)."""
    month, last = since.astimezone(datetime.UTC).date().replace(day=1), until.astimezone(datetime.UTC).date()
    while month <= last:
        yield prefix + month.strftime("%Y-%m")
        month = add_months(month, 1)


def epoch_seconds(moment):
    return int(moment.timestamp())

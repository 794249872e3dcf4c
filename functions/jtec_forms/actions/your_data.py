"""Your data: requests to see or erase what is held under an address, each confirmed by an emailed
link; the erasure leaves a receipt, the access request a report shown once."""

from jtec_forms import (
    access,
    clock,
    config,
    emails,
    erasure,
    erasure_batches,
    link_ledger,
    mailer,
    once,
    rate_limits,
    retention,
    routes,
    store,
    tokens,
)
from jtec_forms.actions import common
from jtec_forms.logs import logger
from jtec_forms.refusals import Refused
from jtec_forms.subjects import client_key, mailbox_key, subject_key

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
    common.send_or_take_back(submission["email"], mail, written)
    return CHECK_YOUR_EMAIL_FOR_REQUEST


def request_erasure(submission, client_ip):
    return _data_request(submission, client_ip, routes.ERASURE, tokens.ERASE, emails.confirm_erasure)


def request_access(submission, client_ip):
    return _data_request(submission, client_ip, routes.ACCESS, tokens.ACCESS, emails.confirm_access)


def _mail_receipt_once(receipt_key, request, reference):
    """Mail the receipt to the address the request holds, once however many runs reach this point."""
    if (
        request is None
        or once.claim(receipt_key, "receipt_mailed", clock.now(), once.STEP_LEASE_SECONDS) != once.CLAIMED
    ):
        return
    try:
        common.send(request["email"], emails.erasure_done(reference))
    except mailer.MailUnavailable:
        once.release(receipt_key, "receipt_mailed")
        return
    once.finish(receipt_key, "receipt_mailed")


def confirm_erasure(token, client_ip):
    """Delete everything under the subject key and answer with the receipt. The person's partition is
    looked at again after each pass until a Query finds nothing, so what is written while an erasure runs
    goes too; the receipt is completed at the start of that last Query. Running the same link again
    finishes a run that stopped half-way, deletes what arrived since, or, with nothing left, shows the
    same receipt and changes nothing."""
    now = clock.now()
    secret = config.secret()
    rate_limits.check_client(routes.CONFIRM_ERASURE, client_key(secret, client_ip), now)
    claims = common.claims(tokens.ERASE, token)
    reference = erasure.reference(secret, claims.nonce)
    receipt_key = {"pk": retention.ERASURE_RECEIPT_PARTITION, "sk": reference}
    if store.get(receipt_key["pk"], reference, now) is None:
        start_erasure(claims.subject_key, erasure.receipt_item(reference, claims.issued_at, now), now)
    request = store.get(claims.subject_key, retention.ERASURE_REQUEST.sort_key + claims.nonce, now)
    return {"receipt": erase_everything(claims.subject_key, receipt_key, request)}


def start_erasure(subject, receipt, now):
    """Before anything is deleted: the receipt, and the tombstone that lets the erasure be done again on a
    table restored from before it (erasure.tombstone_item). Both are written once however often this
    runs for one receipt (a rerun finds the receipt and does not come here)."""
    try:
        store.put_new(receipt, now)
    except store.AlreadyExists:
        return
    store.put(erasure.tombstone_item(subject, receipt["reference"], now))


def erase_everything(subject, receipt_key, request=None):
    """Delete everything under `subject`, counting each kind on the receipt at `receipt_key`, until a
    Query of the partition finds nothing; complete the receipt and return its summary. `request`: the
    erasure request whose address the receipt is mailed to (None: no mail, as when staff erase for a
    person who asked by telephone or post). The form's confirmation and `jtec erase` both run this."""
    reference = receipt_key["sk"]
    deleted = 0
    for _ in range(erasure.MAX_PASSES):
        looked_at = clock.now()
        keys, items_read = store.subject_keys(subject)
        logger.info("erasure pass", extra={"items_read": items_read})
        if not keys:
            break
        try:
            for batch, counts in erasure.batches(keys):
                if retention.ERASURE_REQUEST.kind in counts:
                    # The request holds the address: mail the receipt before the request itself goes.
                    _mail_receipt_once(receipt_key, request, reference)
                erasure_batches.delete_counted(receipt_key, batch, counts)
                deleted += len(batch)
        except store.ItemChanged:
            continue  # another run of this erasure deleted some first: look again
    else:
        raise store.StoreUnavailable("erasure still finding new items", saved=None)
    erasure_batches.complete(receipt_key, looked_at, deleted_now=deleted > 0)
    return erasure.summary(store.get(receipt_key["pk"], reference, clock.now()))


ACCESS_LINK_USED = (
    "This link has already been used: it shows your data once. To see your data again, ask for a new link "
    "on the page See the data we hold (/your-data/see/)."
)


def confirm_access(token, client_ip):
    """Everything held under the subject key when the link was issued, each item with its purpose and
    when it will be deleted. The link shows it once: its use is recorded before the answer goes."""
    now = clock.now()
    rate_limits.check_client(routes.CONFIRM_ACCESS, client_key(config.secret(), client_ip), now)
    claims = common.claims(tokens.ACCESS, token)
    items = store.subject_items(claims.subject_key, now)
    held = [item for item in items if erasure.kind_of(item) != retention.RATE_LIMIT.kind]
    answer = access.report(access.held_at(held, claims.issued_at), now)
    try:
        link_ledger.use_link(claims.nonce, now, purpose=claims.purpose)
    except store.LinkAlreadyUsed:
        raise Refused.about("token", ACCESS_LINK_USED) from None
    return answer

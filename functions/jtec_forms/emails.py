"""The words of every email we send: our own words plus values we generated (references, links). Nothing
a person typed goes into a mail, since the address it goes to is not verified yet; staff notifications
carry a reference and topic, never personal data."""

from urllib.parse import urlencode

from jtec_forms import config, retention
from jtec_forms.site_facts import COMPANY

SIGN_OFF = f"{COMPANY['name']}\n{COMPANY['address']}"


def link(path, token):
    return f"{config.site_url()}{path}?{urlencode({'token': token})}"


def unsubscribe_headers(unsubscribe_token):
    """RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` to this URL."""
    return {
        "List-Unsubscribe": f"<{link('/api/unsubscribe', unsubscribe_token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def confirm_subscription(confirm_token, unsubscribe_token):
    subject = "Confirm your subscription to JTec IT Solutions news"
    text = (
        "Hello,\n\n"
        "You asked to receive news and promotions from JTec IT Solutions by email.\n"
        "To confirm, open this link and press the button on the page:\n\n"
        f"{link('/newsletter/confirm/', confirm_token)}\n\n"
        "If you did not ask, ignore this email: we will delete your details within "
        f"{retention.PENDING_SUBSCRIPTION.period}.\n\n"
        "Unsubscribe at any time:\n"
        f"{link('/newsletter/unsubscribe/', unsubscribe_token)}\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text, unsubscribe_headers(unsubscribe_token)


def renew_subscription(renew_token, unsubscribe_token, confirmed_on, ends_on):
    """Instead of a news issue, to a subscriber whose consent is old: do you still want it?"""
    subject = "Do you still want news from JTec IT Solutions?"
    text = (
        "Hello,\n\n"
        f"On {confirmed_on} you agreed to get news and promotions from JTec IT Solutions by email.\n"
        "It has been a while, so we are asking before we send you more. To keep getting it, open this\n"
        "link and press the button on the page:\n\n"
        f"{link('/newsletter/renew/', renew_token)}\n\n"
        f"If you do nothing, your subscription ends on {ends_on} and we delete your details.\n\n"
        "Unsubscribe now instead:\n"
        f"{link('/newsletter/unsubscribe/', unsubscribe_token)}\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text, unsubscribe_headers(unsubscribe_token)


def already_subscribed(unsubscribe_token):
    subject = "You are already subscribed to JTec IT Solutions news"
    text = (
        "Hello,\n\n"
        "Someone, probably you, asked to subscribe this address to our news. It is already subscribed,\n"
        "so nothing has changed.\n\n"
        "Unsubscribe at any time:\n"
        f"{link('/newsletter/unsubscribe/', unsubscribe_token)}\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text, unsubscribe_headers(unsubscribe_token)


def staff_notification(reference, topic_label, request=None):
    """The mail that tells staff an enquiry arrived; `request` (right_label, due date) for a data request,
    which has a legal deadline and its own commands."""
    if request:
        right_label, due = request
        subject = f"New data request {reference}: {right_label}, due {long_date(due)}"
        text = (
            f"A request about a person's data has arrived.\n\nReference: {reference}\nAsked: {right_label}\n"
            f"Due by law: {long_date(due)} (one month from receipt)\n\n"
            f"To read it: jtec requests show {reference}\n"
            f"When it is answered: jtec requests close {reference} --outcome CATEGORY\n"
            f"If it is complex: jtec requests extend {reference} --reason TEXT (within the first month)\n"
            "(Closing deletes the person's details at once.) This email holds no personal details.\n"
        )
        return subject, text
    subject = f"New enquiry {reference}: {topic_label}"
    text = (
        f"A new enquiry has arrived.\n\nReference: {reference}\nTopic: {topic_label}\n\n"
        f"To read it: jtec enquiries show {reference}\n"
        f"When it is dealt with: jtec enquiries resolve {reference}\n"
        "(Resolving deletes the person's details at once.) This email holds no personal details.\n"
    )
    return subject, text


def long_date(day):
    """A date as people write it: 30 December 2026."""
    return f"{day.day} {day:%B %Y}"


def confirm_erasure(erase_token):
    subject = "Confirm: delete your data held by JTec IT Solutions"
    text = (
        "Hello,\n\n"
        "Someone, probably you, asked us to delete everything this website holds under this email address:\n"
        "enquiries, newsletter subscription and the records that go with them.\n\n"
        "To delete it, open this link and press the button on the page:\n\n"
        f"{link('/your-data/delete/', erase_token)}\n\n"
        f"The link works for {retention.ERASURE_REQUEST.period}. If you did not ask, ignore this email: "
        "nothing will be deleted.\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text


def confirm_access(access_token):
    subject = "See the data JTec IT Solutions holds about you"
    text = (
        "Hello,\n\n"
        "Someone, probably you, asked to see everything this website holds under this email address.\n\n"
        "To see it, open this link and press the button on the page:\n\n"
        f"{link('/your-data/see/confirm/', access_token)}\n\n"
        f"The link works for {retention.ERASURE_REQUEST.period}. If you did not ask, ignore this email: "
        "nobody sees anything without it.\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text


def nothing_held():
    subject = "JTec IT Solutions holds no data under this address"
    text = (
        "Hello,\n\n"
        "Someone, probably you, asked about the data this website holds under this email address.\n"
        "We hold none: no enquiry, no newsletter subscription. There is nothing to show or delete.\n\n"
        "Other records (accounts, telephone calls, emails to our staff) are not kept by the website:\n"
        "see the Your data page of our website to ask about those.\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text


def erasure_done(reference):
    subject = f"Your data has been deleted: receipt {reference}"
    text = (
        "Hello,\n\n"
        "We have deleted everything this website held under this email address.\n\n"
        f"Your receipt: {reference}\n\n"
        "Quote it if you contact us about this request. This is the last email we send to this address\n"
        "unless you contact us again.\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text

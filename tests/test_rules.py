"""The forms' rules as plain Python, in process: no moto, no server, no Pelican run. The handler tests
keep one end-to-end case of each where the wiring matters."""

import datetime

import idna
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jtec_forms import clock, policies, retention, subscriptions, tokens
from jtec_forms.subjects import client_key, delivery_address, mailbox, normalise_email, subject_key
from jtec_forms.validation import FieldError, normalise, validate

SECRET = b"test-secret"
NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


def enquiry(**overrides):
    details = {
        "name": "Ann Tester",
        "email": "ann@example.com",
        "topic": "support",
        "message": "The printer prints nothing",
        "policy_version": "2018-05-25",
    }
    details.update(overrides)
    return {name: value for name, value in details.items() if value is not None}


# Validation: one message per field, from the schema's x-messages.

BAD_FIELDS = [
    ("name", "", "Enter your full name"),
    ("name", "   ", "Enter your full name"),
    ("name", "x" * 101, "Full name must be 100 characters or fewer"),
    ("name", 42, "Enter your full name"),
    ("email", "", "Enter your email address"),
    ("email", "ann@", "Enter an email address in the correct format, like name@example.com"),
    ("email", "ann example.com", "Enter an email address in the correct format, like name@example.com"),
    ("email", "a" * 250 + "@example.com", "Email address must be 254 characters or fewer"),
    ("phone", "call me", "Enter a telephone number, like 028 9099 2544 or +44 28 9099 2544"),
    ("phone", "0" * 21, "Telephone number must be 20 characters or fewer"),
    ("topic", "", "Select what your enquiry is about"),
    ("topic", "printers", "Select what your enquiry is about"),
    ("message", "", "Enter your message"),
    ("message", "x" * 5001, "Message must be 5000 characters or fewer"),
    ("opt_in", "perhaps", "Tick the box, or leave it empty"),
    ("policy_version", "latest", "Reload the page and try again: the form is out of date"),
    ("policy_version", None, "Reload the page and try again: the form is out of date"),
    ("website", "x" * 201, "Leave this field empty"),
]


@pytest.mark.parametrize("field,value,message", BAD_FIELDS)
def test_a_bad_value_gets_the_fields_own_message(field, value, message):
    data = enquiry(**{field: value})
    assert validate("enquiry", normalise(data)) == [FieldError(field, message)]


def test_a_valid_enquiry_has_no_errors():
    assert validate("enquiry", normalise(enquiry(phone="028 9099 2544", opt_in=True))) == []


def test_every_error_is_reported_at_once_in_form_order():
    errors = validate("enquiry", {"message": "", "email": "nope", "extra": "1"})
    assert [error.field for error in errors] == [
        "name",
        "email",
        "topic",
        "message",
        "policy_version",
        "extra",
    ]


# Retention arithmetic and the link lifetimes it sets.


@pytest.mark.parametrize(
    "start,expected",
    [
        ("2026-01-31T10:00:00+00:00", "2027-01-31T10:00:00+00:00"),
        ("2028-02-29T23:59:59+00:00", "2029-02-28T23:59:59+00:00"),
        ("2027-12-31T00:00:00+00:00", "2028-12-31T00:00:00+00:00"),
        ("2026-03-31T12:00:00+00:00", "2027-03-31T12:00:00+00:00"),
    ],
)
def test_twelve_calendar_months_at_month_ends_and_leap_days(start, expected):
    start = datetime.datetime.fromisoformat(start)
    assert retention.ENQUIRY.expires_at(start) == datetime.datetime.fromisoformat(expected)


def test_one_month_from_the_31st_is_the_last_day_of_a_short_month():
    assert retention.add_months(datetime.datetime(2027, 1, 31), 1) == datetime.datetime(2027, 2, 28)
    assert retention.add_months(datetime.datetime(2028, 1, 31), 1) == datetime.datetime(2028, 2, 29)


@pytest.mark.parametrize(
    "purpose", sorted(purpose for purpose, lifetime in tokens.MAX_AGE.items() if lifetime)
)
def test_the_used_link_record_outlives_every_link_it_records(purpose):
    """Used at the moment it is issued (the earliest), on every day of a leap cycle: the ledger entry
    still exists when the link stops working."""
    start = datetime.datetime(2028, 1, 1, tzinfo=datetime.UTC)
    for day in range(4 * 366):
        used_at = start + datetime.timedelta(days=day)
        assert retention.USED_LINK.expires_at(used_at) > used_at + tokens.MAX_AGE[purpose]


def test_a_confirmation_link_lives_as_long_as_the_sign_up_it_confirms():
    assert retention.PENDING_SUBSCRIPTION.expires_at(NOW) == NOW + tokens.MAX_AGE[tokens.CONFIRM_SUBSCRIPTION]


def test_every_kind_in_the_schedule_is_named_once():
    kinds = [entry.kind for entry in retention.SCHEDULE]
    assert len(kinds) == len(set(kinds))


# Subject keys: one partition per person, whatever the spelling of the address.


def test_an_address_in_another_case_is_the_same_person():
    assert subject_key(SECRET, "Ann.Tester@Example.COM") == subject_key(SECRET, "ann.tester@example.com")


def test_two_addresses_are_two_people():
    assert subject_key(SECRET, "ann@example.com") != subject_key(SECRET, "bob@example.com")


# Twins: addresses that must be one person (they deliver to the same mailbox) and look-alikes that must
# stay two (each is its own domain in IDNA: `straße.de` is `xn--strae-oqa.de`, not `strasse.de`).
ONE_PERSON = [
    ("victim@straße.de", "victim@xn--strae-oqa.de"),  # Unicode and punycode of one domain
    ("VICTIM@STRAßE.DE", "victim@straße.de"),  # case of an ASCII local part and of a Unicode domain
    ("x@σοφιας.gr", "x@xn--mxaprobt.gr"),
    ("x@ＥＸＡＭＰＬＥ.com", "x@example.com"),  # fullwidth letters in a domain map to ASCII (UTS #46)
    ("Ann@Müller.de", "ann@xn--mller-kva.de"),
    ("x@EXAMPLE.com", "X@example.COM"),
]
TWO_PEOPLE = [
    ("victim@straße.de", "victim@strasse.de"),  # ß/ss
    ("ceo@groß.de", "ceo@gross.de"),
    ("x@σοφιας.gr", "x@σοφιασ.gr"),  # final sigma / sigma
    ("x@xı.com", "x@xi.com"),  # dotless i
    ("x@xİx.com", "x@xix.com"),  # dotted capital I is i + combining dot, not i
    ("x@müller.de", "x@mueller.de"),
]


@pytest.mark.parametrize("first,second", ONE_PERSON)
def test_spellings_of_one_mailbox_are_one_person(first, second):
    assert subject_key(SECRET, first) == subject_key(SECRET, second)
    assert mailbox(first) == mailbox(second)


@pytest.mark.parametrize("first,second", TWO_PEOPLE)
def test_look_alike_domains_are_two_people(first, second):
    assert subject_key(SECRET, first) != subject_key(SECRET, second)
    assert mailbox(first) != mailbox(second)


@pytest.mark.parametrize("first,second", ONE_PERSON + TWO_PEOPLE)
def test_one_person_exactly_when_mail_goes_to_one_address(first, second):
    """The key is a function of the address mail is sent to (the ASCII form, local part in one case)."""
    same_delivery = delivery_address(first).lower() == delivery_address(second).lower()
    assert (subject_key(SECRET, first) == subject_key(SECRET, second)) == same_delivery


# Letters with the spellings that Unicode case folding, UTS #46 mapping or a careless eye could join. Any
# two addresses spelled from them are one person exactly when the IDNA library (the registries' rules)
# makes their domains one.
VARIANTS = {
    "s": ["s", "S", "ß", "ς", "σ", "Σ", "ss", "ｓ"],
    "i": ["i", "I", "ı", "İ", "ｉ"],
    "u": ["u", "U", "ü", "Ü", "ｕ"],
    "e": ["e", "E", "ｅ", "é", "e\u0301"],
    "x": ["x", "X", "xn--"],
}
spelling = st.lists(
    st.sampled_from(sorted(VARIANTS)).flatmap(
        lambda letter: st.tuples(*[st.sampled_from(VARIANTS[letter])] * 2)
    ),
    min_size=1,
    max_size=6,
)


@given(local=st.sampled_from(["ann", "Ann", "ANN", "a.b"]), letters=spelling)
def test_two_spellings_are_one_person_exactly_when_their_idna_domains_are_one(local, letters):
    labels = ["".join(pair[side] for pair in letters) for side in (0, 1)]
    try:
        domains = [idna.encode(label, uts46=True).decode().lower() for label in labels]
    except idna.IDNAError:
        assume(False)  # not a domain name at all
    first, second = (f"{local}@{label}.example" for label in labels)
    assume(all(normalise_email(address) for address in (first, second)))
    assert (subject_key(SECRET, first) == subject_key(SECRET, second)) == (domains[0] == domains[1])
    assert subject_key(SECRET, first) == subject_key(SECRET, f"{local.upper()}@{domains[0]}.example")


def test_mail_goes_to_the_ascii_form_of_an_international_domain():
    assert delivery_address("Ann@Müller.de") == "Ann@xn--mller-kva.de"
    assert delivery_address("ann@example.com") == "ann@example.com"


def test_a_subject_key_holds_no_address_and_depends_on_the_secret():
    key = subject_key(SECRET, "ann@example.com")
    assert key.startswith("SUBJECT#") and "ann" not in key
    assert key != subject_key(b"another-secret", "ann@example.com")


@pytest.mark.parametrize(
    "address,expected",
    [
        ("Ann+news@Example.com", "ann@example.com"),
        ("ann+1+2@example.com", "ann@example.com"),
        ("ann@example.com", "ann@example.com"),
        ("+947/-o%1p@example.com", "+947/-o%1p@example.com"),
    ],
)
def test_a_mailbox_is_the_address_without_its_plus_tag_in_one_case(address, expected):
    assert mailbox(address) == expected


def test_a_client_key_keeps_no_ip_address():
    assert "203.0.113.10" not in client_key(SECRET, "203.0.113.10")


def test_an_invalid_address_has_no_normal_form():
    assert normalise_email("not an address") is None


# Signed links: tampered, expired and wrong-purpose links are refused with words for the person.


@pytest.fixture
def real_clock():
    clock.reset()
    yield
    clock.reset()


def test_a_link_carries_the_subject_key_and_a_fresh_nonce(real_clock):
    first = tokens.read(SECRET, tokens.UNSUBSCRIBE, tokens.issue(SECRET, tokens.UNSUBSCRIBE, "SUBJECT#a"))
    second = tokens.read(SECRET, tokens.UNSUBSCRIBE, tokens.issue(SECRET, tokens.UNSUBSCRIBE, "SUBJECT#a"))
    assert first.subject_key == second.subject_key == "SUBJECT#a"
    assert first.nonce != second.nonce


@pytest.mark.parametrize("position", [0, 20, -3])
def test_a_tampered_link_is_refused(real_clock, position):
    token = list(tokens.issue(SECRET, tokens.CONFIRM_SUBSCRIPTION, "SUBJECT#a"))
    token[position] = "A" if token[position] != "A" else "B"
    with pytest.raises(tokens.TokenRefused, match="This link is not valid"):
        tokens.read(SECRET, tokens.CONFIRM_SUBSCRIPTION, "".join(token))


def test_a_link_for_one_purpose_does_not_work_for_another(real_clock):
    token = tokens.issue(SECRET, tokens.UNSUBSCRIBE, "SUBJECT#a")
    with pytest.raises(tokens.TokenRefused, match="This link is not valid"):
        tokens.read(SECRET, tokens.CONFIRM_SUBSCRIPTION, token)


def test_a_link_expires_after_its_lifetime(real_clock):
    token = tokens.issue(SECRET, tokens.CONFIRM_SUBSCRIPTION, "SUBJECT#a")
    clock.advance(retention.CONFIRM_LINK_LIFETIME.days - 1)
    assert tokens.read(SECRET, tokens.CONFIRM_SUBSCRIPTION, token).subject_key == "SUBJECT#a"
    clock.advance(2)
    with pytest.raises(tokens.TokenRefused, match="This link has expired"):
        tokens.read(SECRET, tokens.CONFIRM_SUBSCRIPTION, token)


# The double opt-in rule.


def pending(now=NOW):
    consent = subscriptions.consent_proof(
        {"policy_version": "2018-05-25"}, "newsletter-2026-11", "Send me news", "newsletter", now
    )
    return subscriptions.pending_item("SUBJECT#a", "Ann", "ann@example.com", consent, now)


def test_a_sign_up_is_stored_as_pending_and_expires_after_the_pending_period():
    item = pending()
    assert (item["kind"], item["status"]) == (retention.PENDING_SUBSCRIPTION.kind, "pending")
    assert item["expires_at"] == int((NOW + datetime.timedelta(days=7)).timestamp())


def test_confirming_makes_the_sign_up_active_and_removes_its_expiry():
    later = NOW + datetime.timedelta(hours=1)
    active = subscriptions.confirmed(pending(), later)
    assert (active["kind"], active["status"]) == (retention.ACTIVE_SUBSCRIPTION.kind, "active")
    assert "expires_at" not in active
    assert active["consent"]["confirmed_at"] == later.isoformat(timespec="seconds")
    assert active["consent"]["requested_at"] == NOW.isoformat(timespec="seconds")


def test_an_expired_sign_up_cannot_be_confirmed():
    with pytest.raises(subscriptions.NothingPending):
        subscriptions.confirmed(pending(), NOW + datetime.timedelta(days=7))


def test_an_active_subscription_cannot_be_confirmed_again():
    active = subscriptions.confirmed(pending(), NOW)
    with pytest.raises(subscriptions.NothingPending):
        subscriptions.confirmed(active, NOW)


def test_nothing_held_cannot_be_confirmed():
    with pytest.raises(subscriptions.NothingPending):
        subscriptions.confirmed(None, NOW)


# The policy version a consent is recorded with.


@pytest.fixture
def two_published_versions(tmp_path, monkeypatch):
    lock_file = tmp_path / "policy_lock.json"
    lock_file.write_text('{"privacy": {"2018-05-25": "a", "2026-12-01": "b"}}')
    monkeypatch.setattr(policies, "LOCK_FILE", lock_file)
    policies.published.cache_clear()
    yield
    policies.published.cache_clear()


def test_consent_names_the_version_in_force_by_the_servers_clock(two_published_versions):
    on = datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
    assert policies.consented_under("2026-12-01", on) == {"policy_version": "2026-12-01"}


def test_a_page_showing_an_older_version_is_kept_beside_the_one_in_force(two_published_versions):
    on = datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
    assert policies.consented_under("2018-05-25", on) == {
        "policy_version": "2026-12-01",
        "shown_policy_version": "2018-05-25",
    }


def test_a_version_never_published_is_refused(two_published_versions):
    assert policies.consented_under("2027-01-01", NOW) is None


def test_the_shipped_lock_is_the_sites():
    assert policies.published() == ["2018-05-25"]

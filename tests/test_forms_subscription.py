"""Double opt-in newsletter subscriptions, signed single-use links and rate limits, against moto."""

from urllib.parse import parse_qs, urlsplit

import pytest

from jtec_forms import clock, rate_limits, retention, routes, store
from tests.forms_support import data_items, invoke, items, outbox, person


def newsletter_form(**extra_fields):
    """A unique person's newsletter sign-up."""
    details = person()
    return {
        "name": details["name"],
        "email": details["email"],
        "policy_version": "2018-05-25",
        **extra_fields,
    }


def sign_up(**extra_fields):
    newsletter = newsletter_form(**extra_fields)
    return newsletter, invoke("/api/subscribe", newsletter)


def token_in(link):
    return parse_qs(urlsplit(link).query)["token"][0]


def links_for(base_url, email):
    mail = outbox(base_url, to=email)[-1]
    confirm = [link for link in mail["links"] if "/newsletter/confirm/" in link]
    unsubscribe = [link for link in mail["links"] if "/newsletter/unsubscribe/" in link]
    return mail, (token_in(confirm[0]) if confirm else None), token_in(unsubscribe[0])


def subscription():
    found = [item for item in items() if item["sk"] == "SUBSCRIPTION"]
    return found[0] if found else None


def test_signing_up_stores_a_pending_subscription_that_expires(forms):
    details, (status, _, body) = sign_up()
    assert status == 202
    assert body == {"message": "Check your email: we have sent you a link to confirm your subscription."}
    pending = subscription()
    assert pending["status"] == "pending"
    assert {pending["name"], pending["email"]} == {details["name"], details["email"]}
    requested = clock.now()
    assert (
        abs(
            int(pending["expires_at"]) - int(retention.PENDING_SUBSCRIPTION.expires_at(requested).timestamp())
        )
        <= 2
    )


def test_the_confirmation_mail_links_to_a_site_page_and_offers_one_click_unsubscribe(forms):
    details, _ = sign_up()
    mail, confirm_token, unsubscribe_token = links_for(forms, details["email"])
    assert any(link.startswith(forms + "/newsletter/confirm/?token=") for link in mail["links"])
    assert mail["headers"]["List-Unsubscribe"] == f"<{forms}/api/unsubscribe?token={unsubscribe_token}>"
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_confirming_activates_the_subscription_with_proof_of_consent(forms):
    details, _ = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    status, _, body = invoke("/api/subscribe/confirm", {"token": confirm_token})
    assert status == 200
    active = subscription()
    assert active["status"] == "active"
    assert "expires_at" not in active
    consent = active["consent"]
    assert consent["policy_version"] == "2018-05-25"
    assert consent["wording_id"] == "newsletter-2026-12"
    assert consent["wording"] == (
        "By pressing “Subscribe” you ask us to email you news and promotions from JTec IT Solutions. "
        "We will email you a link to confirm first."
    )
    assert consent["button"] == "Subscribe"
    assert consent["requested_at"] <= consent["confirmed_at"]


def test_a_replayed_confirmation_link_says_the_subscription_is_confirmed_and_changes_nothing(forms):
    details, _ = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    invoke("/api/subscribe/confirm", {"token": confirm_token})
    before = data_items()
    status, _, body = invoke("/api/subscribe/confirm", {"token": confirm_token})
    assert status == 200
    assert body == {
        "message": "This link has already been used: your subscription is confirmed.",
        "already": True,
    }
    assert data_items() == before


def test_a_replayed_confirmation_link_after_unsubscribing_is_refused_and_changes_nothing(forms):
    details, _ = sign_up()
    _, confirm_token, unsubscribe_token = links_for(forms, details["email"])
    invoke("/api/subscribe/confirm", {"token": confirm_token})
    invoke("/api/unsubscribe", {"token": unsubscribe_token})
    before = data_items()
    status, _, body = invoke("/api/subscribe/confirm", {"token": confirm_token})
    assert status == 400
    assert body["errors"] == [
        {
            "field": "token",
            "message": "This link has already been used, and this address is not subscribed now. Sign up again.",
        }
    ]
    assert data_items() == before


def test_a_replayed_unsubscribe_link_says_the_address_is_unsubscribed(forms):
    details, _ = sign_up()
    _, _, unsubscribe_token = links_for(forms, details["email"])
    assert invoke("/api/unsubscribe", {"token": unsubscribe_token})[0] == 200
    status, _, body = invoke("/api/unsubscribe", {"token": unsubscribe_token})
    assert status == 200
    assert body == {"message": "This link has already been used: you are unsubscribed.", "already": True}


def test_a_tampered_link_is_refused_and_changes_nothing(forms):
    position = 20
    details, _ = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    tampered = list(confirm_token)
    tampered[position] = "A" if tampered[position] != "A" else "B"
    before = data_items()
    status, _, body = invoke("/api/subscribe/confirm", {"token": "".join(tampered)})
    assert status == 400
    assert (
        body["errors"][0]["message"]
        == "This link is not valid. Check you copied the whole link from the email."
    )
    assert data_items() == before


def test_an_unsubscribe_link_cannot_confirm(forms):
    details, _ = sign_up()
    _, _, unsubscribe_token = links_for(forms, details["email"])
    status, _, _ = invoke("/api/subscribe/confirm", {"token": unsubscribe_token})
    assert status == 400
    assert subscription()["status"] == "pending"


def test_an_expired_confirmation_link_is_refused_and_changes_nothing(forms):
    details, _ = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    clock.advance(retention.PENDING_SUBSCRIPTION.days + 1)
    before = data_items()
    status, _, body = invoke("/api/subscribe/confirm", {"token": confirm_token})
    assert status == 400
    assert body["errors"][0]["message"] == "This link has expired. Start again to get a new one."
    assert data_items() == before


def test_subscribe_answers_the_same_for_known_and_unknown_addresses(forms):
    details, first = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    invoke("/api/subscribe/confirm", {"token": confirm_token})
    known = invoke("/api/subscribe", details)
    _, unknown = sign_up()
    assert known[0] == unknown[0] == first[0] == 202
    assert known[2] == unknown[2] == first[2]
    assert subscription_count_active() == 1


def confirmed_with_unsubscribe_token(base_url):
    """Someone who signed up and confirmed: their unsubscribe token (from the confirmation mail)."""
    details, _ = sign_up()
    _, confirm_token, unsubscribe_token = links_for(base_url, details["email"])
    invoke("/api/subscribe/confirm", {"token": confirm_token})
    return unsubscribe_token


def subscription_count_active():
    return len([item for item in items() if item["sk"] == "SUBSCRIPTION" and item["status"] == "active"])


def one_click(unsubscribe_token):
    """A mail client's RFC 8058 one-click POST, urlencoded, to the URL in List-Unsubscribe."""
    return invoke(
        "/api/unsubscribe",
        {"List-Unsubscribe": "One-Click"},
        content_type="application/x-www-form-urlencoded",
        query={"token": unsubscribe_token},
    )


def test_one_click_unsubscribe_deletes_the_subscription(forms):
    unsubscribe_token = confirmed_with_unsubscribe_token(forms)
    status, _, _ = one_click(unsubscribe_token)
    assert status == 303
    assert subscription() is None


ONE_CLICK_MULTIPART = (
    "--MailClientBoundary\r\n"
    'Content-Disposition: form-data; name="List-Unsubscribe"\r\n'
    "\r\n"
    "One-Click\r\n"
    "--MailClientBoundary--\r\n"
)


def test_one_click_unsubscribe_sent_as_multipart_form_data_deletes_the_subscription(forms):
    """RFC 8058 section 3.1: a mail client SHOULD send the one-click POST as multipart/form-data."""
    unsubscribe_token = confirmed_with_unsubscribe_token(forms)
    status, _, body = invoke(
        "/api/unsubscribe",
        raw=ONE_CLICK_MULTIPART,
        content_type="multipart/form-data; boundary=MailClientBoundary",
        query={"token": unsubscribe_token},
    )
    assert (status, body) == (200, {"message": "You have unsubscribed and we have deleted your details."})
    assert subscription() is None


@pytest.mark.parametrize(
    "content_type,raw",
    [
        ("multipart/form-data", ONE_CLICK_MULTIPART),
        ("multipart/form-data; boundary=Other", ONE_CLICK_MULTIPART),
        ("multipart/form-data; boundary=MailClientBoundary", "--MailClientBoundary\r\n\r\nno name\r\n"),
    ],
    ids=["no boundary", "another boundary", "a part without a name"],
)
def test_a_broken_multipart_one_click_post_is_refused_with_400_and_unsubscribes_no_one(
    forms, content_type, raw
):
    unsubscribe_token = confirmed_with_unsubscribe_token(forms)
    status, _, body = invoke(
        "/api/unsubscribe", raw=raw, content_type=content_type, query={"token": unsubscribe_token}
    )
    assert status == 400
    assert body["errors"] == [{"field": None, "message": "The form is not valid multipart/form-data"}]
    assert subscription()["status"] == "active"


def test_multipart_form_data_is_taken_only_from_one_click_posts(forms):
    status, _, _ = invoke(
        "/api/subscribe",
        raw=ONE_CLICK_MULTIPART,
        content_type="multipart/form-data; boundary=MailClientBoundary",
    )
    assert status == 415


def test_an_unsubscribe_link_works_for_as_long_as_the_subscription_exists(forms):
    unsubscribe_token = confirmed_with_unsubscribe_token(forms)
    clock.advance(5 * 366)  # five years of news later, from the first mail's header
    status, _, _ = one_click(unsubscribe_token)
    assert status == 303
    assert subscription() is None


def test_the_unsubscribe_page_button_deletes_the_subscription(forms):
    details, _ = sign_up()
    _, _, unsubscribe_token = links_for(forms, details["email"])
    status, _, body = invoke("/api/unsubscribe", {"token": unsubscribe_token})
    assert status == 200
    assert body == {"message": "You have unsubscribed and we have deleted your details."}
    assert subscription() is None
    replay = invoke("/api/unsubscribe", {"token": unsubscribe_token})
    assert replay[0] == 200 and replay[2]["already"] is True
    assert subscription() is None


def test_a_token_in_the_address_of_another_site_is_not_taken(forms):
    details, _ = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    status, _, _ = invoke(
        "/api/subscribe/confirm",
        {},
        content_type="application/x-www-form-urlencoded",
        headers={"referer": f"https://elsewhere.example/newsletter/confirm/?token={confirm_token}"},
    )
    assert status == 400
    assert subscription()["status"] == "pending"


def test_a_form_post_from_the_emailed_page_carries_the_token_in_its_address(forms):
    details, _ = sign_up()
    _, confirm_token, _ = links_for(forms, details["email"])
    status, headers, _ = invoke(
        "/api/subscribe/confirm",
        {},
        content_type="application/x-www-form-urlencoded",
        headers={"referer": f"https://www.example.test/newsletter/confirm/?token={confirm_token}"},
    )
    assert status == 303
    assert headers["location"] == "/newsletter/confirmed/"
    assert subscription()["status"] == "active"


def test_verification_mails_are_rate_limited_per_address(forms):
    newsletter = newsletter_form()
    answers = [
        invoke("/api/subscribe", newsletter, source_ip=f"198.51.100.{n}")
        for n in range(rate_limits.MAILS_PER_MAILBOX + 1)
    ]
    assert [status for status, _, _ in answers] == [202] * rate_limits.MAILS_PER_MAILBOX + [429]
    status, headers, body = answers[-1]
    assert 0 < int(headers["retry-after"]) <= rate_limits.WINDOW_SECONDS
    assert len(outbox(forms, to=newsletter["email"])) == rate_limits.MAILS_PER_MAILBOX


def test_the_mail_limit_counts_plus_addresses_and_any_case_as_one_mailbox(forms):
    user, domain = newsletter_form()["email"].split("@")
    addresses = [f"{user}+{n}@{domain}" for n in range(rate_limits.MAILS_PER_MAILBOX)] + [
        f"{user.upper()}@{domain}"
    ]
    statuses = [
        invoke("/api/subscribe", newsletter_form(email=address), source_ip=f"198.51.100.{n}")[0]
        for n, address in enumerate(addresses)
    ]
    assert statuses == [202] * rate_limits.MAILS_PER_MAILBOX + [429]


def test_sign_ups_are_rate_limited_per_client(forms):
    statuses = [sign_up()[1][0] for _ in range(routes.SUBSCRIBE.client_limit)]
    assert statuses == [202] * routes.SUBSCRIBE.client_limit
    status, headers, _ = sign_up()[1]
    assert status == 429
    assert int(headers["retry-after"]) > 0


def test_the_honeypot_drops_a_sign_up_silently(forms):
    _, (status, _, body) = sign_up(website="bot")
    details, _ = sign_up()
    assert status == 202
    assert subscription()["email"] == details["email"]
    assert len([item for item in items() if item["sk"] == "SUBSCRIPTION"]) == 1


def test_expired_pending_subscriptions_are_invisible(forms):
    details, _ = sign_up()
    pending = subscription()
    clock.advance(retention.PENDING_SUBSCRIPTION.days + 1)
    assert store.get_subscription(pending["pk"], clock.now()) is None


def test_an_international_domain_signs_up_and_gets_its_mail_at_the_ascii_form(forms):
    token = newsletter_form()["email"].split("@")[0]
    status, _, _ = invoke("/api/subscribe", newsletter_form(email=f"{token}@müller.de"))
    assert status == 202
    [mail] = outbox(forms, to=f"{token}@xn--mller-kva.de")
    assert any("/newsletter/confirm/" in link for link in mail["links"])

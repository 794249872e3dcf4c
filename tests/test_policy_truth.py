"""The draft privacy policy (2027-01-01) and the cookies page say only what the code, the consent script and
the deployment checklist make true: each claim a data-protection review found unsupported, held to its
source."""

import re

from jtec_forms import privacy_facts, retention, site_facts
from project import PROJECT_DIR

DRAFT = PROJECT_DIR / "content" / "policies" / "privacy" / "2027-01-01.md"
COOKIES = PROJECT_DIR / "content" / "pages" / "cookies.md"
CONSENT_SCRIPT = PROJECT_DIR / "theme" / "static" / "js" / "consent.js"


def text_of(path):
    return " ".join(path.read_text(encoding="utf-8").split())


def analytics():
    return next(
        activity for activity in privacy_facts.ACTIVITIES if activity.get("processor") == "Google Analytics"
    )


def test_the_draft_states_the_analytics_transfer_and_the_safeguard_the_registry_names():
    draft = text_of(DRAFT)
    assert "Google LLC processes this data in the United States" in draft
    assert "EU-US Data Privacy Framework and its UK Extension" in draft
    assert "EU-US Data Privacy Framework and its UK Extension" in privacy_facts.TRANSFERS["Google Analytics"]
    assert "see Google's own privacy information for the safeguards" not in draft


def test_the_draft_and_the_cookies_page_state_the_period_set_in_google_analytics():
    months = re.match(r"(\d+ months)", analytics()["retention"]).group(1)
    assert f"Google Analytics keeps the data for {months}" in text_of(DRAFT)
    assert f"Google Analytics keeps the data for {months}" in text_of(COOKIES)
    assert f"event data retention to **{months}**" in text_of(PROJECT_DIR / "docs" / "deploying.md")


def test_the_consent_script_turns_off_what_the_draft_says_is_off():
    script = CONSENT_SCRIPT.read_text(encoding="utf-8")
    assert "allow_google_signals: false" in script
    assert "allow_ad_personalization_signals: false" in script
    for page in (DRAFT, COOKIES):
        assert "Google signals and ad personalisation are turned off" in text_of(page)


def test_the_cookies_page_says_what_the_identifier_is_and_is_not_used_for():
    cookies = text_of(COOKIES)
    assert "does not give us information that identifies you" not in cookies
    assert "random identifier for your browser" in cookies
    assert "We do not use it to find out who you are" in cookies


def test_the_draft_and_the_cookies_page_say_when_the_visitor_is_asked_again():
    sentence = f"We ask again {site_facts.ASK_AGAIN_AFTER_MONTHS} months after you chose"
    assert sentence in text_of(DRAFT) and sentence in text_of(COOKIES)


def test_no_record_kept_under_a_keyed_digest_or_a_links_number_is_called_free_of_personal_details():
    pseudonymous = (retention.USED_LINK, retention.RATE_LIMIT, retention.SUBMISSION)
    for entry in pseudonymous:
        assert "no personal details" not in entry.what and "(pseudonymous" in entry.what
        assert f"| {entry.what} |" in DRAFT.read_text(encoding="utf-8")
    assert "they are pseudonymous, which means they are still personal data" in text_of(DRAFT)


def test_the_accounting_records_period_names_the_law_and_is_stated_as_ours():
    draft = text_of(DRAFT)
    assert "because the law requires us to keep them for audit" not in draft
    assert "Companies Act 2006, section 388" in draft and "six years" in draft
    assert "We keep client accounting records for 10 years, our own period" in draft


def test_the_draft_says_where_replies_to_an_enquiry_live_and_for_how_long():
    draft = text_of(DRAFT)
    assert "kept in our staff mailboxes for 2 years after the last message about them" in draft
    checklist = text_of(PROJECT_DIR / "docs" / "editing-policies.md")
    assert "the provider of the staff mailboxes" in checklist


def test_the_draft_says_what_is_kept_of_a_data_request_and_of_what_staff_did():
    draft = text_of(DRAFT)
    assert (
        "keep what you asked for, when, and whether we answered in time, until "
        f"{retention.ENQUIRY.months} months after you sent it" in draft
    )
    assert f"without your address, for {retention.STAFF_ACTION.period}" in draft

"""The forms in headless Chromium against the whole local stack, with JavaScript on and off."""

import datetime
import json
import urllib.request
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from jtec_forms import clock, retention
from jtec_forms.routes import ROUTES
from jtec_forms.validation import schema
from tests.forms_support import dev_post, outbox, person
from tests.support import OVERFLOWING

axe = Axe()
FORM_PAGES = sorted({route.form_page for route in ROUTES})


def dev_items(base_url):
    with urllib.request.urlopen(base_url + "/_dev/items") as answer:
        return json.load(answer)


def new_page(browser, javascript=True):
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    context.add_init_script("localStorage.setItem('jtec_cookie_consent', 'rejected')")
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, page = new_page(browser)
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context, page = new_page(browser, javascript=False)
    yield page
    context.close()


def fill_enquiry(page, details, opt_in=False):
    page.get_by_label("Full name").fill(details["name"])
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_label("Telephone number (optional)").fill(details["phone"])
    page.get_by_label("IT support").check()
    page.get_by_label("Your message").fill(details["message"])
    if opt_in:
        page.get_by_label("Keep me up to date with news and promotions by email").check()


def violations(page):
    return [violation["id"] for violation in axe.run(page).response["violations"]]


def test_contact_form_with_javascript_confirms_and_moves_focus(forms, page):
    details = person()
    page.goto(forms + "/contact/")
    fill_enquiry(page, details)
    page.get_by_role("button", name="Send enquiry").click()
    panel = page.locator("[data-confirmation]")
    panel.wait_for(state="visible")
    assert "Your reference is ENQ-" in panel.text_content()
    assert page.evaluate("document.activeElement.hasAttribute('data-confirmation')")
    assert [item["name"] for item in dev_items(forms) if item.get("kind") == "enquiry"] == [details["name"]]


def sent_enquiry_words(page, base_url, javascript):
    """What a person reads once their enquiry is sent, with its reference put back as REF."""
    details = person()
    page.goto(base_url + "/contact/")
    fill_enquiry(page, details)
    page.get_by_role("button", name="Send enquiry").click()
    if javascript:
        page.locator("[data-confirmation]").wait_for(state="visible")
        words = page.locator("[data-confirmation]").inner_text()
    else:
        page.wait_for_load_state()
        words = page.locator("main").inner_text()
    [reference] = [item["reference"] for item in dev_items(base_url) if item.get("email") == details["email"]]
    assert reference in words
    return " ".join(words.replace(reference, "REF").split())


def test_the_enquiry_is_answered_in_the_same_words_and_reference_with_javascript_on_and_off(forms, browser):
    answers = {}
    for javascript in (True, False):
        context, page = new_page(browser, javascript)
        answers[javascript] = sent_enquiry_words(page, forms, javascript)
        context.close()
    assert answers[True] == answers[False]
    assert answers[True].startswith("Enquiry sent Thank you. We have your enquiry")
    assert "Your reference is REF." in answers[True]


def test_errors_with_javascript_show_the_summary_and_each_field(forms, page):
    page.goto(forms + "/contact/")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send enquiry").click()
    summary = page.get_by_role("alert")
    summary.wait_for(state="visible")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = summary.get_by_role("link").all_text_contents()
    assert links == [
        "Enter your full name",
        "Enter an email address in the correct format, like name@example.com",
        "Select what your enquiry is about",
        "Enter your message",
    ]
    assert page.title().startswith("Error: ")
    assert page.locator("#email-error").text_content().strip() == (
        "Error: Enter an email address in the correct format, like name@example.com"
    )
    summary.get_by_role("link", name="Enter your full name").click()
    assert page.evaluate("document.activeElement.id") == "name"
    assert violations(page) == []
    assert dev_items(forms) == []


def test_each_field_in_error_is_described_by_its_hint_and_its_message(forms, page):
    page.goto(forms + "/contact/")
    email = page.get_by_label("Email address")
    assert email.get_attribute("aria-describedby") == "email-hint"
    email.fill("not an address")
    page.get_by_role("button", name="Send enquiry").click()
    page.get_by_role("alert").wait_for(state="visible")
    assert email.get_attribute("aria-describedby") == "email-hint email-error"
    assert page.get_by_label("Full name").get_attribute("aria-describedby") == "name-error"
    email.fill("ann@example.com")
    page.get_by_label("Full name").fill("Ann")
    page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_function(
        "document.getElementById('email').getAttribute('aria-describedby') === 'email-hint'"
    )


def test_the_error_summary_is_focusable_only_while_focus_is_moved_to_it(forms, page):
    page.goto(forms + "/contact/")
    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("tabindex") is None
    page.get_by_role("button", name="Send enquiry").click()
    page.get_by_role("alert").wait_for(state="visible")
    assert summary.get_attribute("tabindex") == "-1"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.keyboard.press("Tab")
    assert summary.get_attribute("tabindex") is None


@pytest.mark.parametrize("width", [375, 1280])
def test_without_javascript_an_error_gives_the_form_back_as_typed_and_it_can_be_sent_from_there(
    forms, browser, width
):
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 812})
    context.set_default_timeout(15_000)
    page = context.new_page()
    details = person(name="Ελένη Παπαδοπούλου")
    details["message"] = "\n" + details["message"]  # begins with a blank line
    page.goto(forms + "/contact/")
    fill_enquiry(page, {**details, "email": "eleni@"})
    page.get_by_role("button", name="Send enquiry").click()
    assert page.title() == "Error: Contact us | JTec IT Solutions"
    link = page.get_by_role(
        "link", name="Enter an email address in the correct format, like name@example.com"
    )
    assert link.get_attribute("href") == "#email"
    assert " ".join(page.locator("#email-error").text_content().split()) == (
        "Error: Enter an email address in the correct format, like name@example.com"
    )
    assert page.get_by_label("Full name").input_value() == details["name"]
    assert page.get_by_label("Your message").input_value() == details["message"]
    assert page.get_by_label("IT support").is_checked()
    link.click()
    assert page.url.endswith("/api/enquiry#email")
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_role("button", name="Send enquiry").click()
    assert "Your reference is ENQ-" in page.locator("main").inner_text()
    [stored] = [item for item in dev_items(forms) if item.get("kind") == "enquiry"]
    assert (stored["name"], stored["email"], stored["message"]) == (
        details["name"],
        details["email"],
        details["message"].strip(),  # surrounding spaces are never kept (validation.normalise)
    )
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_form_given_back_fits_the_screen_and_has_no_axe_violations(forms, browser, width):
    """Scripts cannot run in a page whose context has JavaScript off, so this posts the plain form from a
    page that has it, past forms.js."""
    context = browser.new_context(viewport={"width": width, "height": 812})
    page = context.new_page()
    page.goto(forms + "/contact/")
    page.get_by_label("Email address").fill("not an address")
    with page.expect_navigation():
        page.locator("form").evaluate("form => form.submit()")
    assert page.title() == "Error: Contact us | JTec IT Solutions"
    assert page.get_by_label("Email address").input_value() == "not an address"
    assert page.evaluate(OVERFLOWING) == []
    assert violations(page) == []
    context.close()


def subscribe_in_browser(page, base_url, details):
    page.goto(base_url + "/newsletter/")
    page.get_by_label("Full name").fill(details["name"])
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_role("button", name="Subscribe").click()


def confirm_link(base_url, email, kind):
    mail = outbox(base_url, to=email)[-1]
    return next(link for link in mail["links"] if f"/newsletter/{kind}/" in link)


def wait_until_done(page, javascript, thank_you_url):
    """The form is done: its panel shows (JavaScript), or its thank-you page has opened (none)."""
    if javascript:
        page.locator("[data-confirmation]").wait_for(state="visible")
    else:
        page.wait_for_url(thank_you_url)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_newsletter_asks_once_pressing_subscribe_beside_its_words_is_the_consent(
    forms, browser, javascript, width
):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 812})
    context.set_default_timeout(15_000)
    page = context.new_page()
    details = person()
    page.goto(forms + "/newsletter/")
    assert page.get_by_role("checkbox").count() == 0
    button = page.get_by_role("button", name="Subscribe")
    words = page.locator("#" + button.get_attribute("aria-describedby")).inner_text()
    assert words == schema("subscribe")["x-consent"]["text"]
    words_box, button_box = page.locator(".consent-words").bounding_box(), button.bounding_box()
    assert 0 <= button_box["y"] - (words_box["y"] + words_box["height"]) < 40  # just above the button
    page.get_by_label("Full name").fill(details["name"])
    page.get_by_label("Email address").fill(details["email"])
    button.click()
    wait_until_done(page, javascript, forms + "/newsletter/check-your-email/")
    [pending] = [item for item in dev_items(forms) if item["sk"] == "SUBSCRIPTION"]
    assert (pending["consent"]["wording"], pending["consent"]["button"]) == (words, "Subscribe")
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_newsletter_double_opt_in_through_the_emailed_link(forms, browser, javascript):
    context, page = new_page(browser, javascript)
    details = person()
    subscribe_in_browser(page, forms, details)
    wait_until_done(page, javascript, forms + "/newsletter/check-your-email/")
    [pending] = [item for item in dev_items(forms) if item["sk"] == "SUBSCRIPTION"]
    assert pending["status"] == "pending"

    page.goto(confirm_link(forms, details["email"], "confirm"))
    page.get_by_role("button", name="Confirm my subscription").click()
    wait_until_done(page, javascript, forms + "/newsletter/confirmed/")
    if javascript:
        assert "Your subscription is confirmed" in page.locator("[data-confirmation]").text_content()
        # The instruction above the button no longer applies: it goes with the button.
        assert not page.get_by_text("Press the button to confirm").is_visible()
    [active] = [item for item in dev_items(forms) if item["sk"] == "SUBSCRIPTION"]
    assert active["status"] == "active"
    context.close()


def test_unsubscribing_through_the_emailed_link_deletes_the_subscription(forms, page):
    details = person()
    subscribe_in_browser(page, forms, details)
    page.locator("[data-confirmation]").wait_for(state="visible")
    page.goto(confirm_link(forms, details["email"], "unsubscribe"))
    page.get_by_role("button", name="Unsubscribe").click()
    page.locator("[data-confirmation]").wait_for(state="visible")
    assert [item for item in dev_items(forms) if item["sk"] == "SUBSCRIPTION"] == []


def test_a_used_link_shows_why_it_is_refused(forms, page):
    page.goto(forms + "/newsletter/confirm/?token=not-a-real-token")
    page.get_by_role("button", name="Confirm my subscription").click()
    page.get_by_role("alert").wait_for(state="visible")
    assert "This link is not valid" in page.get_by_role("alert").text_content()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_reused_confirmation_link_is_good_news_without_an_error_or_a_button(forms, browser, javascript):
    context, page = new_page(browser, javascript)
    details = person()
    subscribe_in_browser(page, forms, details)
    wait_until_done(page, javascript, forms + "/newsletter/check-your-email/")
    link = confirm_link(forms, details["email"], "confirm")
    for _ in range(2):
        page.goto(link)
        page.get_by_role("button", name="Confirm my subscription").click()
        wait_until_done(page, javascript, forms + "/newsletter/confirmed/")
    text = page.locator("main").inner_text()
    assert "Your subscription is confirmed" in text
    assert "There is a problem" not in text
    assert page.get_by_role("button", name="Confirm my subscription").is_visible() is False
    if javascript:
        assert "This link has already been used: your subscription is confirmed." in text
    context.close()


def test_a_link_page_opened_without_its_token_offers_no_button(forms, page):
    page.goto(forms + "/newsletter/confirm/")
    assert page.get_by_text("This page works from the link in the email we sent you.").is_visible()
    assert not page.get_by_role("button", name="Confirm my subscription").is_visible()


def test_an_enquiry_is_gone_twelve_months_and_a_day_later(forms, page):
    details = person()
    page.goto(forms + "/contact/")
    fill_enquiry(page, details)
    page.get_by_role("button", name="Send enquiry").click()
    page.locator("[data-confirmation]").wait_for(state="visible")
    assert any(item.get("kind") == "enquiry" for item in dev_items(forms))
    now = clock.now()
    days = (retention.ENQUIRY.expires_at(now) - now).days + 1
    _, answer = dev_post(forms, "/_dev/clock", {"advance_days": days})
    moved_to = datetime.datetime.fromisoformat(answer["now"])
    assert moved_to > retention.ENQUIRY.expires_at(now)
    assert [item for item in dev_items(forms) if item.get("kind") == "enquiry"] == []
    with urllib.request.urlopen(forms + "/_dev/audit") as answer:
        assert [entry["item_kind"] for entry in json.load(answer)].count("enquiry") == 1


@pytest.mark.parametrize("url", FORM_PAGES)
def test_form_page_has_no_axe_violations(forms, page, url):
    page.goto(forms + url)
    assert violations(page) == []


def test_dev_outbox_reads_as_a_page_for_people(forms, page):
    page.goto(forms + "/_dev/outbox")
    assert page.locator("h1").text_content() == "Outbox"


def send_enquiry_over_http(base_url, details):
    request = urllib.request.Request(
        base_url + "/api/enquiry",
        data=json.dumps(details).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["reference"]


def ask_in_browser(page, base_url, form_url, email, button):
    page.goto(base_url + form_url)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name=button).click()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_forget_me_through_the_emailed_link(forms, browser, javascript):
    context, page = new_page(browser, javascript)
    details = person()
    send_enquiry_over_http(forms, details)
    ask_in_browser(page, forms, "/your-data/", details["email"], "Ask to delete my data")
    wait_until_done(page, javascript, forms + "/your-data/check-your-email/")
    link = next(
        link for link in outbox(forms, to=details["email"])[-1]["links"] if "/your-data/delete/" in link
    )
    page.goto(link)
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("heading", name="We have deleted your data").wait_for()
    assert page.url == forms + "/your-data/delete/receipt"
    reference = page.locator("strong").first.text_content()
    assert reference.startswith("ERA-")
    assert [item for item in dev_items(forms) if item.get("email") == details["email"]] == []
    assert reference in outbox(forms, to=details["email"])[-1]["subject"]
    if javascript:  # axe runs as a script in the page
        assert violations(page) == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_see_my_data_through_the_emailed_link_and_download_it(forms, browser, javascript):
    context, page = new_page(browser, javascript)
    details = person()
    send_enquiry_over_http(forms, details)
    ask_in_browser(page, forms, "/your-data/see/", details["email"], "Email me a link")
    if not javascript:
        page.wait_for_url(forms + "/your-data/check-your-email/")
    else:
        page.locator("[data-confirmation]").wait_for(state="visible")
    link = next(
        link for link in outbox(forms, to=details["email"])[-1]["links"] if "/your-data/see/confirm/" in link
    )
    page.goto(link)
    page.get_by_role("button", name="Show my data").click()
    page.get_by_role("heading", name="The data we hold about you").wait_for()
    assert page.url == forms + "/your-data/see/report"
    assert details["message"] in page.locator("main").text_content()
    if javascript:  # axe runs as a script in the page
        assert violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    assert download.value.suggested_filename == "jtec-your-data.json"
    report = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [item["contents"]["message"] for item in report["items"] if item["kind"] == "enquiry"] == [
        details["message"]
    ]
    page.goto(forms + "/your-data/see/report")  # opened again from history or a bookmark
    assert page.get_by_role("link", name="Ask for a new link").get_attribute("href") == "/your-data/see/"
    assert details["message"] not in page.locator("main").text_content()
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_a_data_request_names_the_missing_right_then_is_sent_with_it(forms, browser, javascript):
    """A visitor chooses "Your personal data", forgets to say what they want, is told so beside the
    right question (or on the error page, without JavaScript), then sends it as a data request."""
    context, page = new_page(browser, javascript)
    details = person()
    page.goto(forms + "/contact/")
    fill_enquiry(page, details)
    page.get_by_label("Your personal data").check()
    page.get_by_role("button", name="Send enquiry").click()
    message = "Select what you would like us to do about your personal data"
    if javascript:
        page.locator("#right-error").wait_for(state="visible")
        assert message in page.locator("#right-error").inner_text()
    else:
        assert page.get_by_role("link", name=message).get_attribute("href") == "#right"
        assert message in page.locator("#right-error").inner_text()
        assert page.get_by_label("Your personal data").is_checked()
    page.get_by_label("Keep my details but stop using them for now (a restriction)").check()
    page.get_by_role("button", name="Send enquiry").click()
    page.wait_for_load_state()
    if javascript:
        page.locator("[data-confirmation]").wait_for(state="visible")
    [request] = [item for item in dev_items(forms) if item.get("email") == details["email"]]
    assert (request["topic"], request["right"]) == ("personal-data", "restriction")
    assert request["due"] > request["received"]
    context.close()

"""Each visitor's journey on a phone (375 px) and a desktop (1280 px), with JavaScript on and off, against
the whole local stack: every page on the way fits the screen and says what the visitor needs next."""

import pytest

from tests.forms_support import outbox, person
from tests.test_browser_forms import dev_items, send_enquiry_over_http

WIDTHS = [375, 1280]
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])


def open_page(browser, javascript, width):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 812})
    context.set_default_timeout(15_000)
    context.add_init_script("localStorage.setItem('jtec_cookie_consent', 'rejected')")
    return context, context.new_page()


def fits_the_screen(page):
    """Nothing scrolls sideways: the page's content is no wider than its viewport. Read from the browser's
    layout (DevTools protocol), so it works with JavaScript off too."""
    metrics = page.context.new_cdp_session(page).send("Page.getLayoutMetrics")
    return metrics["cssContentSize"]["width"] <= metrics["cssLayoutViewport"]["clientWidth"] + 0.5


def words(page):
    return " ".join(page.locator("main").inner_text().split())


def emailed_link(base_url, email, page_path):
    return next(link for link in outbox(base_url, to=email)[-1]["links"] if page_path in link)


def until_done(page, javascript):
    if javascript:
        page.locator("[data-confirmation]").wait_for(state="visible")
    else:
        page.wait_for_load_state()


@pytest.mark.parametrize("width", WIDTHS)
@JAVASCRIPT
def test_an_enquiry_put_right_then_sent_reads_well_and_speaks_of_the_newsletter_only_when_ticked(
    forms, browser, javascript, width
):
    context, page = open_page(browser, javascript, width)
    details = person(name="Ελένη Παπαδοπούλου-Κωνσταντινίδου", email="eleni.papadopoulou@bücher.example")
    page.goto(forms + "/contact/")
    page.get_by_label("Full name").fill(details["name"])
    page.get_by_label("Email address").fill("eleni@")
    page.get_by_label("IT support").check()
    page.get_by_label("Your message").fill(details["message"])
    page.get_by_role("button", name="Send enquiry").click()
    page.locator("#email-error").wait_for(state="visible")
    assert fits_the_screen(page)
    assert page.get_by_label("Your message").input_value() == details["message"]
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_role("button", name="Send enquiry").click()
    until_done(page, javascript)
    said = words(page)
    assert "Your reference is ENQ-" in said
    assert "newsletter" not in said.lower()
    assert fits_the_screen(page)
    [stored] = [item for item in dev_items(forms) if item.get("kind") == "enquiry"]
    assert stored["name"] == details["name"]
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@JAVASCRIPT
def test_a_visitor_reads_their_data_as_a_letter_once_then_erases_it_at_site_addresses(
    forms, browser, javascript, width
):
    context, page = open_page(browser, javascript, width)
    details = person(name="Ελένη Παπαδοπούλου-Κωνσταντινίδου", opt_in=True)
    send_enquiry_over_http(forms, details)

    page.goto(forms + "/your-data/see/")
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_role("button", name="Email me a link").click()
    until_done(page, javascript)
    see_link = emailed_link(forms, details["email"], "/your-data/see/confirm/")
    page.goto(see_link)
    page.get_by_role("button", name="Show my data").click()
    page.get_by_role("heading", name="The data we hold about you").wait_for()
    assert page.url == forms + "/your-data/see/report"
    said = words(page)
    assert details["message"] in said
    assert "created_at" not in said and "policy_version" not in said
    assert fits_the_screen(page)

    page.goto(see_link)  # the same link again: it shows the data once
    page.get_by_role("button", name="Show my data").click()
    new_link = page.get_by_role("link", name="Ask for a new link")
    new_link.wait_for()
    assert new_link.get_attribute("href") == "/your-data/see/"
    assert details["message"] not in words(page) and "back button" not in words(page)
    assert fits_the_screen(page)

    page.goto(forms + "/your-data/")
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_role("button", name="Ask to delete my data").click()
    until_done(page, javascript)
    link = emailed_link(forms, details["email"], "/your-data/delete/")
    page.goto(link)
    assert page.get_by_text("Press the button to delete everything").is_visible()
    page.get_by_role("button", name="Delete my data").click()
    page.get_by_role("heading", name="We have deleted your data").wait_for()
    assert page.url == forms + "/your-data/delete/receipt"
    assert page.locator("main strong").first.inner_text().startswith("ERA-")
    assert fits_the_screen(page)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@JAVASCRIPT
def test_the_newsletter_is_asked_for_once_and_confirmed_from_the_email(forms, browser, javascript, width):
    context, page = open_page(browser, javascript, width)
    details = person()
    page.goto(forms + "/newsletter/")
    assert page.get_by_role("checkbox").count() == 0
    page.get_by_label("Full name").fill(details["name"])
    page.get_by_label("Email address").fill(details["email"])
    page.get_by_role("button", name="Subscribe").click()
    until_done(page, javascript)
    assert fits_the_screen(page)
    page.goto(emailed_link(forms, details["email"], "/newsletter/confirm/"))
    page.get_by_role("button", name="Confirm my subscription").click()
    if javascript:
        page.locator("[data-confirmation]").wait_for(state="visible")
        assert not page.get_by_text("Press the button to confirm").is_visible()
    else:
        page.wait_for_url(forms + "/newsletter/confirmed/")
    assert "Your subscription is confirmed" in words(page)
    assert fits_the_screen(page)
    [active] = [item for item in dev_items(forms) if item["sk"] == "SUBSCRIPTION"]
    assert active["status"] == "active"
    context.close()

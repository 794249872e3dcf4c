"""The site's forms come from the same JSON Schemas the handlers validate against, and the privacy page
shows the same retention schedule the handlers apply."""

import copy
import re
import shutil

import pytest
from lxml import html

from jtec_forms import retention, routes
from jtec_forms.routes import ROUTES
from jtec_forms.validation import schema
from plugins.policy_versions import lock
from project import PROJECT_DIR
from project.site import BuildFailed, build_site
from tests.support import html_files

pytestmark = pytest.mark.build


def relock(source):
    """Record an edited version in a lock beside it, as if it had been published so (the lock is tested
    on its own); the build's default lock file is that one when the settings name none."""
    locked = lock.read(PROJECT_DIR / "functions" / "jtec_forms" / "policy_lock.json")
    locked[source.parent.name][source.stem] = lock.sha256(source)
    lock.write(source.parent.parent / lock.LOCK_NAME, locked)


def page(built_site, url):
    return html.parse(str(built_site / url.strip("/") / "index.html")).getroot()


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.path)
def test_each_routes_form_page_posts_to_it_and_works_without_javascript(built_site, route):
    document = page(built_site, route.form_page)
    assert document.findtext(".//h1") == route.page_title
    form = document.find(".//form")
    assert form.get("method") == "post"
    assert form.get("action") == route.path
    # A route whose answer is a page to keep (receipt, report) is posted as it is; the others are
    # enhanced by forms.js. A plain post goes to a thank-you page of the site or gets a page of its own.
    assert (form.get("data-enhance") is not None) == route.enhanced
    assert bool(route.thank_you_page) != bool(route.result_template)
    if route.thank_you_page:
        assert (built_site / route.thank_you_page.strip("/") / "index.html").exists()


@pytest.mark.parametrize(
    "route", [routes.ENQUIRY, routes.SUBSCRIBE, routes.ERASURE], ids=lambda route: route.path
)
def test_form_fields_are_the_schema_properties_with_their_rules(built_site, route):
    url = route.form_page
    form_schema = schema(route.form)
    form = page(built_site, url).find(".//form")
    controls = {control.get("name"): control for control in form.iter("input", "textarea")}
    assert set(controls) == set(form_schema["properties"])
    for name, rules in form_schema["properties"].items():
        control = controls[name]
        if rules.get("x-widget") != "hidden":  # a hidden input is filled by the page, never by the person
            assert (control.get("required") is not None) == (name in form_schema["required"]), name
        if "maxLength" in rules and control.get("type") != "hidden":  # HTML allows no maxlength on hidden
            assert control.get("maxlength") == str(rules["maxLength"]), name
    assert controls["email"].get("type") == "email"


def test_topic_choices_are_the_schema_enum(built_site):
    radios = page(built_site, "/contact/").findall(".//input[@name='topic']")
    assert [radio.get("value") for radio in radios] == schema("enquiry")["properties"]["topic"]["enum"]


def test_forms_carry_the_privacy_policy_version_in_force(built_site):
    hidden = page(built_site, "/contact/").find(".//input[@name='policy_version']")
    assert hidden.get("value") == "2018-05-25"


def test_privacy_page_shows_the_retention_schedule(built_site):
    table = page(built_site, "/privacy/").find(".//table[@class='retention stack']")
    rows = [[" ".join(cell.text_content().split()) for cell in row] for row in table.iterfind(".//tbody/tr")]
    assert rows == [[entry.what, entry.purpose, entry.period] for entry in retention.SCHEDULE]
    assert [
        "Enquiries: name, email address, telephone number, topic and message",
        "To deal with your enquiry or feedback",
        "12 months",
    ] in rows


def test_the_build_fails_when_the_policy_states_another_enquiry_period(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    seed = content / "policies" / "privacy" / "2018-05-25.md"
    seed.write_text(
        seed.read_text().replace("personal details after 12 months", "personal details after 24 months")
    )
    relock(seed)
    with pytest.raises(BuildFailed) as failure:
        build_site(tmp_path / "output", content_dir=content, settings={"POLICY_LOCK_FILE": None})
    message = str(failure.value)
    assert "states 24 months for deleting enquiries" in message
    assert "the retention schedule (functions/jtec_forms/retention.py) says 12 months" in message


def test_the_build_fails_when_the_policy_no_longer_states_the_enquiry_period(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    seed = content / "policies" / "privacy" / "2018-05-25.md"
    seed.write_text(
        seed.read_text().replace(
            "will automatically delete your personal details after 12 months", "removes your details in time"
        )
    )
    relock(seed)
    with pytest.raises(BuildFailed) as failure:
        build_site(tmp_path / "output", content_dir=content, settings={"POLICY_LOCK_FILE": None})
    assert "2018-05-25.md: does not state that enquiries are deleted automatically after 12 months" in str(
        failure.value
    )


def test_every_consent_wording_is_published_with_its_exact_words(built_site):
    document = page(built_site, "/privacy/consent-wordings/")
    for form in ("enquiry", "subscribe"):
        for field in schema(form)["properties"].values():
            if "x-wording-id" in field:
                section = document.find(f".//section[@id='{field['x-wording-id']}']")
                assert section.findtext(".//blockquote/p") == field["title"]
                assert "still in use" in section.text_content()


def test_the_newsletter_asks_once_with_its_words_beside_the_button_and_publishes_them(built_site):
    asked = schema("subscribe")["x-consent"]
    form = page(built_site, "/newsletter/").find(".//form[@data-form='subscribe']")
    assert form.find(".//input[@type='checkbox']") is None
    button = form.find(".//button[@type='submit']")
    assert button.text == "Subscribe"
    assert form.find(f".//p[@id='{button.get('aria-describedby')}']").text == asked["text"]
    section = page(built_site, "/privacy/consent-wordings/").find(f".//section[@id='{asked['wording-id']}']")
    assert section.findtext(".//blockquote/p") == asked["text"]
    assert "pressing the button “Subscribe”" in section.text_content()


def test_the_build_fails_when_a_wording_changes_without_a_new_id(tmp_path, monkeypatch):
    from project import wordings

    lock_file = tmp_path / "wording_lock.json"
    locked = wordings.read()
    locked["newsletter-2026-12"]["text"] = "Other words than the form shows"
    wordings.write(locked, lock_file)
    with pytest.raises(BuildFailed) as failure:
        build_site(tmp_path / "output", env={"JTEC_WORDING_LOCK": str(lock_file)})
    assert "consent wording 'newsletter-2026-12' changed its text without a new id" in str(failure.value)


def test_the_build_fails_when_a_draft_states_another_retention_period(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    draft = content / "policies" / "privacy" / "2027-01-01.md"
    draft.write_text(draft.read_text().replace("| 7 days |", "| 14 days |", 1))
    with pytest.raises(BuildFailed) as failure:
        build_site(tmp_path / "output", content_dir=content)
    assert (
        "2027-01-01.md: retention table: kind 'pending_subscription', how long: the policy says '14 days', "
        "the schedule (functions/jtec_forms/retention.py) says '7 days'"
    ) in str(failure.value)


def test_the_build_log_says_which_versions_are_exempt_from_the_fact_checks(tmp_path):
    result = build_site(tmp_path / "output")
    assert (
        "2018-05-25.md: exempt from the fact checks: it took effect before the retention schedule existed"
        in (result.stdout + result.stderr)
    )


def sentences_said_twice(main):
    text = " ".join(main.text_content().split())
    said = [sentence for sentence in re.split(r"(?<=[.!?:])\s+", text) if len(sentence) > 20]
    return sorted({sentence for sentence in said if said.count(sentence) > 1})


def test_no_page_says_the_same_sentence_twice_before_or_after_its_form_is_done(built_site):
    """What a visitor reads: the page as it opens (hidden parts left out), and a form page once its form is
    done (the form and the instructions before it gone, the confirmation shown), as forms.js leaves it."""
    for html_file in html_files(built_site):
        document = html.fromstring(html_file.read_text(encoding="utf-8"))
        main = document.find(".//main")
        # A register's dates, and a diff's removed and added words, repeat by design.
        if main is None or "consent-wordings" in str(html_file) or "/changes/" in str(html_file):
            continue
        before, after = copy.deepcopy(main), copy.deepcopy(main)
        for hidden in before.xpath(".//*[@hidden]"):
            hidden.drop_tree()
        assert sentences_said_twice(before) == [], html_file
        if after.find(".//*[@data-confirmation]") is not None:
            for gone in after.xpath(
                ".//form | .//*[@data-before-done] | .//*[@hidden][not(@data-confirmation)]"
            ):
                gone.drop_tree()
            assert sentences_said_twice(after) == [], html_file

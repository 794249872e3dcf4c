"""The auditor's report (`jtec audit`) opened in headless Chromium: one file that asks for nothing else,
runs no script, has no console errors or axe violations, and prints on A4 with nothing cut off."""

import pytest

from tests.test_audit import a_busy_month, report
from tests.test_browser_accessibility import violations
from tests.test_browser_layout import OVERFLOWING

# A4 less the report's print margins (15 mm each side), in CSS pixels (96 to the inch).
A4_PRINTABLE_WIDTH = round((210 - 30) / 25.4 * 96)


@pytest.fixture
def report_file(forms, tmp_path):
    a_busy_month(forms)
    page, _ = report(tmp_path, suffix="html")
    return tmp_path / "audit.html"


def test_the_report_asks_for_nothing_and_runs_no_script(browser, report_file):
    context = browser.new_context(java_script_enabled=True)
    asked = []
    context.on("request", lambda request: asked.append(request.url))
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(report_file.as_uri())
    page.wait_for_load_state("networkidle")
    assert asked == [report_file.as_uri()]
    assert page.locator("script").count() == 0 and errors == []
    assert page.locator("h1").inner_text().startswith("Data protection report")
    context.close()


def test_the_report_has_no_axe_violations(browser, report_file):
    context = browser.new_context()
    page = context.new_page()
    page.goto(report_file.as_uri())
    assert violations(page) == []
    context.close()


def test_the_report_prints_on_a4_with_nothing_cut_off(browser, report_file):
    context = browser.new_context(viewport={"width": A4_PRINTABLE_WIDTH, "height": 1000})
    page = context.new_page()
    page.goto(report_file.as_uri())
    page.emulate_media(media="print")
    overflowing = page.evaluate(OVERFLOWING)
    assert overflowing == [], "; ".join(overflowing)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2
    context.close()

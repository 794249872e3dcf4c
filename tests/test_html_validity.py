"""Every page is valid HTML by the W3C Nu checker (the `vnu-jar` npm package, run with Java): the site's
pages as `make serve` and `make publish` build them, and the pages the functions write for a form posted
without JavaScript (results, the access report, the erasure receipt, the error page)."""

import subprocess

import pytest

from project import PROJECT_DIR
from project.site import build_site
from tests.forms_support import invoke, person
from tests.test_forms_your_data import ask_to_erase, someone_with_everything, token_from

pytestmark = pytest.mark.tools

VNU = PROJECT_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FORM = "application/x-www-form-urlencoded"


def errors(folder):
    """The Nu checker's errors for every HTML file under `folder`, one line each."""
    assert VNU.exists(), "the Nu checker is missing: run make infra-tools (npm ci installs vnu-jar)"
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--skip-non-html", "--errors-only", "--format", "gnu", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [line for line in done.stderr.splitlines() + done.stdout.splitlines() if line.strip()]


def test_every_page_of_the_site_is_valid_html(built_site):
    assert errors(built_site) == []


def test_every_page_of_the_production_build_is_valid_html(tmp_path):
    build_site(tmp_path / "output", settings_file=PROJECT_DIR / "publishconf.py")
    assert errors(tmp_path / "output") == []


def test_every_page_a_function_writes_is_valid_html(forms, tmp_path):
    details = someone_with_everything(forms)
    invoke("/api/access", {"email": details["email"]})
    access = {"token": token_from(forms, details["email"], "/your-data/see/confirm/")}
    pages = {
        "error": invoke("/api/enquiry", {**person(), "email": "not an address"}, content_type=FORM)[2],
        "access-report": invoke("/your-data/see/report", access, content_type=FORM)[2],
        "used-link": invoke("/your-data/see/report", access, content_type=FORM)[2],
        "erasure-receipt": invoke(
            "/your-data/delete/receipt", {"token": ask_to_erase(forms, details["email"])}, content_type=FORM
        )[2],
    }
    for name, page in pages.items():
        assert page.lstrip().lower().startswith("<!doctype html>"), name
        (tmp_path / f"{name}.html").write_text(page, encoding="utf-8")
    assert errors(tmp_path) == []

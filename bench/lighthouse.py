"""Lighthouse 12 (npm, Debian's Chromium through CHROME_PATH, the mobile preset) on the production build's
pages, served by the local server with the production headers: the four scores, FCP, LCP, TBT and CLS.

The production build has one published privacy policy version, so it has no changes page; that page is
measured in a build with the production settings that also shows the draft (it says so in the report)."""

import json
import subprocess
import tempfile
import threading
from pathlib import Path

from bench.report import Figure, met, print_table
from local.app import LocalSite
from local.server import make_local_server
from project import PROJECT_DIR
from project.site import build_site

LIGHTHOUSE = PROJECT_DIR / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = [
    "/",
    "/services/",
    "/contact/",
    "/news/",
    "/newsletter/",
    "/your-data/",
    "/privacy/",
    "/privacy/versions/",
]
CHANGES_PAGE = "/privacy/changes/2027-01-01/"
TARGET_SCORE = 100


def serve(output_dir):
    """The local server's static site (production headers, less HSTS) on a free port, in a thread."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_local_server("127.0.0.1", 0, LocalSite(output_dir))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def audit(url, attempts=3):
    """Lighthouse's mobile run of `url`: {category: score 0-100} and the four timings. A run whose trace
    Chromium failed to record (Lighthouse says "run again") is run again, up to `attempts` times."""
    for attempt in range(attempts):
        try:
            return _audit(url)
        except RuntimeError as failure:
            print(f"    {failure}; again ({attempt + 1}/{attempts})", flush=True)
    raise SystemExit(f"Lighthouse failed {attempts} times on {url}")


def _audit(url):
    with tempfile.NamedTemporaryFile(suffix=".json") as report_file:
        run = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report_file.name}"]
            + [f"--only-categories={','.join(CATEGORIES)}", "--chrome-flags=--headless=new --no-sandbox"],
            env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin", "HOME": tempfile.gettempdir()},
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise RuntimeError(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "no output")
        report = json.loads(Path(report_file.name).read_text())
    audits = report["audits"]
    return {
        "scores": {name: round(100 * report["categories"][name]["score"]) for name in CATEGORIES},
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
    }


def measure(pages, settings):
    results = {}
    with tempfile.TemporaryDirectory() as output:
        server, base = serve(output)
        try:
            build_site(
                output, settings_file=PROJECT_DIR / "publishconf.py", settings=settings, env={"SITEURL": base}
            )
            for page in pages:
                print(f"  lighthouse {page} ...", flush=True)
                results[page] = audit(base + page)
        finally:
            server.shutdown()
            server.server_close()
    return results


def main():
    results = measure(PAGES, {})
    [changes] = measure([CHANGES_PAGE], {"POLICY_DRAFTS": True}).values()
    results[f"{CHANGES_PAGE} (draft shown)"] = changes
    rows = [
        [page, *(result["scores"][name] for name in CATEGORIES)]
        + [
            f"{result['fcp'] / 1000:.2f}",
            f"{result['lcp'] / 1000:.2f}",
            f"{result['tbt']:.0f}",
            f"{result['cls']:.3f}",
        ]
        for page, result in results.items()
    ]
    print_table(
        "Lighthouse 12, mobile preset (production build)",
        ["page", "perf", "a11y", "best pr.", "SEO", "FCP s", "LCP s", "TBT ms", "CLS"],
        rows,
    )
    return [
        Figure(
            f"Lighthouse {page}: performance, accessibility, best practices, SEO; CLS",
            " / ".join(str(result["scores"][name]) for name in CATEGORIES) + f"; CLS {result['cls']:.3f}",
            target="100 each; CLS 0",
            met=met(all(score >= TARGET_SCORE for score in result["scores"].values()) and result["cls"] == 0),
        )
        for page, result in results.items()
    ]


if __name__ == "__main__":
    main()

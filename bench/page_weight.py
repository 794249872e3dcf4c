"""Bytes and requests each built page needs before consent (HTML and first-party assets), and a cold
build's time."""

import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from lxml import html

from bench.report import Figure, best_of, met, print_table
from project import PROJECT_DIR
from project.site import build_site

TARGET_BYTES = 30 * 1024
TARGET_REQUESTS = 4


def assets_loaded(page_file, output_dir):
    """First-party files the page loads on arrival: stylesheets, scripts, icons, images."""
    page_url = "http://site/" + page_file.relative_to(output_dir).as_posix()
    tree = html.parse(str(page_file)).getroot()
    links = tree.iterfind(".//link")
    references = [link.get("href") for link in links if link.get("rel") in ("stylesheet", "icon")]
    references += [element.get("src") for element in tree.iter("script", "img") if element.get("src")]
    files = set()
    for reference in references:
        parts = urlsplit(urljoin(page_url, reference))
        if parts.netloc == "site":
            files.add(output_dir / parts.path.lstrip("/"))
    return files


def main():
    with tempfile.TemporaryDirectory() as output:
        output_dir = Path(output)

        def build():
            build_site(output_dir, settings_file=PROJECT_DIR / "publishconf.py", settings={})

        seconds = best_of(1, build)
        # Warm: the same build again into the same folder (what a second make build or publish costs).
        warm_seconds = best_of(3, build)
        rows = []
        for page_file in sorted(output_dir.rglob("*.html")):
            assets = assets_loaded(page_file, output_dir)
            html_bytes = page_file.stat().st_size
            asset_bytes = sum(asset.stat().st_size for asset in assets)
            total = html_bytes + asset_bytes
            requests = 1 + len(assets)
            rows.append(
                [
                    "/" + page_file.relative_to(output_dir).as_posix().removesuffix("index.html"),
                    html_bytes,
                    asset_bytes,
                    total,
                    requests,
                    met(total < TARGET_BYTES and requests <= TARGET_REQUESTS),
                ]
            )
    print_table(
        "Page weight before consent (production build, uncompressed bytes)",
        ["page", "html", "css+js+icon", "total", "requests", "< 30 KB, <= 4"],
        rows,
    )
    print_table(
        "`make build` (publishconf.py): cold into a fresh folder, then warm",
        ["what", "seconds"],
        [["cold build", f"{seconds:.2f}"], ["warm build (best of 3)", f"{warm_seconds:.2f}"]],
    )
    figures = [
        Figure(
            f"page weight before consent {page}",
            f"{total:,} B, {requests} requests",
            target=f"< 30 KB, <= {TARGET_REQUESTS} requests",
            met=ok,
        )
        for page, _, _, total, requests, ok in rows
    ]
    return [
        *figures,
        Figure("cold make build (production settings)", f"{seconds:.2f} s"),
        Figure("warm make build (production settings)", f"{warm_seconds:.2f} s"),
    ]


if __name__ == "__main__":
    main()

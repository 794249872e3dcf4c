"""Build time of N policy versions with the plugin, against the same files as plain Pelican pages.

Each version is the seed policy with a small cumulative edit of the one before. Targets: plugin
time / plain time <= 1.5 for 100 versions; 400 versions cost <= 4.5 x 100 versions (linear).
"""

import datetime
import tempfile
from pathlib import Path

from bench.report import Figure, best_of, met, print_table
from plugins.policy_versions import lock
from project import PROJECT_DIR
from project.site import build_site

SEED_VERSION = PROJECT_DIR / "content" / "policies" / "privacy" / "2018-05-25.md"
FIRST_DAY = datetime.date(2000, 1, 1)
REPEAT = 3


def version_bodies(count):
    """`count` bodies of the seed policy, each one small edit on from the one before."""
    body = SEED_VERSION.read_text(encoding="utf-8").split("\n\n", 1)[1]
    lines = body.split("\n")
    editable = [i for i, line in enumerate(lines) if line and not line.startswith("#")]
    bodies = []
    for revision in range(count):
        if revision:
            index = editable[(revision * 7) % len(editable)]
            lines[index] += f" Amended in revision {revision}."
        bodies.append("\n".join(lines))
    return bodies


def write_policy_versions(content_dir, bodies):
    folder = content_dir / "policies" / "privacy"
    folder.mkdir(parents=True)
    for revision, body in enumerate(bodies):
        effective = (FIRST_DAY + datetime.timedelta(days=7 * revision)).isoformat()
        summary = f"Summary: Revision {revision}.\n" if revision else ""
        header = f"Title: Privacy and Security Policy\nEffective: {effective}\n{summary}"
        (folder / f"{effective}.md").write_text(header + "\n" + body, encoding="utf-8")
    # Every version recorded in the lock as published history, so the build checks them all as it would.
    versions = {source.stem: lock.sha256(source) for source in folder.glob("*.md")}
    lock.write(folder.parent / lock.LOCK_NAME, {"privacy": versions})


def write_plain_pages(content_dir, bodies):
    folder = content_dir / "pages"
    folder.mkdir(parents=True)
    for revision, body in enumerate(bodies):
        header = f"Title: Privacy and Security Policy {revision}\nSlug: version-{revision}\n"
        (folder / f"version-{revision}.md").write_text(header + "\n" + body, encoding="utf-8")


def time_build(count, writer, settings):
    with tempfile.TemporaryDirectory() as work:
        content_dir = Path(work) / "content"
        writer(content_dir, version_bodies(count))
        output_dir = Path(work) / "output"
        return best_of(REPEAT, lambda: build_site(output_dir, content_dir=content_dir, settings=settings))


def main():
    plugin_settings = {"POLICY_DATE": "2030-01-01", "POLICY_LOCK_FILE": None}
    # Plain pages: none of our plugins but the theme's own (hashed assets, compact HTML), which the
    # plugin's builds run too, so the ratio is the policy plugin's cost alone.
    plain_settings = {"PLUGINS": ["asset_versions", "compact_html"]}
    plain_100 = time_build(100, write_plain_pages, plain_settings)
    plugin_100 = time_build(100, write_policy_versions, plugin_settings)
    plugin_400 = time_build(400, write_policy_versions, plugin_settings)
    plain_400 = time_build(400, write_plain_pages, plain_settings)
    rows = [
        ["100 versions, plain pages (no plugin)", f"{plain_100:.2f}", ""],
        [
            "100 versions, policy plugin",
            f"{plugin_100:.2f}",
            f"{plugin_100 / plain_100:.2f} x plain (<= 1.5)",
        ],
        ["400 versions, plain pages (no plugin)", f"{plain_400:.2f}", f"{plain_400 / plain_100:.2f} x 100"],
        ["400 versions, policy plugin", f"{plugin_400:.2f}", f"{plugin_400 / plugin_100:.2f} x 100 (<= 4.5)"],
    ]
    print_table(f"Policy build, whole Pelican run, best of {REPEAT}", ["build", "seconds", "ratio"], rows)
    return [
        Figure(
            "policy build, 100 versions (plugin vs plain pages)",
            f"{plugin_100:.2f} s",
            f"{plain_100:.2f} s",
            f"{plugin_100 / plain_100:.2f}",
            "<= 1.5",
            met(plugin_100 / plain_100 <= 1.5),
        ),
        Figure(
            "policy build, 400 versions (vs 100)",
            f"{plugin_400:.2f} s",
            f"{plugin_100:.2f} s",
            f"{plugin_400 / plugin_100:.2f}",
            "<= 4.5",
            met(plugin_400 / plugin_100 <= 4.5),
        ),
    ]


if __name__ == "__main__":
    main()

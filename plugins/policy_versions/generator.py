"""The Pelican generator that reads `content/<POLICIES_PATH>/<name>/<effective>.<ext>` and writes
each policy's current page, version pages, change pages, history, Atom feed and JSON manifest."""

import datetime
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from feedgenerator import Atom1Feed
from lxml import html as lxml_html
from pelican.generators import Generator

from . import lock
from .changes import ChangesWrong, check, compare
from .versions import Policy, PolicyError, version_from_file

DEFAULTS = {
    "POLICIES_PATH": "policies",
    "POLICY_DATE": None,
    "POLICY_DRAFTS": False,
    "POLICY_LOCK": True,
    "POLICY_LOCK_FILE": None,
}


def long_date(day):
    """25 May 2018."""
    return f"{day.day} {day:%B %Y}"


def build_date(configured, timezone):
    """The day the site is built for: POLICY_DATE if set, else today in the site's time zone."""
    if configured:
        try:
            return datetime.date.fromisoformat(str(configured))
        except ValueError:
            raise PolicyError("POLICY_DATE", f"'{configured}' is not a date in the form YYYY-MM-DD") from None
    return datetime.datetime.now(ZoneInfo(timezone or "UTC")).date()


def plain_text(value):
    """Pelican renders `Summary` as HTML; feeds, manifests and tables want its text."""
    value = str(value or "").strip()
    return lxml_html.fromstring(value).text_content().strip() if value else ""


class PolicyGenerator(Generator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = {key: self.settings.get(key, default) for key, default in DEFAULTS.items()}
        self.day = None
        self.env.filters["long_date"] = long_date
        self.policies = []
        self.changes = {}

    def generate_context(self):
        root = Path(self.path) / self.options["POLICIES_PATH"]
        try:
            self.day = build_date(self.options["POLICY_DATE"], self.settings.get("TIMEZONE"))
            if root.is_dir():
                for folder in sorted(path for path in root.iterdir() if path.is_dir()):
                    self.policies.append(self.read_policy(folder))
            if self.options["POLICY_LOCK"]:
                self.check_lock(root)
            self.changes = {
                version.changes_url: self.changes_of(version)
                for policy in self.policies
                for version in policy.versions
                if version.previous is not None
            }
        except PolicyError as error:
            # One plain line an editor can act on, not a wrapped traceback.
            sys.stderr.write(f"Policy error: {error}\n")
            raise SystemExit(1) from None
        self.context["policies"] = self.policies
        self.context["policy_date"] = self.day

    def read_policy(self, folder):
        versions = []
        for source in sorted(folder.iterdir()):
            extension = source.suffix.lstrip(".")
            if not source.is_file() or extension not in self.readers.readers:
                continue
            body_html, metadata = self.readers.readers[extension].read(str(source))
            metadata = {**metadata, "summary": plain_text(metadata.get("summary"))}
            versions.append(version_from_file(folder.name, self.display_path(source), metadata, body_html))
        if not self.options["POLICY_DRAFTS"]:
            versions = [version for version in versions if not version.is_draft]
        for version in versions:
            if version.is_draft and version.effective < self.day:
                sys.stderr.write(
                    f"Policy warning: {version.source_path}: a draft dated before {self.day} can never be "
                    f"published (make lock refuses back-dating): give it a day from {self.day} on, in its "
                    "file name and its Effective line\n"
                )
        if not versions:
            raise PolicyError(self.display_path(folder), "holds no published policy version")
        return Policy(folder.name, versions)

    def check_lock(self, root):
        """Every published version is in the lock, and a version in force is exactly what was locked."""
        lock_file = Path(self.options["POLICY_LOCK_FILE"] or root / lock.LOCK_NAME)
        locked = lock.read(lock_file)
        lock_path = self.display_path(lock_file)
        found = [
            line for policy in self.policies for line in lock.problems(policy, locked, self.day, lock_path)
        ]
        if found:
            sys.stderr.write("".join(f"Policy error: {line}\n" for line in found[1:]))
            path, _, reason = found[0].partition(": ")
            raise PolicyError(path, reason)

    def changes_of(self, version):
        """The changes page's content for a version, checked: without its removed words it must be the
        version's text, block by block, and without its added words the previous version's."""
        changes = compare(version.previous.html, version.html)
        try:
            check(version.previous.html, version.html, changes.html)
        except ChangesWrong as wrong:
            raise PolicyError(
                self.display_path(version.source_path),
                f"its changes page would not show exactly what changed: {wrong}",
            ) from None
        return changes

    def display_path(self, path):
        """The path as an editor knows it: relative to the project when inside it."""
        path = Path(path).resolve()
        return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path

    def generate_output(self, writer):
        for policy in self.policies:
            self.write_policy(writer, policy)

    def write_policy(self, writer, policy):
        current = policy.current_on(self.day)
        common = {"policy": policy, "current": current, "today": self.day}
        version_template = self.get_template("policy_version")
        writer.write_file(
            f"{policy.name}/index.html",
            version_template,
            self.context,
            version=current,
            state=current.state_on(self.day),
            canonical=policy.url,
            upcoming=policy.upcoming_on(self.day),
            **common,
        )
        for version in policy.versions:
            writer.write_file(
                version.url.strip("/") + "/index.html",
                version_template,
                self.context,
                version=version,
                state=version.state_on(self.day),
                canonical=version.url,
                upcoming=[],
                **common,
            )
            if version.previous is not None:
                writer.write_file(
                    version.changes_url.strip("/") + "/index.html",
                    self.get_template("policy_changes"),
                    self.context,
                    version=version,
                    state=version.state_on(self.day),
                    changes=self.changes[version.changes_url],
                    canonical=version.changes_url,
                    **common,
                )
        writer.write_file(
            f"{policy.name}/versions/index.html",
            self.get_template("policy_versions"),
            self.context,
            canonical=f"/{policy.name}/versions/",
            **common,
        )
        self.write_feed(policy)
        self.write_manifest(policy)

    def absolute(self, url):
        return (self.settings.get("SITEURL") or "") + url

    def write_feed(self, policy):
        published = policy.published()
        title = policy.versions[-1].title
        feed = Atom1Feed(
            title=f"{title}: versions",
            link=self.absolute(policy.url),
            feed_url=self.absolute(f"/{policy.name}/feed.xml"),
            description=f"Every published version of the {title}",
            language=self.settings.get("DEFAULT_LANG", "en"),
            feed_guid=self.absolute(f"/{policy.name}/feed.xml"),
        )
        for version in reversed(published):
            takes_effect = f"Takes effect on {long_date(version.effective)}."
            feed.add_item(
                title=f"{version.title}: version of {long_date(version.effective)}",
                link=self.absolute(version.url),
                unique_id=self.absolute(version.url),
                description=" ".join(filter(None, [takes_effect, version.summary])),
                pubdate=datetime.datetime.combine(version.effective, datetime.time(), ZoneInfo("UTC")),
            )
        path = Path(self.output_path) / policy.name / "feed.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            feed.write(handle, "utf-8")

    def write_manifest(self, policy):
        manifest = {
            "policy": policy.name,
            "versions": [
                {
                    "id": version.id,
                    "effective": version.id,
                    "status": version.status,
                    "title": version.title,
                    "summary": version.summary,
                    "url": self.absolute(version.url),
                    "source": version.source_path.as_posix(),
                    "sha256": version.sha256,
                }
                for version in policy.versions
            ],
        }
        path = Path(self.output_path) / policy.name / "versions.json"
        path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

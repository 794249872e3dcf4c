"""Policy versions and their rules: which text applies on a day, what comes next. No Pelican import."""

import datetime
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("published", "draft")


class PolicyError(Exception):
    """A policy file's metadata is wrong; the message is `<path>: <one-line reason>`."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class PolicyVersion:
    """One version of one policy, identified by the date it takes effect."""

    policy: str
    effective: datetime.date
    title: str
    summary: str
    status: str
    source_path: Path
    sha256: str
    html: str
    # Filled by Policy: neighbours in effective order, and the day the next version takes over.
    previous: "PolicyVersion | None" = field(default=None, repr=False)
    next: "PolicyVersion | None" = field(default=None, repr=False)

    @property
    def id(self):
        return self.effective.isoformat()

    @property
    def url(self):
        return f"/{self.policy}/versions/{self.id}/"

    @property
    def changes_url(self):
        """Where the changes from the previous version are shown; None for the first version."""
        return f"/{self.policy}/changes/{self.id}/" if self.previous is not None else None

    @property
    def until(self):
        """The last day this version applies, or None while no later version exists."""
        if self.next is None:
            return None
        return self.next.effective - datetime.timedelta(days=1)

    @functools.cached_property
    def sectioned(self):
        """The text with an id on every section heading, and the list of sections (for the contents)."""
        from .sections import with_section_ids

        return with_section_ids(self.html)

    @property
    def is_draft(self):
        return self.status == "draft"

    def state_on(self, day):
        """The state on `day`: upcoming, current or superseded."""
        if self.effective > day:
            return "upcoming"
        if self.next is not None and self.next.effective <= day:
            return "superseded"
        return "current"


def _name_and_date_disagree(source_path, effective_text):
    """What to do when a file's name is not its Effective date: point at the Effective line when the name
    is a date, and never suggest a file name another version already has."""
    taken = (source_path.parent / f"{effective_text}{source_path.suffix}").exists()
    try:
        named = datetime.date.fromisoformat(source_path.stem)
    except ValueError:
        named = None
    if named is not None:
        hint = f"if it takes effect on {named:%-d %B %Y}, change its line to 'Effective: {source_path.stem}'"
        if not taken:
            hint += f"; if on {effective_text}, rename the file {effective_text}{source_path.suffix}"
        return f"its 'Effective: {effective_text}' line is not the date in its file name: {hint}"
    if taken:
        return (
            f"the file name must be its Effective date, and {effective_text}{source_path.suffix} is another "
            "version: name this file after the day it takes effect (YYYY-MM-DD.md) and write that day on its "
            "'Effective' line"
        )
    return f"the file name must be its Effective date: rename it {effective_text}{source_path.suffix}"


def version_from_file(policy, source_path, metadata, html):
    """Build a version from a file's metadata (lower-cased keys, string values) or raise PolicyError."""
    source_path = Path(source_path)
    effective_text = str(metadata.get("effective", "")).strip()
    if not effective_text:
        raise PolicyError(source_path, "missing 'Effective' date (YYYY-MM-DD)")
    try:
        effective = datetime.date.fromisoformat(effective_text)
    except ValueError:
        raise PolicyError(
            source_path, f"'Effective: {effective_text}' is not a real date in the form YYYY-MM-DD"
        ) from None
    if len(effective_text) != 10:
        raise PolicyError(source_path, f"'Effective: {effective_text}' must be written as YYYY-MM-DD")
    if source_path.stem != effective_text:
        raise PolicyError(source_path, _name_and_date_disagree(source_path, effective_text))
    status = str(metadata.get("status", "published")).strip().lower()
    if status not in STATUSES:
        raise PolicyError(source_path, f"unknown 'Status: {status}' (use published or draft)")
    title = str(metadata.get("title", "")).strip()
    if not title:
        raise PolicyError(source_path, "missing 'Title'")
    return PolicyVersion(
        policy=policy,
        effective=effective,
        title=title,
        summary=str(metadata.get("summary", "")).strip(),
        status=status,
        source_path=source_path,
        sha256=hashlib.sha256(source_path.read_bytes()).hexdigest(),
        html=html,
    )


class Policy:
    """All versions of one policy in effective order, after checking the rules between them."""

    def __init__(self, name, versions):
        self.name = name
        self.versions = sorted(versions, key=lambda version: version.effective)
        seen = {}
        for version in self.versions:
            if version.effective in seen:
                raise PolicyError(
                    version.source_path,
                    f"two versions take effect on {version.id} (the other is {seen[version.effective]})",
                )
            seen[version.effective] = version.source_path
        for earlier, later in zip(self.versions, self.versions[1:], strict=False):
            earlier.next, later.previous = later, earlier
        for version in self.versions[1:]:
            if not version.summary:
                raise PolicyError(
                    version.source_path, "missing 'Summary' (say what changed from the previous version)"
                )

    def current_on(self, day):
        """The version in force on `day`; before the first version takes effect, the first one."""
        in_force = [version for version in self.versions if version.effective <= day]
        return in_force[-1] if in_force else self.versions[0]

    @property
    def url(self):
        return f"/{self.name}/"

    def upcoming_on(self, day):
        return [version for version in self.versions if version.effective > day]

    def published(self):
        return [version for version in self.versions if not version.is_draft]

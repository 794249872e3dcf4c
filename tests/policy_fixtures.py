"""Fixture policies for the versioning tests: three published versions, one upcoming, one draft."""

from pathlib import Path

from plugins.policy_versions import lock
from project.site import build_site

FILLER = "\n\n".join(f"Unchanged paragraph number {n} about how we look after data." for n in range(1, 7))

PRIVACY_VERSIONS = {
    "2020-01-01": """Title: Privacy notice
Effective: 2020-01-01

## Enquiries

We keep enquiries for 12 months. We use cookies to count visitors.

{filler}

## Contact

Write to us at our office.
""",
    "2021-06-01": """Title: Privacy notice
Effective: 2021-06-01
Summary: Enquiries are kept for six months; analytics cookies named.

## Enquiries

We keep enquiries for six months. We use analytics cookies to count visitors.

{filler}

## Contact

Write to us at our office.
""",
    "2022-03-15": """Title: Privacy notice
Effective: 2022-03-15
Summary: Adds a telephone number.

## Enquiries

We keep enquiries for six months. We use analytics cookies to count visitors.

{filler}

## Contact

Write to us at our office or telephone us.
""",
    "2030-01-01": """Title: Privacy notice
Effective: 2030-01-01
Summary: Removes the analytics cookies.

## Enquiries

We keep enquiries for six months. We use no cookies.

{filler}

## Contact

Write to us at our office or telephone us.
""",
    "2031-01-01": """Title: Privacy notice
Effective: 2031-01-01
Status: draft
Summary: A draft that is still being written.

## Enquiries

Draft wording under review.
""",
}

COOKIE_VERSIONS = {
    "2019-03-01": """Title: Cookie notice
Effective: 2019-03-01

We use one cookie.
""",
}

PUBLISHED_PRIVACY_IDS = ["2020-01-01", "2021-06-01", "2022-03-15", "2030-01-01"]
DRAFT_PRIVACY_ID = "2031-01-01"


def write_policy(content_dir, name, versions):
    """Write the versions and record the published ones in the lock beside them (the build's default for a
    site that names no lock file), as history that has happened."""
    root = Path(content_dir) / "policies"
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    locked = lock.read(root / lock.LOCK_NAME)
    for version_id, text in versions.items():
        source = folder / f"{version_id}.md"
        source.write_text(text.format(filler=FILLER), encoding="utf-8")
        if lock.header(source).get("status", "published") != "draft":
            locked.setdefault(name, {})[version_id] = lock.sha256(source)
    lock.write(root / lock.LOCK_NAME, locked)
    return folder


def write_fixture_policies(content_dir):
    write_policy(content_dir, "privacy", PRIVACY_VERSIONS)
    write_policy(content_dir, "cookies", COOKIE_VERSIONS)


BUILD_DAY = "2024-05-01"


def build(content_dir, output_dir, policy_date=BUILD_DAY, drafts=True):
    build_site(
        output_dir,
        content_dir=content_dir,
        # The fixture policies are about versions, not JTec's promises: no fact checks.
        settings={
            "POLICY_DATE": policy_date,
            "POLICY_DRAFTS": drafts,
            "POLICY_FACT_CHECKS": False,
            "POLICY_LOCK_FILE": None,  # the fixtures' own lock, beside them
        },
    )
    return Path(output_dir)

"""The lock of published policy versions: a JSON file (`functions/jtec_forms/policy_lock.json` for the
site, shipped with the functions, which read from it which version is in force) records the sha256 of
every published version (in force or upcoming), so a version in force can never be edited, removed or
back-dated without the build failing. No Pelican import.

`make lock` (this module as a script) adds or updates the entries of upcoming versions, and refuses a
version dated before today: a correction is a new version, never a rewrite of history. Before it writes,
it says how much each version changes against the one before it (lock_review.py), builds the site with
the lock as it would be, refuses what that build refuses, and asks (`--yes` for scripts)."""

import datetime
import hashlib
import json
import sys
from pathlib import Path

LOCK_NAME = "lock.json"  # beside the policies, when no lock file is named (test and bench sites)


class LockRefused(Exception):
    """`make lock` will not record this version; the message says why and what to do."""


def read(path):
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write(path, lock):
    text = json.dumps(
        {name: dict(sorted(entries.items())) for name, entries in sorted(lock.items())}, indent=2
    )
    Path(path).write_text(text + "\n", encoding="utf-8")


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def header(path):
    """A policy file's `Key: value` header (lower-cased keys), as Pelican's Markdown reader reads it."""
    fields = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields[key.strip().lower()] = value.strip()
    return fields


def problems(policy, lock, day, lock_path):
    """Why the published versions of `policy` disagree with the lock on `day`, one line each."""
    locked = dict(lock.get(policy.name, {}))
    found = []
    for version in policy.published():
        entry = locked.pop(version.id, None)
        in_force = version.effective <= day
        if entry is None:
            found.append(f"{version.source_path}: published but not in {lock_path}: run `make lock`")
        elif entry != version.sha256 and in_force:
            found.append(
                f"{version.source_path}: differs from its entry in {lock_path}; a version in force is never "
                "edited: publish the correction as a new version"
            )
        elif entry != version.sha256:
            found.append(f"{version.source_path}: changed since it was locked: run `make lock`")
    for version_id in sorted(locked):
        if datetime.date.fromisoformat(version_id) <= day:
            found.append(f"{lock_path}: {policy.name} version {version_id} is locked but its file is gone")
    return found


def update(root, lock_path, today, dry_run=False):
    """Lock every published upcoming version under `root` (adding or updating) in `lock_path`; refuse
    what would rewrite history. Returns lines saying what was done (or, with `dry_run`, what would be)."""
    root = Path(root)
    lock = read(lock_path)
    done = []
    for source in sorted(root.glob("*/*.md")):
        fields = header(source)
        if fields.get("status", "published").lower() == "draft":
            continue
        policy, version_id, digest = source.parent.name, source.stem, sha256(source)
        if fields.get("effective") != version_id:
            raise LockRefused(
                f"{source}: the file name must be its Effective date ({fields.get('effective')})"
            )
        entries = lock.setdefault(policy, {})
        if entries.get(version_id) == digest:
            continue
        if datetime.date.fromisoformat(version_id) < today:
            what = "was changed" if version_id in entries else "is dated before today"
            raise LockRefused(
                f"{source} {what}: a published version that has taken effect cannot be rewritten or "
                "back-dated. Copy the latest version to a new file dated today or later."
            )
        done.append(f"{'updated' if version_id in entries else 'locked'} {policy} {version_id}")
        entries[version_id] = digest
    if not dry_run:
        write(lock_path, lock)
    return done


def _build_refusal(root, lock_path, today):
    """What the site build says of the policies with the lock as it would be written, or None when it
    builds: `make lock` refuses what the build would refuse, before it writes anything."""
    import shutil
    import tempfile

    from project.site import BuildFailed, build_site

    with tempfile.TemporaryDirectory(prefix="make-lock-") as folder:
        trial = Path(folder, "lock.json")
        if Path(lock_path).exists():
            shutil.copy(lock_path, trial)
        update(root, trial, today)
        try:
            build_site(
                Path(folder, "output"),
                content_dir=Path(root).parent,
                settings={"POLICY_LOCK_FILE": str(trial)},
            )
        except BuildFailed as failure:
            return str(failure)
    return None


def _confirmed(question):
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:  # nobody to answer (a script): only --yes locks
        return False


def main(argv=None, today=None):
    """`python -m plugins.policy_versions.lock POLICIES_DIR [LOCK_FILE] [--yes]`: say what each new or
    changed version changes, check that the site builds with it, ask, then write the lock."""
    from plugins.policy_versions.lock_review import review

    argv = list(sys.argv[1:] if argv is None else argv)
    yes = "--yes" in argv
    argv = [argument for argument in argv if argument != "--yes"]
    root = Path(argv[0] if argv else "content/policies")
    lock_path = Path(argv[1]) if len(argv) > 1 else root / LOCK_NAME
    today = today or datetime.date.today()
    try:
        planned = update(root, lock_path, today, dry_run=True)
    except LockRefused as refused:
        print(f"make lock: {refused}", file=sys.stderr)
        return 2
    if not planned:
        print(f"{lock_path} is up to date")
        return 0
    for line in planned:
        action, policy, version_id = line.split()
        print(f"To be {action}: {policy} {version_id}")
        for said in review(root / policy / f"{version_id}.md", today):
            print(f"  {said}")
    refusal = _build_refusal(root, lock_path, today)
    if refusal:
        print(f"make lock: the site build refuses it, so nothing is locked:\n{refusal}", file=sys.stderr)
        return 2
    if not yes and not _confirmed("Lock it? [y/N] "):
        print("make lock: nothing locked", file=sys.stderr)
        return 2
    print("\n".join(update(root, lock_path, today)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

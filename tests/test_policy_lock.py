"""Published policy versions cannot be rewritten: the lock, `make lock`, and the build's checks."""

import datetime
import subprocess
import sys

import pytest

from plugins.policy_versions import lock
from project import PROJECT_DIR
from project.site import BuildFailed, build_site
from tests.policy_fixtures import PRIVACY_VERSIONS, write_policy

pytestmark = pytest.mark.build

TODAY = datetime.date(2026, 11, 29)
UPCOMING = """Title: Privacy
Effective: 2027-03-01
Summary: Explains the new things.

The upcoming text.
"""


@pytest.fixture
def content(tmp_path):
    write_policy(
        tmp_path / "content", "privacy", {day: PRIVACY_VERSIONS[day] for day in ("2020-01-01", "2021-06-01")}
    )
    return tmp_path / "content"


def build(content, tmp_path, day=TODAY):
    settings = {"POLICY_DATE": day.isoformat(), "POLICY_FACT_CHECKS": False, "POLICY_LOCK_FILE": None}
    return build_site(tmp_path / "output", content_dir=content, settings=settings)


def build_error(content, tmp_path, day=TODAY):
    with pytest.raises(BuildFailed) as failure:
        build(content, tmp_path, day)
    return str(failure.value)


def test_the_locked_site_builds(content, tmp_path):
    build(content, tmp_path)


def test_editing_a_version_in_force_fails_the_build_naming_the_file(content, tmp_path):
    source = content / "policies" / "privacy" / "2020-01-01.md"
    source.write_text(source.read_text() + "\nA quiet change.\n")
    error = build_error(content, tmp_path)
    assert "privacy/2020-01-01.md: differs from its entry in" in error
    assert "publish the correction as a new version" in error


def test_a_version_in_force_that_disappeared_fails_the_build(content, tmp_path):
    (content / "policies" / "privacy" / "2021-06-01.md").unlink()
    assert "privacy version 2021-06-01 is locked but its file is gone" in build_error(content, tmp_path)


def test_a_published_version_missing_from_the_lock_says_to_run_make_lock(content, tmp_path):
    (content / "policies" / "privacy" / "2027-03-01.md").write_text(UPCOMING)
    assert "privacy/2027-03-01.md: published but not in" in build_error(content, tmp_path)
    assert "run `make lock`" in build_error(content, tmp_path)


def test_make_lock_locks_an_upcoming_version_and_the_build_passes(content, tmp_path):
    (content / "policies" / "privacy" / "2027-03-01.md").write_text(UPCOMING)
    assert lock.update(content / "policies", content / "policies" / lock.LOCK_NAME, TODAY) == [
        "locked privacy 2027-03-01"
    ]
    build(content, tmp_path)


def test_an_upcoming_version_may_change_before_its_day_through_make_lock(content, tmp_path):
    source = content / "policies" / "privacy" / "2027-03-01.md"
    source.write_text(UPCOMING)
    lock.update(content / "policies", content / "policies" / lock.LOCK_NAME, TODAY)
    source.write_text(UPCOMING.replace("upcoming", "corrected"))
    assert "2027-03-01.md: changed since it was locked: run `make lock`" in build_error(content, tmp_path)
    assert lock.update(content / "policies", content / "policies" / lock.LOCK_NAME, TODAY) == [
        "updated privacy 2027-03-01"
    ]
    build(content, tmp_path)


def test_back_dating_a_version_is_refused(content, tmp_path):
    """Tried as an editor would: a file dated in the past would silently become the version in force."""
    (content / "policies" / "privacy" / "2025-06-01.md").write_text(
        UPCOMING.replace("2027-03-01", "2025-06-01")
    )
    assert "2025-06-01.md: published but not in" in build_error(content, tmp_path)
    with pytest.raises(lock.LockRefused, match="is dated before today"):
        lock.update(content / "policies", content / "policies" / lock.LOCK_NAME, TODAY)


def test_make_lock_refuses_to_record_an_edited_version_in_force(content):
    source = content / "policies" / "privacy" / "2021-06-01.md"
    source.write_text(source.read_text() + "\nA late addition.\n")
    with pytest.raises(lock.LockRefused, match="was changed: a published version that has taken effect"):
        lock.update(content / "policies", content / "policies" / lock.LOCK_NAME, TODAY)


def test_drafts_are_not_locked(content):
    (content / "policies" / "privacy" / "2027-03-01.md").write_text(
        UPCOMING.replace("Summary:", "Status: draft\nSummary:")
    )
    assert lock.update(content / "policies", content / "policies" / lock.LOCK_NAME, TODAY) == []
    assert "2027-03-01" not in lock.read(content / "policies" / lock.LOCK_NAME)["privacy"]


@pytest.mark.process
def test_make_lock_runs_as_a_command_and_fails_with_one_line(content):
    (content / "policies" / "privacy" / "2025-06-01.md").write_text(
        UPCOMING.replace("2027-03-01", "2025-06-01")
    )
    done = subprocess.run(
        [sys.executable, "-m", "plugins.policy_versions.lock", str(content / "policies")],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("make lock: ") and len(done.stderr.splitlines()) == 1


def test_the_real_policies_are_locked_as_published():
    root, lock_file = (
        PROJECT_DIR / "content" / "policies",
        PROJECT_DIR / "functions" / "jtec_forms" / "policy_lock.json",
    )
    assert lock.update(root, lock_file, datetime.date.today(), dry_run=True) == []


REAL_TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def real_content(tmp_path):
    """A copy of the site's content and its lock, to add versions to as an editor would."""
    import shutil

    shutil.copytree(PROJECT_DIR / "content", tmp_path / "content")
    shutil.copy(PROJECT_DIR / "functions" / "jtec_forms" / "policy_lock.json", tmp_path / "lock.json")
    return tmp_path / "content" / "policies", tmp_path / "lock.json"


def new_version(policies, copied_from, effective, summary="Says more about the newsletter."):
    source = (policies / "privacy" / f"{copied_from}.md").read_text()
    header, _, body = source.partition("\n\n")
    lines = [
        line for line in header.splitlines() if not line.startswith(("Effective:", "Status:", "Summary:"))
    ]
    lines += [f"Effective: {effective}"] + ([f"Summary: {summary}"] if summary else [])
    path = policies / "privacy" / f"{effective}.md"
    path.write_text("\n".join(lines) + "\n\n" + body.replace("We", "We at JTec", 3))
    return path


def make_lock(policies, lock_file, answer, capsys, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda question: print(question) or answer)
    status = lock.main([str(policies), str(lock_file)], today=REAL_TODAY)
    printed = capsys.readouterr()
    return status, printed.out, printed.err


def publish(policies, version):
    path = policies / "privacy" / f"{version}.md"
    path.write_text(
        "".join(line for line in path.read_text().splitlines(True) if not line.startswith("Status:"))
    )


def test_make_lock_says_how_much_a_version_changes_and_locks_only_when_agreed(
    real_content, capsys, monkeypatch
):
    policies, lock_file = real_content
    publish(policies, "2027-01-01")
    new_version(policies, "2027-01-01", "2027-03-01")
    before = lock_file.read_text()
    status, out, err = make_lock(policies, lock_file, "n", capsys, monkeypatch)
    assert status == 2 and err.strip() == "make lock: nothing locked"
    assert "2027-03-01: 2 paragraphs changed against 2027-01-01 (1 section changed)" in out
    assert "Lock it? [y/N]" in out and "Warning" not in out
    assert lock_file.read_text() == before
    status, out, _ = make_lock(policies, lock_file, "y", capsys, monkeypatch)
    assert status == 0 and "locked privacy 2027-03-01" in out
    assert {"2027-01-01", "2027-03-01"} <= set(lock.read(lock_file)["privacy"])


def test_make_lock_warns_when_the_version_before_is_a_draft_never_published(
    real_content, capsys, monkeypatch
):
    policies, lock_file = real_content
    new_version(policies, "2027-01-01", "2027-03-01")
    status, out, _ = make_lock(policies, lock_file, "n", capsys, monkeypatch)
    assert "Warning: the version before it in line, 2027-01-01.md, is a draft that was never published" in out


def test_make_lock_warns_of_a_version_dated_more_than_a_year_ahead(real_content, capsys, monkeypatch):
    policies, lock_file = real_content
    new_version(policies, "2018-05-25", "2028-01-01")
    status, out, _ = make_lock(policies, lock_file, "n", capsys, monkeypatch)
    assert (
        "Warning: 2028-01-01 takes effect more than a year from today: check the year in its Effective line"
        in out
    )


def test_make_lock_refuses_what_the_build_refuses_before_writing_anything(real_content, capsys, monkeypatch):
    policies, lock_file = real_content
    publish(policies, "2027-01-01")
    new_version(policies, "2027-01-01", "2027-03-01", summary=None)
    before = lock_file.read_text()
    status, _, err = make_lock(policies, lock_file, "y", capsys, monkeypatch)
    assert status == 2 and err.startswith("make lock: the site build refuses it, so nothing is locked")
    assert "Summary" in err
    assert lock_file.read_text() == before

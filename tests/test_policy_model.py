"""The policy rules as plain Python: which version applies on a day, and how changes are marked."""

import datetime
from pathlib import Path

import pytest

from plugins.policy_versions.changes import compare
from plugins.policy_versions.versions import Policy, PolicyError, PolicyVersion

day = datetime.date.fromisoformat


def version(effective, summary="Changed.", status="published"):
    return PolicyVersion(
        policy="privacy",
        effective=day(effective),
        title="Privacy",
        summary=summary,
        status=status,
        source_path=Path(f"{effective}.md"),
        sha256="0" * 64,
        html="<p>Text.</p>",
    )


@pytest.fixture
def policy():
    return Policy(
        "privacy", [version("2022-01-01"), version("2020-01-01", summary=""), version("2030-01-01")]
    )


def test_versions_are_ordered_by_effective_date(policy):
    assert [v.id for v in policy.versions] == ["2020-01-01", "2022-01-01", "2030-01-01"]


def test_a_version_applies_until_the_day_before_the_next(policy):
    assert policy.versions[0].until == day("2021-12-31")
    assert policy.versions[-1].until is None


def test_the_version_in_force_changes_on_its_effective_day(policy):
    assert policy.current_on(day("2021-12-31")).id == "2020-01-01"
    assert policy.current_on(day("2022-01-01")).id == "2022-01-01"


def test_states_on_a_day(policy):
    today = day("2024-06-01")
    assert [v.state_on(today) for v in policy.versions] == ["superseded", "current", "upcoming"]


def test_before_any_version_takes_effect_the_first_is_shown(policy):
    assert policy.current_on(day("2019-01-01")).id == "2020-01-01"


def test_a_later_version_without_summary_is_refused():
    with pytest.raises(PolicyError, match="2022-01-01.md: missing 'Summary'"):
        Policy("privacy", [version("2020-01-01", summary=""), version("2022-01-01", summary="")])


def test_changes_mark_removed_words_then_the_words_that_replace_them():
    changes = compare(
        "<p>We keep the details of your enquiry for 12 months in the UK, and then delete them.</p>",
        "<p>We keep the details of your enquiry for six months in the UK, and then delete them.</p>",
    )
    assert changes.changed_blocks == 1
    assert changes.html == (
        '<p id="change-1">We keep the details of your enquiry for '
        '<del><span class="visually-hidden">removed: </span>12</del>'
        '<ins><span class="visually-hidden">added: </span>six</ins>'
        " months in the UK, and then delete them.</p>"
    )


def test_unchanged_blocks_are_copied_without_marks():
    old = "<h2>A</h2><p>Same.</p><p>Old words.</p>"
    new = "<h2>A</h2><p>Same.</p><p>New words.</p>"
    changes = compare(old, new)
    assert changes.html.startswith("<h2>A</h2>\n<p>Same.</p>")
    assert changes.changed_blocks == 1


def test_a_removed_paragraph_counts_as_changed():
    changes = compare("<p>One.</p><p>Two.</p>", "<p>One.</p>")
    assert changes.changed_blocks == 1
    assert "removed: </span>Two.</del>" in changes.html

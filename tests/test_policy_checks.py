"""The checks that tie the policy's text to the code, and policy metadata errors, in process."""

import datetime

import pytest

from jtec_forms import retention
from jtec_forms.validation import schema
from plugins.policy_versions.versions import PolicyError, version_from_file
from plugins.site_data.checks import enquiry_period_problem
from project import PROJECT_DIR, policy_facts, wordings

PROMISE = "<p>We have built in an automatic deletion system that will automatically delete your personal details after {} months.</p>"


def test_a_policy_stating_the_schedules_period_passes():
    assert enquiry_period_problem(PROMISE.format(12), 12) is None


def test_a_policy_stating_another_period_fails_naming_both():
    problem = enquiry_period_problem(PROMISE.format(24), 12)
    assert problem.startswith("states 24 months for deleting enquiries")
    assert "(functions/jtec_forms/retention.py) says 12 months" in problem


@pytest.mark.parametrize(
    "text",
    [
        "<p>We keep your details as long as we need them.</p>",
        "<p>Your details are removed a year after you send them.</p>",
    ],
    ids=["missing", "reworded"],
)
def test_a_policy_that_no_longer_states_the_period_fails(text):
    problem = enquiry_period_problem(text, 12)
    assert problem.startswith("does not state that enquiries are deleted automatically after 12 months")


BAD_METADATA = {
    "missing effective": ({"title": "P"}, "missing 'Effective' date (YYYY-MM-DD)"),
    "impossible date": (
        {"title": "P", "effective": "2023-02-29"},
        "'Effective: 2023-02-29' is not a real date in the form YYYY-MM-DD",
    ),
    "not a date": (
        {"title": "P", "effective": "1st May 2023"},
        "'Effective: 1st May 2023' is not a real date in the form YYYY-MM-DD",
    ),
    "short date": ({"title": "P", "effective": "2023-5-1"}, "is not a real date"),
    "unknown status": (
        {"title": "P", "effective": "2023-05-01", "status": "publshed"},
        "unknown 'Status: publshed' (use published or draft)",
    ),
    "missing title": ({"effective": "2023-05-01"}, "missing 'Title'"),
}


@pytest.mark.parametrize("case", BAD_METADATA)
def test_bad_metadata_is_refused_with_path_and_reason(tmp_path, case):
    metadata, reason = BAD_METADATA[case]
    source = tmp_path / "2023-05-01.md"
    source.write_text("Text.\n")
    with pytest.raises(PolicyError) as refused:
        version_from_file("privacy", source, metadata, "<p>Text.</p>")
    assert str(refused.value).startswith(f"{source}: ")
    assert reason in refused.value.reason


# Consent wordings: one id, one text, for ever.

WORDINGS_IN_USE = {"news-1": {"text": "Send me news", "forms": ["subscribe"]}}


def test_the_wordings_in_use_are_all_locked_with_their_words():
    assert wordings.problems(wordings.read(), wordings.in_use()) == []


def test_a_wording_whose_words_changed_under_the_same_id_is_a_problem():
    locked = {"news-1": {"text": "Send me the news", "forms": ["subscribe"], "first_used": "2026-11-26"}}
    [problem] = wordings.problems(locked, WORDINGS_IN_USE)
    assert problem.startswith("consent wording 'news-1' changed its text without a new id")


def test_a_wording_whose_button_changed_under_the_same_id_is_a_problem():
    used = {
        "news-2": {
            "text": "By pressing Subscribe you ask for news",
            "button": "Sign up",
            "forms": ["subscribe"],
        }
    }
    locked = {"news-2": {**used["news-2"], "button": "Subscribe", "first_used": "2026-12-01"}}
    [problem] = wordings.problems(locked, used)
    assert problem.startswith("consent wording 'news-2' changed its text without a new id")


def test_the_newsletter_consent_is_locked_with_the_words_and_the_button_it_is_given_by():
    locked = wordings.read()[schema("subscribe")["x-consent"]["wording-id"]]
    assert (locked["text"], locked["button"]) == (schema("subscribe")["x-consent"]["text"], "Subscribe")
    assert "“Subscribe”" in locked["text"]


def test_an_unlocked_wording_is_a_problem_that_says_to_run_make_lock():
    assert wordings.problems({}, WORDINGS_IN_USE) == [
        "consent wording 'news-1' is not in the wording lock: run `make lock`"
    ]


def test_make_lock_refuses_new_words_under_an_old_id():
    locked = {"news-1": {"text": "Send me the news", "forms": ["subscribe"], "first_used": "2026-11-26"}}
    with pytest.raises(wordings.WordingChanged):
        wordings.update(locked, WORDINGS_IN_USE, datetime.date(2027, 1, 1))


def test_make_lock_adds_a_new_wording_and_dates_the_end_of_an_old_one():
    locked = {"news-0": {"text": "Old words", "forms": ["subscribe"], "first_used": "2026-01-01"}}
    updated = wordings.update(locked, WORDINGS_IN_USE, datetime.date(2027, 1, 1))
    assert updated["news-1"] == {"text": "Send me news", "forms": ["subscribe"], "first_used": "2027-01-01"}
    assert updated["news-0"]["last_used"] == "2026-12-31"


# The policy's text against the code: retention table, processors, rights, region.

DRAFT = PROJECT_DIR / "content" / "policies" / "privacy" / "2027-01-01.md"


def draft_html():
    import markdown

    body = DRAFT.read_text(encoding="utf-8").split("\n\n", 1)[1]
    return markdown.markdown(body, extensions=["markdown.extensions.extra"])


def test_the_draft_states_every_fact_the_code_knows():
    assert policy_facts.problems(draft_html()) == []


def test_a_retention_period_that_differs_names_the_kind_and_both_values():
    changed = draft_html().replace("<td>12 months</td>", "<td>24 months</td>", 1)
    assert policy_facts.problems(changed) == [
        "retention table: kind 'enquiry', how long: the policy says '24 months', the schedule "
        "(functions/jtec_forms/retention.py) says '12 months'"
    ]


def test_a_kind_missing_from_the_table_is_named():
    what = retention.SUBMISSION.what
    html_text = draft_html()
    start = html_text.index(f"<td>{what}</td>")
    row_start, row_end = html_text.rindex("<tr>", 0, start), html_text.index("</tr>", start) + len("</tr>")
    assert policy_facts.problems(html_text[:row_start] + html_text[row_end:]) == [
        f"retention table: kind 'submission' is missing (a row for {what!r})"
    ]


def test_a_policy_without_the_table_processors_rights_or_region_fails_on_each():
    found = policy_facts.problems("<p>We care about your privacy.</p>")
    assert found[0].startswith("has no retention table")
    assert any("'Amazon Web Services'" in line for line in found)
    assert any("'Google Analytics'" in line for line in found)
    assert sum(line.startswith("has no heading") for line in found) == len(policy_facts.RIGHTS)
    assert found[-1] == "does not state the region the data is stored in (London, eu-west-2)"

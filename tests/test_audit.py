"""`jtec audit`: the auditor's report, from the live table (the local stack), the code's registries and the
template; each section held to its source, and no personal data in either format."""

import json
import time
import uuid
from pathlib import Path

import yaml

from jtec_forms import config, privacy_facts, retention, store
from jtec_staff import audit_measures, evidence
from project import PROJECT_DIR
from tests.forms_support import invoke, person
from tests.test_forms_your_data import ask_to_erase, someone_with_everything, token_from
from tests.test_staff_cli import jtec


def report(tmp_path, *arguments, suffix="json"):
    out = tmp_path / f"audit.{suffix}"
    status, printed, errors = jtec("audit", "--out", str(out), *arguments)
    assert status == 0, errors
    text = out.read_text(encoding="utf-8")
    return (json.loads(text) if suffix == "json" else text), printed


def a_busy_month(forms):
    """People who used every form: two with everything, one erased, one data request, one resolved enquiry."""
    first = someone_with_everything(forms)
    second = someone_with_everything(forms)
    token = ask_to_erase(forms, first["email"])
    assert invoke("/your-data/delete/receipt", {"token": token})[0] == 200
    # A name in Greek at a German international domain, as typed.
    mailbox = f"zoe.{uuid.uuid4().hex[:8]}@müller-straße.de"
    request = person(topic="personal-data", right="correction", name="Ζωή Μüller", email=mailbox)
    assert invoke("/api/enquiry", request)[0] == 201
    plain = person()
    reference = invoke("/api/enquiry", plain)[2]["reference"]
    assert jtec("enquiries", "resolve", reference, "--yes")[0] == 0
    return [first, second, request, plain]


def test_the_report_holds_no_personal_data_in_either_format(forms, tmp_path):
    people = a_busy_month(forms)
    data, _ = report(tmp_path)
    page, _ = report(tmp_path, suffix="html")
    for details in people:
        for field in ("name", "email", "phone", "message"):
            value = details.get(field)
            if value:
                assert value not in json.dumps(data, ensure_ascii=False), field
                assert value not in page, field
                assert value.split("@")[0] not in page, field
                if field == "email":  # nor the domain in the ASCII form SES and the keys use
                    domain = value.split("@")[1].encode("idna").decode()
                    assert domain not in page and domain not in json.dumps(data), field


def test_requests_retention_and_consent_count_what_happened(forms, tmp_path):
    a_busy_month(forms)
    data, _ = report(tmp_path)
    erasures = data["requests"]["erasures"]
    assert (erasures["confirmed"], erasures["completed"], erasures["not_completed"]) == (1, 1, 0)
    assert erasures["request_to_completion"]["count"] == 1
    assert list(data["requests"]["data_requests"].values()) == [{"received": 1, "open": 1}]
    enquiries = data["requests"]["enquiries"]
    # The second person's two (open) and the resolved one; the erased person's are gone; the data request
    # is counted with the data requests.
    assert (enquiries["received"], enquiries["resolved"], enquiries["open_now"]) == (3, 1, 2)
    assert data["consent"]["subscriptions"] == 1
    assert data["consent"]["by_wording_and_policy"][0]["subscriptions"] == 1
    live = {entry["kind"]: entry["live"] for entry in data["retention"]["kinds"]}
    assert live["erasure_receipt"] == 1 and live["subscription"] == 1
    assert data["retention"]["expired_not_deleted"] == 0
    assert data["requests"]["access_reports"] == {"by_staff": 0, "through_the_website": 0}


def test_an_access_report_given_through_the_website_is_counted(forms, tmp_path):
    details = someone_with_everything(forms)
    assert invoke("/api/access", {"email": details["email"]})[0] == 202
    token = token_from(forms, details["email"], "/your-data/see/")
    assert invoke("/your-data/see/report", {"token": token})[0] == 200
    data, _ = report(tmp_path)
    assert data["requests"]["access_reports"] == {"by_staff": 0, "through_the_website": 1}


def test_an_item_past_its_period_and_not_yet_deleted_is_in_the_summary(forms, tmp_path):
    # Past its period, and DynamoDB (here the local stack's sweeper) has not deleted it yet.
    store.put(
        {
            "pk": "SUBJECT#gone",
            "sk": "USED_LINK#old",
            "kind": "used_link",
            "expires_at": int(time.time()) - 60,
        }
    )
    data, printed = report(tmp_path)
    assert data["retention"]["expired_not_deleted"] == 1
    assert "Needs attention:" in printed and "past their retention period" in printed


def test_the_record_of_processing_is_the_registries(forms, tmp_path):
    data, _ = report(tmp_path)
    record = data["record_of_processing"]
    assert [activity["purpose"] for activity in record["activities"]] == [
        activity["purpose"] for activity in privacy_facts.ACTIVITIES
    ]
    assert [activity["lawful_basis"] for activity in record["activities"]] == [
        activity["lawful_basis"] for activity in privacy_facts.ACTIVITIES
    ]
    kept = {
        (entry["what"], entry["period"]) for activity in record["activities"] for entry in activity["kept"]
    }
    assert {(entry.what, entry.period) for entry in retention.SCHEDULE} <= kept
    analytics = next(
        activity
        for activity in record["activities"]
        if activity["recipients"][0]["name"] == "Google Analytics"
    )
    assert analytics["transfers"] == [f"Google Analytics: {privacy_facts.TRANSFERS['Google Analytics']}"]


def test_every_kind_the_schedule_keeps_belongs_to_exactly_one_activity():
    kinds = [kind for activity in privacy_facts.ACTIVITIES for kind in activity["kinds"]]
    assert sorted(kinds) == sorted(entry.kind for entry in retention.SCHEDULE)


def test_the_measures_are_read_from_the_template(tmp_path):
    template = yaml.load(
        (PROJECT_DIR / "infra" / "template.yaml").read_text(), Loader=audit_measures._CloudFormationLoader
    )
    table = template["Resources"]["DataTable"]["Properties"]
    said = " ".join(audit_measures.measures(template))
    assert (
        "encrypted at rest" in said and "keeps 35 days of backups" in said and "Logs are kept 90 days" in said
    )
    table["PointInTimeRecoverySpecification"]["RecoveryPeriodInDays"] = 14
    del table["SSESpecification"]
    said = " ".join(audit_measures.measures(template))
    assert "keeps 14 days of backups" in said and "encrypted at rest" not in said


def test_the_policy_history_is_the_lock_with_each_file_checked(forms, tmp_path):
    data, _ = report(tmp_path)
    lock = json.loads((PROJECT_DIR / "functions" / "jtec_forms" / "policy_lock.json").read_text())["privacy"]
    assert {entry["version"]: entry["sha256"] for entry in data["policy"]["versions"]} == lock
    assert all(entry["source_matches_lock"] for entry in data["policy"]["versions"])
    assert data["policy"]["in_force"] in lock


def junit(tmp_path, cases):
    """A JUnit report of pytest's shape: (test file, outcome) for each test case."""
    rows = []
    for number, (path, outcome) in enumerate(cases):
        module = path.removesuffix(".py").replace("/", ".")
        inner = {"passed": "", "failed": "<failure message='x'/>", "skipped": "<skipped/>"}[outcome]
        rows.append(f'<testcase classname="{module}" name="test_{number}">{inner}</testcase>')
    path = tmp_path / "tests.xml"
    path.write_text(f"<testsuites><testsuite>{''.join(rows)}</testsuite></testsuites>")
    return path


def test_a_promise_whose_tests_failed_or_did_not_run_is_unproven_in_the_summary(forms, tmp_path):
    design = (PROJECT_DIR / "docs" / "design.md").read_text()
    promises = evidence.promises(design)
    first, second = promises[0], promises[1]
    cases = [(path, "passed") for _, paths in promises for path in paths if path not in second[1]]
    cases.append((first[1][0], "failed"))
    data, printed = report(tmp_path, "--evidence", str(junit(tmp_path, cases)), "--commit", "abc123")
    results = {promise["promise"]: promise["result"] for promise in data["evidence"]["promises"]}
    assert results[first[0]] == "failed" and results[second[0]] == "unproven"
    # A failure anywhere also leaves what tests/conftest.py guards over the whole run (the log guard) failed.
    whole_run = [promise for promise, paths in promises if evidence.WHOLE_RUN in paths]
    assert whole_run and all(results[promise] == "failed" for promise in whole_run)
    assert sum(result == "proven" for result in results.values()) == len(promises) - 2 - len(whole_run)
    assert data["evidence"]["commit"] == "abc123"
    assert second[0] in printed


def test_without_a_test_run_the_report_says_the_evidence_is_missing(forms, tmp_path):
    data, printed = report(tmp_path)
    assert data["evidence"] is None
    assert "The tests were not run for this report" in printed


def test_make_audit_runs_the_tests_section_11_names():
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "jtec_staff.evidence" in makefile.split("\naudit:")[1].split("\n\n")[0]
    for path in evidence.test_files((PROJECT_DIR / "docs" / "design.md").read_text()):
        assert Path(PROJECT_DIR / path).exists(), path


def test_a_period_starting_in_the_future_is_refused_in_one_line(forms, tmp_path):
    status, _, errors = jtec("audit", "--out", str(tmp_path / "a.html"), "--since", "2999-01-01")
    assert status == 2 and errors.strip() == "jtec: --since 2999-01-01 is in the future"
    assert not (tmp_path / "a.html").exists()
    assert config.table_name()


def test_the_log_guard_in_conftest_stands_for_the_whole_run(tmp_path):
    passing = junit(tmp_path, [("tests/test_rules.py", "passed"), ("tests/test_forms_enquiry.py", "passed")])
    assert evidence.outcomes(passing)[evidence.WHOLE_RUN] == {"passed": 2}
    failing = junit(tmp_path, [("tests/test_rules.py", "passed"), ("tests/test_forms_enquiry.py", "failed")])
    assert evidence.outcomes(failing)[evidence.WHOLE_RUN] == {"passed": 1, "failed": 1}

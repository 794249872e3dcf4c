"""Audited expiry: TTL deletions reach the stream consumer (locally through the sweeper, in the record
shape DynamoDB gives them) and leave an audit entry with no personal data; other deletions do not."""

import json
import urllib.request

from jtec_forms import clock, retention
from jtec_forms.handlers import expiry_audit
from local.api import LambdaContext
from local.sweeper import ttl_stream_record
from tests.forms_support import dev_post, invoke, items, person


def audit(base_url):
    with urllib.request.urlopen(base_url + "/_dev/audit") as answer:
        return json.load(answer)


def consume(records):
    return expiry_audit.lambda_handler({"Records": records}, LambdaContext("expiry_audit"))


def test_an_enquiry_deleted_by_ttl_is_audited_with_its_lag_and_no_personal_data(forms):
    details = person()
    reference = invoke("/api/enquiry", details)[2]["reference"]
    now = clock.now()
    days = (retention.ENQUIRY.expires_at(now) - now).total_seconds() / 86400 + 1  # 12 months and a day
    assert dev_post(forms, "/_dev/clock", {"advance_days": days})[0] == 200
    [entry] = [entry for entry in audit(forms) if entry["item_kind"] == "enquiry"]
    assert entry["expired_at"] < entry["deleted_at"]
    assert 86400 <= entry["lag_seconds"] <= 86400 + 60  # a day, plus the moments between sending and sweeping
    assert entry["kind"] == retention.EXPIRY_AUDIT.kind
    text = json.dumps(entry)
    for value in (details["name"], details["email"], details["phone"], details["message"], reference):
        assert value not in text
    assert not [item for item in items() if item.get("kind") == "enquiry"]


def test_deletions_by_people_or_staff_are_not_audited(forms):
    record = ttl_stream_record(
        {"pk": "SUBJECT#x", "sk": "ENQUIRY#2026-01-01T00:00:00+00:00#ENQ-AAAAAAAA"}, 1800000000
    )
    by_a_person = {**record, "userIdentity": None}
    del by_a_person["userIdentity"]
    inserted = {**record, "eventName": "INSERT", "userIdentity": None}
    assert consume([by_a_person, inserted]) == {"batchItemFailures": []}
    assert audit(forms) == []


def test_a_failing_record_is_reported_alone_and_the_others_are_audited(forms):
    good = ttl_stream_record(
        {"pk": "SUBJECT#x", "sk": "ENQUIRY#2026-01-01T00:00:00+00:00#ENQ-AAAAAAAA"}, 1800000000
    )
    broken = ttl_stream_record({"pk": "SUBJECT#y", "sk": "ENQUIRY#not-a-time#ENQ-BBBBBBBB"}, 1800000000)
    also_good = ttl_stream_record({"pk": "RATE#client#abc", "sk": "WINDOW#1790000000#enquiry"}, 1800000000)
    answer = consume([good, broken, also_good])
    assert answer == {"batchItemFailures": [{"itemIdentifier": broken["dynamodb"]["SequenceNumber"]}]}
    assert sorted(entry["item_kind"] for entry in audit(forms)) == ["enquiry", "rate_limit"]


def test_a_retried_record_leaves_one_entry(forms):
    record = ttl_stream_record({"pk": "SUBJECT#x", "sk": "USED_LINK#abc"}, 1800000000)
    consume([record])
    consume([record])
    [entry] = audit(forms)
    assert (entry["item_kind"], entry["expired_at"], entry["lag_seconds"]) == ("used_link", None, None)


def test_the_stream_records_carry_keys_only(forms):
    record = ttl_stream_record({"pk": "SUBJECT#x", "sk": "SUBSCRIPTION"}, 1800000000)
    assert set(record["dynamodb"]) == {
        "ApproximateCreationDateTime",
        "Keys",
        "SequenceNumber",
        "SizeBytes",
        "StreamViewType",
    }
    assert record["dynamodb"]["StreamViewType"] == "KEYS_ONLY"


def test_a_record_without_its_dynamodb_field_is_logged_alone_and_the_others_are_audited(
    forms, record_all_logs
):
    good = ttl_stream_record(
        {"pk": "SUBJECT#x", "sk": "ENQUIRY#2026-01-01T00:00:00+00:00#ENQ-AAAAAAAA"}, 1800000000
    )
    no_keys = {key: value for key, value in good.items() if key != "dynamodb"}
    no_keys["eventID"] = "no-dynamodb-field"
    also_good = ttl_stream_record({"pk": "RATE#client#abc", "sk": "WINDOW#1790000000#enquiry"}, 1800000000)
    start = len(record_all_logs.lines)
    # Lambda can place a partial failure only by sequence number: this record has none to report it by.
    assert consume([good, no_keys, also_good]) == {"batchItemFailures": []}
    assert sorted(entry["item_kind"] for entry in audit(forms)) == ["enquiry", "rate_limit"]
    assert any(
        "without keys" in line and "no-dynamodb-field" in line for line in record_all_logs.lines[start:]
    )

"""Erasures survive a restore: each erasure keeps a tombstone (the person's keyed digest and the receipt's
reference, no address) for the table's point-in-time recovery window, and `jtec erasures reapply` erases
again, in a table restored from before, everyone who asked since that moment."""

import datetime

import boto3
import pytest

from jtec_forms import clock, config, retention, store
from jtec_forms.subjects import subject_key
from local.stack import create_table
from project.template import read_template
from tests.forms_support import invoke, items, person
from tests.test_forms_your_data import ask_to_erase
from tests.test_staff_cli import jtec


def tombstones(table_items):
    return [item for item in table_items if item.get("kind") == retention.ERASURE_TOMBSTONE.kind]


@pytest.fixture
def restored_table(monkeypatch):
    """A second table made from the template, as a point-in-time restore makes one; the functions' settings
    put back afterwards (jtec points them at the table it is given)."""
    monkeypatch.setenv("TABLE_NAME", config.table_name())
    name = "jtec-restored"
    create_table(boto3.client("dynamodb"), name)
    yield boto3.resource("dynamodb").Table(name)
    boto3.client("dynamodb").delete_table(TableName=name)
    monkeypatch.undo()
    config.clear()
    store.table.cache_clear()


def test_an_erasure_keeps_a_tombstone_without_the_address_for_the_recovery_window(forms):
    details = person()
    invoke("/api/enquiry", details)
    invoke("/your-data/delete/receipt", {"token": ask_to_erase(forms, details["email"])})
    [tombstone] = tombstones(items())
    [receipt] = [item for item in items() if item["pk"] == retention.ERASURE_RECEIPT_PARTITION]
    assert tombstone["subject"] == subject_key(config.secret(), details["email"])
    assert tombstone["reference"] == receipt["reference"]
    requested = datetime.datetime.fromisoformat(tombstone["requested_at"])
    assert int(tombstone["expires_at"]) == int((requested + datetime.timedelta(days=35)).timestamp())
    assert details["email"] not in str(tombstone) and details["name"] not in str(tombstone)


def test_tombstones_are_kept_exactly_as_long_as_the_table_keeps_backups():
    recovery = read_template()["Resources"]["DataTable"]["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery["PointInTimeRecoveryEnabled"] is True
    assert retention.ERASURE_TOMBSTONE.days == recovery["RecoveryPeriodInDays"]


def test_reapply_erases_in_a_restored_table_everyone_who_asked_since_and_no_one_else(forms, restored_table):
    forgotten, kept = person(), person()
    for details in (forgotten, kept):
        invoke("/api/enquiry", details)
    backup = items()  # the table as a restore to this moment brings it back
    moment = (clock.now() - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    invoke("/your-data/delete/receipt", {"token": ask_to_erase(forms, forgotten["email"])})
    with restored_table.batch_writer() as batch:
        for item in backup:
            batch.put_item(Item=item)

    status, out, _ = jtec(
        "--table",
        restored_table.name,
        "erasures",
        "reapply",
        "--since",
        moment,
        "--from-table",
        config.table_name(),
    )
    assert status == 0, out
    assert "Erased again: 1 erasure since" in out
    after = restored_table.scan()["Items"]
    assert not [item for item in after if item["pk"] == subject_key(config.secret(), forgotten["email"])]
    assert [item for item in after if item["pk"] == subject_key(config.secret(), kept["email"])]
    [receipt] = [item for item in after if item["pk"] == retention.ERASURE_RECEIPT_PARTITION]
    assert receipt["status"] == "completed" and receipt["counts"]["enquiry"] == 1
    assert len(tombstones(after)) == 1  # a second restore still finds it


def test_reapply_changes_nothing_where_the_erasure_already_holds(forms, restored_table):
    details = person()
    invoke("/api/enquiry", details)
    moment = (clock.now() - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    invoke("/your-data/delete/receipt", {"token": ask_to_erase(forms, details["email"])})
    before = items()
    status, out, _ = jtec("erasures", "reapply", "--since", moment)
    assert status == 0 and "0 items the restore had brought back" in out
    assert items() == before

"""Staff act for a person who asked by telephone or post: `jtec erase`, `jtec access`, `jtec subscribers
remove|restrict|lift`, with the functions' own code against the embedded AWS. Each leaves a record with no
personal data, naming who ran it by their AWS identity."""

import json

from jtec_forms import config, retention
from tests.forms_support import invoke, items, outbox, person
from tests.test_forms_subscription import links_for, sign_up
from tests.test_newsletter import news_dir, send  # noqa: F401 (news_dir is a fixture)
from tests.test_staff_cli import jtec

STAFF_ARN = "arn:aws:sts::123456789012:user/moto"  # the identity moto's STS gives the test credentials


def someone_with_everything(forms):
    """A person with an enquiry and a confirmed subscription: their sign-up details."""
    details, _ = sign_up()
    invoke("/api/subscribe/confirm", {"token": links_for(forms, details["email"])[1]})
    invoke("/api/enquiry", person(name=details["name"], email=details["email"]))
    return details


def under(email):
    from jtec_forms.subjects import subject_key

    key = subject_key(config.secret(), email)
    return [item for item in items() if item["pk"] == key]


def staff_actions():
    return [item for item in items() if item["pk"].startswith(retention.STAFF_ACTION_PARTITION)]


def test_erase_deletes_everything_held_and_gives_a_receipt_naming_who_ran_it(forms):
    details = someone_with_everything(forms)
    other = someone_with_everything(forms)
    status, out, _ = jtec("erase", details["email"].upper(), "--yes")
    assert status == 0, out
    reference = out.split("receipt ")[1].split(",")[0]
    assert under(details["email"]) == []
    assert under(other["email"]) != []
    [receipt] = [item for item in items() if item["pk"] == retention.ERASURE_RECEIPT_PARTITION]
    assert (receipt["reference"], receipt["status"], receipt["requested_by"]) == (
        reference,
        "completed",
        STAFF_ARN,
    )
    assert {"enquiry", "subscription"} <= set(receipt["counts"])
    status, out, _ = jtec("erasures", "show", reference)
    assert status == 0 and "enquiry" in out


def test_erase_asks_first_and_keeps_everything_when_told_no(forms):
    details = someone_with_everything(forms)
    held = under(details["email"])
    status, out, _ = jtec("erase", details["email"], input="n\n")
    assert status == 1 and "This cannot be undone" in out
    assert under(details["email"]) == held


def test_an_address_with_nothing_held_is_one_line_and_changes_nothing(forms):
    before = items()
    for command in (
        ["erase", "nobody@example.com", "--yes"],
        ["subscribers", "remove", "nobody@example.com"],
    ):
        assert jtec(*command)[::2] == (2, "jtec: nothing is held under that address\n")
    assert items() == before


def test_access_writes_the_report_the_form_shows_as_html_or_json(forms, tmp_path):
    details = someone_with_everything(forms)
    status, out, _ = jtec("access", details["email"], "--out", str(tmp_path / "report.json"))
    assert status == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert {item["kind"] for item in report["items"]} >= {"enquiry", "subscription"}
    assert jtec("access", details["email"], "--out", str(tmp_path / "report.html"))[0] == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert details["name"] in page and "<html" in page
    assert [(record["action"], record["by"]) for record in staff_actions()] == [("access", STAFF_ARN)] * 2


def test_remove_ends_the_subscription_as_an_unsubscribe_does(forms):
    details = someone_with_everything(forms)
    assert jtec("subscribers", "remove", details["email"])[0] == 0
    kinds = {item["kind"] for item in under(details["email"])}
    assert "subscription" not in kinds and "enquiry" in kinds
    assert [record["action"] for record in staff_actions()] == ["unsubscribe"]


def test_a_restricted_subscription_gets_no_news_until_it_is_lifted_and_keeps_its_details(forms, news_dir):  # noqa: F811
    details = someone_with_everything(forms)
    assert jtec("subscribers", "restrict", details["email"])[0] == 0
    assert jtec("subscribers", "restrict", details["email"])[::2] == (
        2,
        "jtec: that subscription is restricted already\n",
    )
    [subscription] = [item for item in under(details["email"]) if item["kind"] == "subscription"]
    assert (subscription["email"], subscription["name"]) == (details["email"], details["name"])
    assert json.loads(send(news_dir)[1])["sent"] == 0
    assert jtec("subscribers", "lift", details["email"])[0] == 0
    assert json.loads(send(news_dir)[1])["sent"] == 1
    assert [mail["to"] for mail in outbox(forms) if "Winter opening hours" in mail["subject"]] == [
        details["email"]
    ]
    assert [record["action"] for record in staff_actions()] == ["restrict", "lift"]


def test_the_records_of_staff_actions_hold_no_personal_data(forms, tmp_path):
    details = someone_with_everything(forms)
    jtec("access", details["email"], "--out", str(tmp_path / "r.json"))
    jtec("subscribers", "restrict", details["email"])
    jtec("erase", details["email"], "--yes")
    text = json.dumps(
        staff_actions() + [item for item in items() if item["pk"] == retention.ERASURE_RECEIPT_PARTITION],
        default=str,
    )
    assert details["email"] not in text and details["name"] not in text
    assert len(staff_actions()) == 2

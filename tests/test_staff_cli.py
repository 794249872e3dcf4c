"""`jtec` against the local stack, as JTec's staff would run it: its commands through Click's test
runner (in this process, with the environment `make serve` prints), and the installed console script
once, in a process of its own."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jtec_forms import clock, config, retention, store
from jtec_staff import cli
from tests.forms_support import enquiries, invoke, items, outbox, person

JTEC = str(Path(sys.executable).parent / "jtec")


def staff_environment(env=None):
    """The environment `make serve` prints for `jtec`, with `env` on top (None: unset)."""
    return {
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "TABLE_NAME": config.table_name(),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "COLUMNS": "200",
        **(env or {}),
    }


def jtec(*arguments, env=None, input=None):
    """Run a `jtec` command with the environment `make serve` prints (and `input` typed at its prompts);
    (exit status, stdout, stderr)."""
    done = CliRunner().invoke(cli.main, arguments, env=staff_environment(env), input=input)
    if done.exception and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.stdout, done.stderr


def installed_jtec(*arguments):
    """Run the installed console script in a process of its own; (exit status, stdout, stderr)."""
    environment = {"PATH": os.environ["PATH"], **staff_environment()}
    done = subprocess.run([JTEC, *arguments], env=environment, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.process
def test_the_installed_script_lists_open_enquiries_and_refuses_an_unknown_reference_in_one_line(forms):
    reference = invoke("/api/enquiry", person())[2]["reference"]
    status, out, err = installed_jtec("enquiries", "list", "--json")
    assert status == 0, err
    assert [row["reference"] for row in json.loads(out)] == [reference]
    status, out, err = installed_jtec("enquiries", "show", "ENQ-NOSUCH00")
    assert (status, out, err) == (2, "", "jtec: no item has the reference ENQ-NOSUCH00\n")


def test_the_list_shows_open_enquiries_oldest_first_with_who_wrote_their_first_words_and_age(forms):
    first = person(message="My printer prints nothing at all since the update last Tuesday morning")
    second = person(topic="maintenance")
    references = [invoke("/api/enquiry", first)[2]["reference"]]
    clock.advance(1 / 86400)  # a second later
    references.append(invoke("/api/enquiry", second)[2]["reference"])
    status, out, err = jtec("enquiries", "list", "--json")
    assert status == 0, err
    listed = json.loads(out)
    assert [row["reference"] for row in listed] == references
    assert [row["topic"] for row in listed] == ["support", "maintenance"]
    assert listed[0]["name"] == first["name"]
    assert listed[0]["first_words"] == "My printer prints nothing at all since the …"
    assert [row["age_days"] for row in listed] == [0, 0] and not any(row["old"] for row in listed)
    status, table, _ = jtec("enquiries", "list")
    assert "Open enquiries (2), oldest first" in table and "0 days" in table
    assert table.index(references[0]) < table.index(references[1])


def test_an_enquiry_older_than_the_digests_setting_stands_out_in_the_list(forms):
    reference = invoke("/api/enquiry", person())[2]["reference"]
    enquiry = next(item for item in enquiries() if item["reference"] == reference)
    sent = (clock.now() - datetime.timedelta(days=config.digest_old_after_days() + 2)).isoformat(
        timespec="seconds"
    )
    store.put({**enquiry, "created_at": sent})
    [row] = json.loads(jtec("enquiries", "list", "--json")[1])
    assert row["old"] and row["age_days"] >= config.digest_old_after_days() + 1
    assert f"OLD: {row['age_days']} days" in jtec("enquiries", "list")[1]


def test_show_reads_as_a_letter_with_labels_dates_in_words_and_days_left_in_any_letter_case(forms):
    details = person(phone="")
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, _ = jtec("enquiries", "show", reference.lower())
    assert status == 0
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in out.splitlines() if "│" in line]
    labels = [row[0] for row in rows if row[0]]
    assert labels[:6] == ["Reference", "Received", "From", "Email", "Telephone", "Topic"]
    lines = [" ".join(line.replace("│", " ").split()) for line in out.splitlines()]
    text = " ".join(lines)
    assert f"From {details['name']}" in text and "Telephone (not given)" in text
    assert "Topic IT support" in text
    assert "created_at" not in text and "expires_at" not in text and "policy_version" not in text
    assert re.search(r"Received \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d", text)
    assert re.search(
        r"Deleted automatically \d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d \(36[45] days left\)", text
    )


def test_show_prints_everything_the_person_sent(forms):
    details = person()
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, _ = jtec("enquiries", "show", reference, "--json")
    assert status == 0
    shown = json.loads(out)
    assert (shown["name"], shown["email"], shown["message"]) == (
        details["name"],
        details["email"],
        details["message"],
    )


def test_the_staff_mail_names_the_command_to_run(forms):
    reference = invoke("/api/enquiry", person())[2]["reference"]
    [mail] = [mail for mail in outbox(forms, to="staff@jtec.invalid") if reference in mail["subject"]]
    assert f"jtec enquiries show {reference}" in mail["text"]
    assert f"jtec enquiries resolve {reference}" in mail["text"]


def test_resolving_scrubs_the_personal_details_at_once_and_leaves_the_open_list(forms):
    details = person()
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, _ = jtec("enquiries", "resolve", reference, input="y\n")
    assert status == 0
    assert "Send your reply before you resolve it" in out and details["name"] in out
    assert f"Resolved {reference}" in out
    [enquiry] = enquiries()
    assert enquiry["status"] == "resolved"
    assert not {"name", "email", "phone", "message", "open_pk", "open_sk"} & set(enquiry)
    assert (enquiry["reference"], enquiry["topic"]) == (reference, "support")
    assert "created_at" in enquiry and "resolved_at" in enquiry and "expires_at" in enquiry
    assert json.loads(jtec("enquiries", "list", "--json")[1]) == []
    status, out, _ = jtec("enquiries", "show", reference, "--json")
    assert status == 0 and json.loads(out)["status"] == "resolved"


def test_resolving_twice_is_one_line_and_status_2(forms):
    reference = invoke("/api/enquiry", person())[2]["reference"]
    jtec("enquiries", "resolve", reference, "--yes")
    status, out, err = jtec("enquiries", "resolve", reference, "--yes")
    assert status == 2
    assert err == f"jtec: {reference} was already resolved\n"


@pytest.mark.parametrize(
    "arguments,env,message",
    [
        (("enquiries", "show", "ENQ-NOSUCH00"), {}, "jtec: no item has the reference ENQ-NOSUCH00\n"),
        (("erasures", "show", "ERA-NOSUCH00"), {}, "jtec: no item has the reference ERA-NOSUCH00\n"),
        (("enquiries", "list"), {"TABLE_NAME": "no-such-table"}, "jtec: no table named 'no-such-table' here"),
        (("enquiries", "list"), {"TABLE_NAME": None}, "jtec: which table? pass --table or set TABLE_NAME\n"),
        (
            ("enquiries", "list"),
            {
                "AWS_ACCESS_KEY_ID": None,
                "AWS_SECRET_ACCESS_KEY": None,
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                "AWS_CONFIG_FILE": "/nonexistent",
                "AWS_EC2_METADATA_DISABLED": "true",
            },
            "jtec: no AWS credentials",
        ),
    ],
    ids=["unknown enquiry", "unknown receipt", "missing table", "no table named", "no credentials"],
)
def test_a_user_error_is_one_line_and_status_2_never_a_traceback(forms, arguments, env, message):
    status, out, err = jtec(*arguments, env=env)
    assert status == 2
    assert err.startswith(message)
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_erasure_receipts_are_listed_and_shown(forms):
    details = person()
    invoke("/api/enquiry", details)
    invoke("/api/erasure", {"email": details["email"]})
    link = next(
        link for link in outbox(forms, to=details["email"])[-1]["links"] if "/your-data/delete/" in link
    )
    receipt = invoke("/your-data/delete/receipt", {"token": link.split("token=")[1]})[2]["receipt"]
    status, out, _ = jtec("erasures", "list", "--json")
    assert status == 0
    assert [row["reference"] for row in json.loads(out)] == [receipt["reference"]]
    status, out, _ = jtec("erasures", "show", receipt["reference"], "--json")
    assert json.loads(out)["deleted"]["enquiry"] == 1
    status, table, _ = jtec("erasures", "show", receipt["reference"])
    assert "enquiry" in table


def test_the_retention_report_counts_live_expiring_and_overdue_items(forms):
    invoke("/api/enquiry", person())
    now = int(__import__("time").time())
    store.put({"pk": "SUBJECT#gone", "sk": "USED_LINK#old", "kind": "used_link", "expires_at": now - 3600})
    store.put({"pk": "SUBJECT#soon", "sk": "USED_LINK#soon", "kind": "used_link", "expires_at": now + 86400})
    status, out, err = jtec("retention", "report", "--json")
    assert status == 0, err
    rows = {row["kind"]: row for row in json.loads(out)["kinds"]}
    assert rows["enquiry"]["live"] == 1 and rows["enquiry"]["period"] == retention.ENQUIRY.period
    assert (rows["used_link"]["live"], rows["used_link"]["expiring_in_30_days"]) == (1, 1)
    assert rows["used_link"]["expired_not_deleted"] == 1
    assert len(items()) >= 3
    status, table, _ = jtec("retention", "report")
    assert "What we keep, and whether it is deleted on time" in table and "Enquiries: name" in table


HOSTILE = (
    "[link=https://evil.example]https://jtec.example/invoice[/link] [blink]urgent[/blink] [conceal]hidden[/conceal] "
    "[reverse]x[/reverse] [/bold] :warning: pay\u202etxt.exe\u200b now"
)


def test_show_prints_what_people_typed_as_plain_text_and_never_as_markup(forms):
    details = person(message=HOSTILE, name="Ann [bold]Tester[/bold]")
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, err = jtec(
        "enquiries", "show", reference, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    )
    assert status == 0, err
    assert "Traceback" not in err
    for literal in (
        "[link=https://evil.example]",
        "[blink]urgent[/blink]",
        "[conceal]hidden",
        "[/bold]",
        ":warning:",
    ):
        assert literal in out
    assert "\x1b]8;" not in out  # no terminal hyperlink
    assert (
        "\x1b[5m" not in out and "\x1b[8m" not in out and "\x1b[7m" not in out
    )  # no blink, conceal, reverse
    assert "\u26a0" not in out  # no emoji made from a code


def test_show_makes_invisible_and_direction_controls_visible(forms):
    details = person(message="pay\u202etxt.exe\u200b now")
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, _ = jtec("enquiries", "show", reference)
    assert status == 0
    assert "\u202e" not in out and "\u200b" not in out
    assert "pay<U+202E>txt.exe<U+200B> now" in out


def test_show_folds_a_long_value_instead_of_cutting_it(forms):
    token = "a1" * 200
    details = person(message=f"Look at https://example.com/{token} please")
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, _ = jtec("enquiries", "show", reference, env={"COLUMNS": "80"})
    assert status == 0
    assert token in "".join(character for character in out if character.isalnum())


@pytest.mark.parametrize("answer", ["n\n", ""], ids=["no", "nothing typed"])
def test_resolve_asks_first_and_a_no_changes_nothing(forms, answer):
    details = person()
    reference = invoke("/api/enquiry", details)[2]["reference"]
    status, out, err = jtec("enquiries", "resolve", reference, input=answer)
    assert status == 2 and err.strip().endswith(f"jtec: {reference} was not resolved")
    [enquiry] = enquiries()
    assert enquiry["status"] == "open" and enquiry["email"] == details["email"]


def test_the_retention_report_is_in_the_schedules_words_and_fits_80_columns(forms):
    invoke("/api/enquiry", person())
    status, out, _ = jtec("retention", "report", env={"COLUMNS": "80"})
    assert status == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    words = " ".join(jtec("retention", "report")[1].replace("│", " ").split())
    assert "Enquiries: name, email" in words and "12 months" in words
    assert "Overdue: none" in words
    assert "used_link" not in out and "rate_limit" not in out

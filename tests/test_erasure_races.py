"""An erasure against what runs beside it: every interleaving, at the grain of DynamoDB calls, of an erasure
with an enquiry from the same person, and of two confirmations of one erasure link.

`interleaved(primary, other, at)` runs `primary` and, just before its `at`-th call to DynamoDB, runs
`other` to the end, as a second Lambda instance would. Each test tries every `at` from the first call
to the last, so no order of the two is left untried (`make check` tries every third, for a short
edit-test loop; `make test` and CI try them all)."""

import itertools

import pytest

from jtec_forms import config, store
from jtec_forms.subjects import subject_key
from tests.conftest import LOCAL_AWS
from tests.forms_support import invoke, items, outbox, person
from tests.support import EXAMPLES_SCALE
from tests.test_forms_your_data import ask_to_erase

STRIDE = 1 if EXAMPLES_SCALE >= 1 else 3  # which points are tried: every one, or every third


class Interleaving:
    """Counts the primary's DynamoDB calls and runs `other` once, before call number `at`."""

    def __init__(self, other, at):
        self.other, self.at, self.calls = other, at, 0
        self.other_ran_at, self.result, self.in_other = None, None, False
        self.queries = []  # the call number at which each of the primary's passes over a partition began

    def wrap(self, original, counts=True):
        def call(*arguments, **keywords):
            if self.in_other:  # `other` runs as another instance would: its calls are not counted
                return original(*arguments, **keywords)
            if not counts:
                self.queries.append(self.calls + 1)
                return original(*arguments, **keywords)
            self.calls += 1
            if self.calls == self.at:
                self.other_ran_at, self.in_other = self.calls, True
                try:
                    self.result = self.other()
                finally:
                    self.in_other = False
            return original(*arguments, **keywords)

        return call


def interleaved(monkeypatch, primary, other, at):
    plan = Interleaving(other, at)
    with monkeypatch.context() as patch:
        for name in ("_call", "_conditional", "_transact"):
            patch.setattr(store, name, plan.wrap(getattr(store, name)))
        patch.setattr(store, "subject_keys", plan.wrap(store.subject_keys, counts=False))
        result = primary()
    return result, plan


def under(subject):
    return {(item["pk"], item["sk"]): item for item in items() if item["pk"] == subject}


def staff_mails_about(base_url, reference):
    return [mail for mail in outbox(base_url, to=config.staff_email()) if reference in mail["subject"]]


def every_point(test_one):
    """Run `test_one(at)` for at = 1, 2, ... (or every STRIDE-th) on a fresh table each time, until
    `other` never ran; the last point at which it ran."""
    last = 0
    for at in itertools.count(1, STRIDE):
        LOCAL_AWS[0].empty()
        if not test_one(at):
            break
        last = at
    return last


def test_an_enquiry_sent_at_any_moment_of_an_erasure_is_erased_or_was_sent_after_it_finished(
    forms, monkeypatch
):
    def one(at):
        details = person(opt_in=False)
        invoke("/api/enquiry", details)
        subject = subject_key(config.secret(), details["email"])
        token = ask_to_erase(forms, details["email"])
        seen = set(under(subject))
        later = {**details, "message": details["message"] + " (sent again)"}

        def enquiry_from_another_instance():
            answer = invoke("/api/enquiry", later)
            seen.update(under(subject))
            return answer

        (status, _, body), plan = interleaved(
            monkeypatch,
            lambda: invoke("/your-data/delete/receipt", {"token": token}),
            enquiry_from_another_instance,
            at,
        )
        if plan.other_ran_at is None:
            return False
        assert status == 200 and body["receipt"]["status"] == "completed"
        left = under(subject)
        assert sum(body["receipt"]["deleted"].values()) == len(seen - set(left))
        if plan.other_ran_at < plan.queries[-1]:
            assert left == {}, f"the enquiry sent before call {plan.queries[-1]} survived (it ran at {at})"
        else:  # sent after the Query that found nothing: it is whole, and staff were told of it once
            enquiry_status, _, answer = plan.result
            assert enquiry_status == 201
            assert [item["reference"] for item in left.values() if item.get("kind") == "enquiry"] == [
                answer["reference"]
            ]
            assert len(staff_mails_about(forms, answer["reference"])) == 1
        return True

    assert every_point(one) >= 7


def test_an_erasure_at_any_moment_of_an_enquiry_leaves_no_copy_staff_were_not_told_of(forms, monkeypatch):
    def one(at):
        earlier = person(opt_in=False)
        invoke("/api/enquiry", earlier)
        subject = subject_key(config.secret(), earlier["email"])
        token = ask_to_erase(forms, earlier["email"])
        details = {**earlier, "message": earlier["message"] + " and the scanner", "opt_in": True}
        held_when_erased = {}

        def erasure_from_another_instance():
            held_when_erased.update(under(subject))
            return invoke("/your-data/delete/receipt", {"token": token})

        (status, _, body), plan = interleaved(
            monkeypatch, lambda: invoke("/api/enquiry", details), erasure_from_another_instance, at
        )
        if plan.other_ran_at is None:
            return False
        receipt = plan.result[2]["receipt"]
        assert sum(receipt["deleted"].values()) == len(held_when_erased)
        if status == 409:  # the erasure took the enquiry's record: nothing of it is kept
            assert body["errors"][0]["message"].startswith("Your enquiry was not kept")
            # The count of a confirmation mail it already sent stays for its day, so the limit still holds.
            assert [item for item in under(subject).values() if item["kind"] != "rate_limit"] == []
            status, _, body = invoke("/api/enquiry", details)  # the person sends it again
        assert status == 201
        enquiries = [item for item in under(subject).values() if item.get("kind") == "enquiry"]
        assert [item["reference"] for item in enquiries] == [body["reference"]]
        assert len(staff_mails_about(forms, body["reference"])) == 1
        return True

    assert every_point(one) >= 7


@pytest.mark.parametrize("at", range(1, 12, STRIDE))
def test_two_confirmations_of_one_link_count_each_item_once_and_mail_one_receipt(forms, monkeypatch, at):
    details = person(opt_in=True)
    invoke("/api/enquiry", details)
    invoke("/api/enquiry", {**details, "message": details["message"] + " again", "opt_in": False})
    subject = subject_key(config.secret(), details["email"])
    token = ask_to_erase(forms, details["email"])
    held = under(subject)

    def confirm():
        return invoke("/your-data/delete/receipt", {"token": token})

    (status, _, body), plan = interleaved(monkeypatch, confirm, confirm, at)
    assert status == 200 and plan.result[0] == 200
    assert under(subject) == {}
    assert sum(body["receipt"]["deleted"].values()) == len(held)
    assert body["receipt"]["deleted"] == plan.result[2]["receipt"]["deleted"]
    assert body["receipt"]["status"] == plan.result[2]["receipt"]["status"] == "completed"
    assert (
        len([mail for mail in outbox(forms, to=details["email"]) if "ERA-" in mail["subject"] + mail["text"]])
        == 1
    )

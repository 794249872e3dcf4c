"""`jtec audit`: what the website did with personal data in a period, for someone outside engineering (a
DPO, the ICO). Plain functions over the items one Scan reads (keys, kinds, times, states, never a name,
address, telephone number or message: AUDIT_FIELDS, which the AuditorPolicy holds the Scan to) and over
the code's own registries, so the report cannot say what the code does not do."""

import datetime
import json
import statistics
from collections import Counter, defaultdict

from jtec_forms import enquiries, policies, privacy_facts, retention, site_facts, tokens
from jtec_staff import queries

# What the audit's Scan reads. `consent` is the proof of consent (policy versions, the words agreed to,
# when): no name or address is in it.
AUDIT_FIELDS = (
    *queries.RETENTION_FIELDS,
    "created_at",
    "status",
    "resolved_at",
    "topic",
    "right",
    "received",
    "due",
    "extended_at",
    "closed_at",
    "outcome",
    "deadline_met",
    "consent",
    "requested_at",
    "confirmed_at",
    "completed_at",
    "event",
    "ended_subscription",
    "action",
    "at",
    "sent_at",
    "purpose",
    "used_at",
)


def gather(table, now, since, measures, evidence, policy_sources=None, progress=None):
    """The report, as data: `measures` from the template (audit_measures), `evidence` from a test run
    (evidence.py, or None when no tests were run), `policy_sources` the policies' files when at hand."""
    items = list(queries.scan(table, AUDIT_FIELDS, progress))
    return report(items, now, since, measures, evidence, policy_sources)


def report(items, now, since, measures, evidence, policy_sources=None):
    sections = {
        "record_of_processing": record_of_processing(measures),
        "policy": policy_history(now.date(), policy_sources),
        "retention": retention_in_practice(items, now, since),
        "requests": requests(items, now, since),
        "consent": consent(items, since),
        "evidence": evidence,
    }
    return {
        "title": f"Data protection report: {site_facts.COMPANY['name']}",
        "generated_at": now.isoformat(timespec="seconds"),
        "period": {"since": since.isoformat(timespec="seconds"), "until": now.isoformat(timespec="seconds")},
        "summary": summary(sections),
        **sections,
    }


def record_of_processing(measures):
    """UK GDPR Art. 30(1)(a)-(g), from the registries: privacy_facts (controller's processors, transfers,
    activities), the retention schedule (how long), the template (measures)."""
    activities = []
    for activity in privacy_facts.ACTIVITIES:
        processor = activity.get("processor")
        recipients = [processor] if processor else list(privacy_facts.RECIPIENTS_OF_HELD_DATA)
        kept = [
            {"what": retention.by_kind(kind).what, "period": retention.by_kind(kind).period}
            for kind in activity["kinds"]
        ]
        activities.append(
            {
                "purpose": activity["purpose"],
                "lawful_basis": activity["lawful_basis"],
                "people": activity["people"],
                "data": activity["data"],
                "recipients": [{"name": name, "role": privacy_facts.PROCESSORS[name]} for name in recipients],
                "transfers": [
                    f"{name}: {privacy_facts.TRANSFERS[name]}"
                    for name in recipients
                    if name in privacy_facts.TRANSFERS
                ],
                "kept": kept or [{"what": activity["data"], "period": activity["retention"]}],
            }
        )
    return {
        "controller": {key: site_facts.COMPANY[key] for key in ("name", "address", "telephone")},
        "region": f"{privacy_facts.DATA_REGION_NAME} ({privacy_facts.DATA_REGION})",
        "activities": activities,
        "measures": measures,
    }


def policy_history(today, sources=None):
    """Every published version of the privacy policy with the sha256 the lock holds, which is in force,
    which are upcoming, and whether each version's file (when `sources` has it) still matches its lock."""
    lock = json.loads(policies.LOCK_FILE.read_text(encoding="utf-8")).get(policies.PRIVACY, {})
    current = policies.in_force(today)
    versions = []
    for version, digest in sorted(lock.items()):
        source = (sources or {}).get(version)
        versions.append(
            {
                "version": version,
                "sha256": digest,
                "state": "in force" if version == current else ("upcoming" if version > current else "past"),
                "source_matches_lock": None if source is None else source == digest,
            }
        )
    return {
        "in_force": current,
        "upcoming": [entry["version"] for entry in versions if entry["state"] == "upcoming"],
        "versions": versions,
    }


def _when(text):
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _in_period(text, since):
    return bool(text) and _when(text) >= since


def _hours(start, end):
    return round((_when(end) - _when(start)).total_seconds() / 3600, 1)


def _median_and_worst(hours):
    if not hours:
        return {"count": 0, "median_hours": None, "worst_hours": None}
    return {
        "count": len(hours),
        "median_hours": round(statistics.median(hours), 1),
        "worst_hours": max(hours),
    }


def retention_in_practice(items, now, since):
    summary = queries.retention_summary(items, now)
    first_month = since.strftime("%Y-%m")
    deletions = {
        month: counts for month, counts in summary["ttl_deletions_per_month"].items() if month >= first_month
    }
    return {
        "kinds": [{**entry, "what": retention.by_kind(entry["kind"]).what} for entry in summary["kinds"]],
        "ttl_deletions_per_month": deletions,
        "expired_not_deleted": sum(entry["expired_not_deleted"] for entry in summary["kinds"]),
    }


def requests(items, now, since):
    """Erasures, access reports, data requests and enquiries in the period."""
    receipts = [item for item in items if item.get("kind") == retention.ERASURE_RECEIPT.kind]
    in_period = [item for item in receipts if _in_period(item.get("confirmed_at"), since)]
    completed = [item for item in in_period if item.get("completed_at")]
    staff_actions = Counter(
        item["action"]
        for item in items
        if item.get("kind") == retention.STAFF_ACTION.kind and _in_period(item.get("at"), since)
    )
    enquiry_items = [item for item in items if item.get("kind") == retention.ENQUIRY.kind]
    data_requests = [item for item in enquiry_items if item.get("topic") == enquiries.DATA_REQUEST_TOPIC]
    others = [item for item in enquiry_items if item.get("topic") != enquiries.DATA_REQUEST_TOPIC]
    return {
        "erasures": {
            "confirmed": len(in_period),
            "completed": len(completed),
            "not_completed": len(in_period) - len(completed),
            "request_to_completion": _median_and_worst(
                [_hours(item["requested_at"], item["completed_at"]) for item in completed]
            ),
        },
        "access_reports": {
            "by_staff": staff_actions.get("access", 0),
            # Each access link's use is recorded with its token's purpose (link_ledger.use_link).
            "through_the_website": sum(
                1
                for item in items
                if item.get("kind") == retention.USED_LINK.kind
                and item.get("purpose") == tokens.ACCESS
                and _in_period(item.get("used_at"), since)
            ),
        },
        "staff_actions": dict(sorted(staff_actions.items())),
        "data_requests": _data_requests(data_requests, now, since),
        "enquiries": _enquiries(others, now, since),
    }


def _data_requests(items, now, since):
    today = now.date()
    per_month = defaultdict(Counter)
    for item in items:
        if not item.get("received") or item["received"] < since.date().isoformat():
            continue
        month = per_month[item["received"][:7]]
        month["received"] += 1
        if "extended_at" in item:
            month["extended"] += 1
        if item.get("status") == "closed":
            month["answered in time" if item.get("deadline_met") else "answered late"] += 1
        elif datetime.date.fromisoformat(item["due"]) < today:
            month["open and overdue"] += 1
        else:
            month["open"] += 1
    return {month: dict(counts) for month, counts in sorted(per_month.items())}


def _enquiries(items, now, since):
    received = [item for item in items if _in_period(item.get("created_at"), since)]
    resolved = [item for item in received if item.get("resolved_at")]
    still_open = [item for item in items if item.get("status") == "open"]
    oldest = min((item["created_at"] for item in still_open), default=None)
    return {
        "received": len(received),
        "resolved": len(resolved),
        "time_to_resolve": _median_and_worst(
            [_hours(item["created_at"], item["resolved_at"]) for item in resolved]
        ),
        "open_now": len(still_open),
        "oldest_open_days": (now - _when(oldest)).days if oldest else None,
    }


def consent(items, since):
    subscriptions = [item for item in items if item.get("kind") == retention.ACTIVE_SUBSCRIPTION.kind]
    by_wording = Counter(
        (item["consent"].get("wording_id", "?"), item["consent"].get("policy_version", "?"))
        for item in subscriptions
    )
    events = Counter()
    ended = 0
    for item in items:
        # A mail event's sort key starts with when it happened (mail_events.record).
        if item.get("kind") == retention.MAIL_EVENT.kind and _in_period(item["sk"].split("#")[0], since):
            events[item.get("event")] += 1
            ended += bool(item.get("ended_subscription"))
    sends = Counter(
        item["sk"].removeprefix(retention.NEWSLETTER_SEND.sort_key)
        for item in items
        if item.get("kind") == retention.NEWSLETTER_SEND.kind and _in_period(item.get("sent_at"), since)
    )
    return {
        "subscriptions": len(subscriptions),
        "pending_sign_ups": sum(
            1 for item in items if item.get("kind") == retention.PENDING_SUBSCRIPTION.kind
        ),
        "by_wording_and_policy": [
            {"wording_id": wording, "policy_version": version, "subscriptions": count}
            for (wording, version), count in sorted(by_wording.items())
        ],
        "confirmed_in_period": sum(
            1 for item in subscriptions if _in_period(item["consent"].get("confirmed_at"), since)
        ),
        "renewed_in_period": sum(
            1 for item in subscriptions if _in_period(item["consent"].get("renewed_at"), since)
        ),
        "asked_to_renew_now": sum(1 for item in items if item.get("kind") == retention.CONSENT_RENEWAL.kind),
        "mail_events": dict(sorted(events.items())),
        "ended_by_mail_events": ended,
        "unsubscribes": None,  # not recorded: unsubscribing deletes the subscription and keeps nothing
        "issues_sent": [{"issue": issue, "recipients": count} for issue, count in sorted(sends.items())],
    }


def summary(sections):
    """The findings a reader needs first: each is a sentence, with `attention` when something is wrong."""
    findings = []
    overdue = sections["retention"]["expired_not_deleted"]
    findings.append(
        {
            "text": f"{overdue} items past their retention period are not yet deleted"
            if overdue
            else "Every item past its retention period has been deleted",
            "attention": bool(overdue),
        }
    )
    erasures = sections["requests"]["erasures"]
    findings.append(
        {
            "text": f"{erasures['completed']} of {erasures['confirmed']} confirmed erasures completed",
            "attention": erasures["not_completed"] > 0,
        }
    )
    late = sum(
        counts.get("answered late", 0) + counts.get("open and overdue", 0)
        for counts in sections["requests"]["data_requests"].values()
    )
    findings.append(
        {
            "text": f"{late} data requests answered late or overdue"
            if late
            else "No data request answered late or overdue",
            "attention": bool(late),
        }
    )
    mismatched = [
        entry["version"] for entry in sections["policy"]["versions"] if entry["source_matches_lock"] is False
    ]
    if mismatched:
        findings.append(
            {
                "text": f"Policy versions whose file no longer matches the lock: {', '.join(mismatched)}",
                "attention": True,
            }
        )
    evidence = sections["evidence"]
    if evidence is None:
        findings.append(
            {"text": "The tests were not run for this report (make audit runs them)", "attention": True}
        )
    else:
        unproven = [promise["promise"] for promise in evidence["promises"] if promise["result"] != "proven"]
        findings.append(
            {
                "text": f"{len(evidence['promises']) - len(unproven)} of {len(evidence['promises'])} promises proven by "
                "passing tests" + (f"; unproven: {'; '.join(unproven)}" if unproven else ""),
                "attention": bool(unproven),
            }
        )
    return findings

"""Lambda function `mail_events`: SES's bounce and complaint events for our mail (the configuration set
publishes them to EventBridge, whose rule invokes this), applied to the newsletter's subscriptions."""

from jtec_forms import clock, mail_events
from jtec_forms.actions import mail_events as actions
from jtec_forms.logs import logger


@logger.inject_lambda_context
def lambda_handler(event, context):
    """Apply every event the SES event names; counts only in the log and the answer (never an address).
    Anything that fails raises, so EventBridge invokes again (applying an event twice changes nothing)."""
    found = mail_events.events((event or {}).get("detail"))
    now = clock.now()
    ended = sum(actions.apply(one, now) for one in found)
    kinds = sorted({one.kind for one in found})
    logger.info("mail events applied", extra={"events": len(found), "kinds": kinds, "ended": ended})
    return {"events": len(found), "ended": ended}

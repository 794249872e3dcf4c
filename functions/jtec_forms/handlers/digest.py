"""Lambda function `digest`: on working days at 08:00 in Northern Ireland (EventBridge Scheduler, which
also fires on bank holidays: those are skipped here), mails staff what is due, in references and counts
(jtec_forms/digest.py). Nothing due, no mail."""

from jtec_forms import aws, clock, config, deadlines, digest, mailer, store
from jtec_forms.logs import logger


def todays_digest(now):
    """The digest's mail for `now`, or None when nothing is due."""
    waiting = digest.queue_depth(aws.client("sqs"), config.failure_queue_url())
    facts = digest.gather(store.table(), now, waiting, config.digest_old_after_days())
    return digest.compose(facts, digest.labels())


@logger.inject_lambda_context
def lambda_handler(event, context):
    now = clock.now()
    if not deadlines.is_working_day(now.astimezone(digest.LOCAL).date()):
        logger.info("digest skipped: not a working day")
        return {"sent": False, "reason": "not a working day"}
    mail = todays_digest(now)
    if mail is None:
        logger.info("digest: nothing due")
        return {"sent": False, "reason": "nothing due"}
    subject, text = mail
    mailer.send(config.staff_email(), subject, text)
    logger.info("digest sent")
    return {"sent": True, "subject": subject}

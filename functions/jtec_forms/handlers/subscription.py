"""Lambda function `subscription`: POST /api/subscribe, /api/subscribe/confirm, /api/unsubscribe."""

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths

from jtec_forms import actions, web
from jtec_forms.logs import logger

app = APIGatewayHttpResolver()
web.register_error_handlers(app, logger)


@app.post("/api/subscribe")
def subscribe():
    submission = web.read_submission(app.current_event, "subscribe")
    outcome = actions.start_subscription(submission.data, client_ip=web.client_ip(app.current_event))
    logger.info("subscription requested")
    return web.respond(submission, outcome)


@app.post("/api/subscribe/confirm")
def confirm():
    submission = web.read_submission(app.current_event, "token")
    outcome = actions.confirm_subscription(submission.data["token"])
    logger.info("subscription confirmed")
    return web.respond(submission, outcome)


@app.post("/api/unsubscribe")
def unsubscribe():
    submission = web.read_submission(app.current_event, "token")
    outcome = actions.unsubscribe(submission.data["token"])
    logger.info("unsubscribed")
    return web.respond(submission, outcome)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return app.resolve(event, context)

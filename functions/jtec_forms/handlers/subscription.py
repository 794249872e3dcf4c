"""Lambda function `subscription`: POST /api/subscribe, /api/subscribe/confirm, /api/subscribe/renew,
/api/unsubscribe."""

from aws_lambda_powertools.logging import correlation_paths

from jtec_forms import form_posts, routes, web
from jtec_forms.actions import subscription as actions
from jtec_forms.logs import logger
from jtec_forms.router import Router

app = Router()
web.register_error_handlers(app, logger)


@app.post(routes.SUBSCRIBE.path)
def subscribe():
    submission = form_posts.read(app.current_event, routes.SUBSCRIBE)
    answer = actions.start_subscription(submission.data, client_ip=web.client_ip(app.current_event))
    logger.info("subscription requested")
    return web.respond(submission, answer)


@app.post(routes.CONFIRM_SUBSCRIPTION.path)
def confirm():
    submission = form_posts.read(app.current_event, routes.CONFIRM_SUBSCRIPTION)
    answer = actions.confirm_subscription(
        submission.data["token"], client_ip=web.client_ip(app.current_event)
    )
    logger.info("subscription confirmed")
    return web.respond(submission, answer)


@app.post(routes.RENEW_SUBSCRIPTION.path)
def renew():
    submission = form_posts.read(app.current_event, routes.RENEW_SUBSCRIPTION)
    answer = actions.renew_subscription(submission.data["token"], client_ip=web.client_ip(app.current_event))
    logger.info("subscription renewed")
    return web.respond(submission, answer)


@app.post(routes.UNSUBSCRIBE.path)
def unsubscribe():
    submission = form_posts.read(app.current_event, routes.UNSUBSCRIBE)
    answer = actions.unsubscribe(submission.data["token"], client_ip=web.client_ip(app.current_event))
    logger.info("unsubscribed")
    return web.respond(submission, answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return web.resolve(app, event, context)

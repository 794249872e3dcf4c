"""Lambda function `your_data`: POST /api/erasure, /your-data/delete/receipt, /api/access, /your-data/see/report."""

from aws_lambda_powertools.logging import correlation_paths

from jtec_forms import form_posts, routes, web
from jtec_forms.actions import your_data as actions
from jtec_forms.logs import logger
from jtec_forms.router import Router

app = Router()
web.register_error_handlers(app, logger)


@app.post(routes.ERASURE.path)
def erasure():
    submission = form_posts.read(app.current_event, routes.ERASURE)
    answer = actions.request_erasure(submission.data, client_ip=web.client_ip(app.current_event))
    logger.info("erasure requested")
    return web.respond(submission, answer)


@app.post(routes.CONFIRM_ERASURE.path)
def confirm_erasure():
    submission = form_posts.read(app.current_event, routes.CONFIRM_ERASURE)
    answer = actions.confirm_erasure(submission.data["token"], client_ip=web.client_ip(app.current_event))
    logger.info("erasure done", extra={"deleted": answer["receipt"]["deleted"]})
    return web.respond(submission, answer)


@app.post(routes.ACCESS.path)
def access():
    submission = form_posts.read(app.current_event, routes.ACCESS)
    answer = actions.request_access(submission.data, client_ip=web.client_ip(app.current_event))
    logger.info("access requested")
    return web.respond(submission, answer)


@app.post(routes.CONFIRM_ACCESS.path)
def confirm_access():
    submission = form_posts.read(app.current_event, routes.CONFIRM_ACCESS)
    answer = actions.confirm_access(submission.data["token"], client_ip=web.client_ip(app.current_event))
    logger.info("access answered", extra={"items": len(answer["items"])})
    return web.respond(submission, answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return web.resolve(app, event, context)

"""Lambda function `enquiry`: POST /api/enquiry."""

from aws_lambda_powertools.logging import correlation_paths

from jtec_forms import form_posts, routes, web
from jtec_forms.actions import enquiry as actions
from jtec_forms.logs import logger
from jtec_forms.router import Router

app = Router()
web.register_error_handlers(app, logger)


@app.post(routes.ENQUIRY.path)
def enquiry():
    submission = form_posts.read(app.current_event, routes.ENQUIRY)
    answer = actions.submit_enquiry(submission.data, client_ip=web.client_ip(app.current_event))
    logger.info("enquiry accepted", extra={"opt_in": submission.data.get("opt_in") is True})
    return web.respond(submission, answer)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def lambda_handler(event, context):
    return web.resolve(app, event, context)

"""Template globals from the Lambda package, so form fields, routes and retention periods have one source."""

from jtec_forms import retention, routes
from jtec_forms.validation import FORMS, schema
from project import policy_facts, wordings


def add_globals(generator):
    generator.env.globals.update(
        FORM_SCHEMAS={form: schema(form) for form in FORMS},
        RETENTION_SCHEDULE=retention.SCHEDULE,
        ENQUIRY_MONTHS=retention.ENQUIRY.months,
        FORM_ROUTES=routes.BY_FORM_PAGE,
        CONSENT_WORDINGS=wordings.read(),
        SCHEDULE_SINCE=policy_facts.SCHEDULE_SINCE,
    )

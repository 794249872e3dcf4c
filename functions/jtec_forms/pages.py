"""The pages a function renders for a form posted without JavaScript (templates/): a result page, or
the error page, in the site's header and footer. Jinja is loaded on the first page only: JSON answers
never pay for it."""

import functools
import json
from pathlib import Path

from jtec_forms import retention, site_facts

TEMPLATES = Path(__file__).parent / "templates"


def data_uri(body):
    """The answer as a JSON file the page itself carries (a link works once, so the download cannot ask
    the server again): base64 of the UTF-8 JSON, no script needed."""
    import base64

    encoded = base64.b64encode(json.dumps(body, indent=2, ensure_ascii=False).encode()).decode()
    return "data:application/json;base64," + encoded


@functools.cache
def _templates():
    """Jinja, loaded on the first HTML page only: JSON answers never pay for it."""
    import jinja2

    from jtec_forms import letter

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    environment.filters["in_words"] = letter.in_words
    environment.globals.update(readable=letter.fields, kept=letter.kept)
    return environment


def render(template, route, **context):
    """A page of the site rendered by a function (templates/), with the site's header and footer."""
    return (
        _templates()
        .get_template(template)
        .render(
            route=route,
            SITEURL="",
            COMPANY=site_facts.COMPANY,
            MENU_LINKS=site_facts.MENU_LINKS,
            FOOTER_LINKS=site_facts.FOOTER_LINKS,
            KIND_NAMES={entry.kind: entry.what for entry in retention.SCHEDULE},
            ENQUIRY_MONTHS=retention.ENQUIRY.months,
            **context,
        )
    )


def error_page(route, errors, status, values):
    """The page a form posted without JavaScript gets when it cannot be done (templates/error_page.html):
    the form again, filled in with `values` (what was typed), with `errors` beside their fields."""
    from jtec_forms.validation import schema

    return render(
        "error_page.html", route, errors=errors, status=status, values=values, form_schema=schema(route.form)
    )

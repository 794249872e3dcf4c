"""Pelican plugin: gives templates the forms' JSON Schemas, routes and retention schedule, and fails the
build when the privacy policy in force states an enquiry period other than the schedule's, when a
consent wording changed its words without a new id, or when a page has no description for search results.

Pelican is imported when the plugin registers, not when the package is imported: importing Pelican
replaces the logging classes of the whole process, so the plain check functions stay free of it.
"""


def register():
    from pelican import signals

    from .checks import (
        check_consent_wordings,
        check_enquiry_period,
        check_page_descriptions,
        check_policy_facts,
    )
    from .globals import add_globals

    signals.generator_init.connect(add_globals)
    signals.all_generators_finalized.connect(check_enquiry_period)
    signals.all_generators_finalized.connect(check_consent_wordings)
    signals.all_generators_finalized.connect(check_policy_facts)
    signals.all_generators_finalized.connect(check_page_descriptions)

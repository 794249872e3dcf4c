"""Pelican plugin: gives templates the forms' JSON Schemas and the retention schedule, and fails the
build when the privacy policy in force states an enquiry period other than the schedule's."""

from pelican import signals

from .checks import check_enquiry_period
from .globals import add_globals


def register():
    signals.generator_init.connect(add_globals)
    signals.all_generators_finalized.connect(check_enquiry_period)

"""Pelican plugin: every version of every policy at a permanent URL, with history, diffs and a feed.

Pelican is imported when the plugin registers, not when the package is imported, so the plain
modules (`versions`, `changes`) can be used and tested without it.
"""


def get_generators(pelican):
    from .generator import PolicyGenerator

    return PolicyGenerator


def register():
    from pelican import signals

    signals.get_generators.connect(get_generators)

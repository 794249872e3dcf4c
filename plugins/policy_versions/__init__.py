"""Pelican plugin: every version of every policy at a permanent URL, with history, diffs and a feed."""

from pelican import signals

from .generator import PolicyGenerator


def get_generators(pelican):
    return PolicyGenerator


def register():
    signals.get_generators.connect(get_generators)

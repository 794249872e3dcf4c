"""Pelican plugin: the theme's assets under names that change with their content (`css/site.css` is
also written as `css/site.<hash>.css`), so they can be cached for a year and a new stylesheet is never
hidden behind an old copy. Templates write `{{ SITEURL }}/{{ 'css/site.css' | asset }}`; the plain
names stay too, for the pages the functions render (they do not know the hash), and are revalidated.
`make publish` gives each kind its Cache-Control (infra/publish.py)."""

import functools
import hashlib
import re
import shutil
from pathlib import Path

HASH_LENGTH = 12
# A name this plugin wrote: anything, a dot, the hash, the extension (infra/publish.py matches it).
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[a-z0-9]+$")


@functools.cache
def hashed_name(static_dir, relative):
    """`css/site.css` -> `css/site.<first 12 hex of its sha256>.css`."""
    digest = hashlib.sha256((Path(static_dir) / relative).read_bytes()).hexdigest()[:HASH_LENGTH]
    stem, _, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}"


def _static_dir(settings):
    return str(Path(settings["THEME"]) / "static")


def add_asset_filter(generator):
    settings = generator.settings
    static_dir = _static_dir(settings)

    def asset(relative):
        return f"{settings['THEME_STATIC_DIR']}/{hashed_name(static_dir, relative)}"

    generator.env.filters["asset"] = asset


def write_hashed_copies(pelican):
    static_dir = Path(_static_dir(pelican.settings))
    target = Path(pelican.output_path) / pelican.settings["THEME_STATIC_DIR"]
    for path in static_dir.rglob("*"):
        if path.is_file():
            relative = path.relative_to(static_dir).as_posix()
            destination = target / hashed_name(str(static_dir), relative)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def register():
    from pelican import signals

    signals.generator_init.connect(add_asset_filter)
    signals.finalized.connect(write_hashed_copies)

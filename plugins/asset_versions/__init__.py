"""Pelican plugin: the theme's assets as pages load them, minified (rcssmin, rjsmin) and under names that
change with their content (`css/site.css` is written as `css/site.<hash>.css`), so they can be cached for
a year and a new stylesheet is never hidden behind an old copy. `ASSET_BUNDLES` joins scripts a page
needs together into one file, one request.

Templates write `{{ SITEURL }}/{{ 'css/site.css' | asset }}`. The plain names stay as they are, for the
pages the functions render (they do not know the hash), and are revalidated on every visit;
`make publish` gives each kind its Cache-Control (infra/publish.py)."""

import functools
import hashlib
import re
from pathlib import Path

HASH_LENGTH = 12
# A name this plugin wrote: anything, a dot, the hash, the extension (infra/publish.py matches it).
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[a-z0-9]+$")


def minified(relative, text):
    if relative.endswith(".css"):
        import rcssmin

        return rcssmin.cssmin(text)
    if relative.endswith(".js"):
        import rjsmin

        return rjsmin.jsmin(text)
    return text


@functools.cache
def built_asset(static_dir, relative, members=()):
    """(hashed name, bytes) of an asset: one file of the theme's static folder, or a bundle of `members`."""
    sources = members or (relative,)
    text = "\n".join((Path(static_dir) / member).read_text(encoding="utf-8") for member in sources)
    content = minified(relative, text).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    stem, _, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}", content


def _static_dir(settings):
    return str(Path(settings["THEME"]) / "static")


def _assets(settings):
    """Every asset the build writes under a hashed name: each static file, and each bundle."""
    static_dir = Path(_static_dir(settings))
    bundles = {name: tuple(members) for name, members in settings.get("ASSET_BUNDLES", {}).items()}
    files = {
        path.relative_to(static_dir).as_posix(): ()
        for path in static_dir.rglob("*")
        if path.is_file() and path.suffix in (".css", ".js", ".svg")
    }
    return {**files, **bundles}


def add_asset_filter(generator):
    settings = generator.settings
    static_dir = _static_dir(settings)
    assets = _assets(settings)

    def asset(relative):
        name, _ = built_asset(static_dir, relative, assets[relative])
        return f"{settings['THEME_STATIC_DIR']}/{name}"

    generator.env.filters["asset"] = asset


def write_hashed_copies(pelican):
    static_dir = _static_dir(pelican.settings)
    target = Path(pelican.output_path) / pelican.settings["THEME_STATIC_DIR"]
    for relative, members in _assets(pelican.settings).items():
        name, content = built_asset(static_dir, relative, members)
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)


def register():
    from pelican import signals

    signals.generator_init.connect(add_asset_filter)
    signals.finalized.connect(write_hashed_copies)

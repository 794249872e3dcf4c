"""Builds the site with the real Pelican (make serve, make build, make preview, make publish, the
benchmarks and the tests all build through here)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from project import PROJECT_DIR


class BuildFailed(Exception):
    """Pelican exited non-zero; the message is its output, for the person editing."""


def build_site(output_dir, *, content_dir=None, settings_file=None, settings=None, env=None):
    """Run Pelican once into `output_dir`; `settings` override the settings file's values."""
    content_dir = Path(content_dir or PROJECT_DIR / "content")
    settings_file = Path(settings_file or PROJECT_DIR / "pelicanconf.py")
    command = [sys.executable, "-m", "pelican", str(content_dir), "-o", str(output_dir)]
    command += ["-s", str(settings_file)]
    if settings:
        # One -e with every pair: Pelican keeps only the last of repeated -e options.
        command += ["-e"] + [f"{key}={json.dumps(value)}" for key, value in settings.items()]
    result = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BuildFailed((result.stdout + result.stderr).strip())
    return result

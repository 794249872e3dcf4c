"""Builds the site with the real Pelican, and rebuilds it when content, theme or plugins change."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


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


class WatchingBuilder:
    """Rebuilds the site before a request when any watched file has changed since the last build."""

    def __init__(self, output_dir, **build_options):
        self.output_dir = Path(output_dir)
        self.build_options = build_options
        content_dir = Path(build_options.get("content_dir") or PROJECT_DIR / "content")
        settings_file = Path(build_options.get("settings_file") or PROJECT_DIR / "pelicanconf.py")
        self.watch_dirs = [content_dir, PROJECT_DIR / "theme", PROJECT_DIR / "plugins"]
        self.watch_files = [settings_file]
        self.last_snapshot = None
        self.error = None
        self.lock = threading.Lock()

    def snapshot(self):
        entries = []
        for path in self.watch_files:
            if path.exists():
                stat = path.stat()
                entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        for directory in self.watch_dirs:
            for root, dirs, files in os.walk(directory):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                for name in files:
                    stat = os.stat(os.path.join(root, name))
                    entries.append((os.path.join(root, name), stat.st_mtime_ns, stat.st_size))
        return sorted(entries)

    def rebuild_if_changed(self):
        """Build if anything changed; return the build error text, or None when the site is good."""
        with self.lock:
            current = self.snapshot()
            if current != self.last_snapshot:
                self.last_snapshot = current
                try:
                    build_site(self.output_dir, **self.build_options)
                    self.error = None
                except BuildFailed as failure:
                    self.error = str(failure)
            return self.error

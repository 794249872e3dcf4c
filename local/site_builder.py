"""Rebuilds the site (project.site) when content, theme or plugins change, for make serve."""

import os
import threading
from pathlib import Path

from project import PROJECT_DIR
from project.site import BuildFailed, build_site


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

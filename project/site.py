"""Builds the site with the real Pelican (make serve, make build, make preview, make publish, the
benchmarks and the tests all build through here).

Each build is its own process, so nothing one build's plugins or settings did reaches the next. A
process that builds many times (make serve on every edit, the tests) can first call `keep_pelican_warm()`:
builds are then forked from a process that has already imported Pelican and the libraries it reads
Markdown and templates with (about half a second of every build), and, after each build, every other
library module (the standard library's or an installed package's) that build imported. The project's
own code (settings, plugins, theme) is never imported there: each build reads it afresh, so an edit to
a plugin is in the next build.
"""

import contextlib
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import threading
from pathlib import Path

from project import PROJECT_DIR
from project.compiled_templates import keep_compiled_templates

# What every build imports and no edit to the project changes: the forked builds start with these loaded.
_WARM_MODULES = [
    "pelican",
    "pelican.generators",
    "pelican.readers",
    "pelican.writers",
    "rich.status",
    "lxml.html",
]


class BuildFailed(Exception):
    """Pelican exited non-zero; the message is its output, for the person editing."""


class _WarmBuilder:
    """A process with Pelican imported that forks one child per build (`python -m project.site --warm`).
    It is single-threaded, so forking it is safe; it ends when this process closes its input."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "project.site", "--warm"],
            cwd=PROJECT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, arguments, environment):
        with self.lock, tempfile.TemporaryDirectory(prefix="pelican-output-") as folder:
            stdout, stderr = Path(folder, "stdout"), Path(folder, "stderr")
            request = {
                "arguments": arguments,
                "environment": environment,
                "stdout": str(stdout),
                "stderr": str(stderr),
            }
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
            if not answer:
                raise RuntimeError("the warm Pelican process ended; its error is above")
            returncode = json.loads(answer)["returncode"]
            return subprocess.CompletedProcess(
                ["pelican", *arguments], returncode, _read(stdout), _read(stderr)
            )


_keep_warm = False
_warm = None  # the warm process, started by the first build after keep_pelican_warm()
_starting = threading.Lock()


def keep_pelican_warm():
    """Build from now on in processes forked from one with Pelican already imported (started by the first
    build, so a process that never builds starts none)."""
    global _keep_warm
    _keep_warm = True


def _warm_builder():
    global _warm
    with _starting:
        if _warm is None:
            _warm = _WarmBuilder()
    return _warm


def build_site(output_dir, *, content_dir=None, settings_file=None, settings=None, env=None):
    """Run Pelican once into `output_dir`; `settings` override the settings file's values."""
    content_dir = Path(content_dir or PROJECT_DIR / "content")
    settings_file = Path(settings_file or PROJECT_DIR / "pelicanconf.py")
    arguments = [str(content_dir), "-o", str(output_dir), "-s", str(settings_file)]
    if settings:
        # One -e with every pair: Pelican keeps only the last of repeated -e options.
        arguments += ["-e"] + [f"{key}={json.dumps(value)}" for key, value in settings.items()]
    environment = {**os.environ, **(env or {})}
    if _keep_warm:
        result = _warm_builder().run(arguments, environment)
    else:
        command = [sys.executable, "-m", "pelican", *arguments]
        result = subprocess.run(command, cwd=PROJECT_DIR, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildFailed((result.stdout + result.stderr).strip())
    return result


def _read(path):
    return path.read_text(errors="replace") if path.exists() else ""


def _serve_builds(requests, answers):
    """The warm process: for each request line, fork; the child builds, the parent answers its exit code."""
    import importlib

    for module in _WARM_MODULES:
        importlib.import_module(module)
    with tempfile.TemporaryDirectory(prefix="pelican-templates-") as compiled:
        keep_compiled_templates(compiled)
        imported = Path(compiled, "imported-libraries")
        for line in requests:
            request = json.loads(line)
            child = os.fork()
            if child == 0:
                os._exit(_build_here(**request, imported=imported))
            _, status = os.waitpid(child, 0)
            answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
            answers.flush()
            _import_libraries(imported)


_LIBRARY_PATHS = tuple(
    {
        str(Path(sysconfig.get_paths()[name]).resolve()) + os.sep
        for name in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)


def _is_library(module):
    """A module of the standard library or of an installed package (never the project's own)."""
    path = getattr(module, "__file__", None)
    return bool(path) and str(Path(path).resolve()).startswith(_LIBRARY_PATHS)


def _import_libraries(listed):
    """Import the library modules a build listed in `listed` (the next builds are forked with them)."""
    import importlib

    if not listed.exists():
        return
    for name in listed.read_text().split():
        if threading.active_count() > 1:
            break  # a library started a thread as it was imported: import nothing more before forking
        # A module that needs what only a build sets up is left to the builds.
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    listed.unlink()


def _build_here(arguments, environment, stdout, stderr, imported):
    """In the forked child: what `python -m pelican` does, with `environment`, its output in two files;
    the library modules it imported that the warm process lacks are listed in `imported`."""
    before = set(sys.modules)
    os.environ.clear()
    os.environ.update(environment)
    for stream, path in ((1, stdout), (2, stderr)):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(descriptor, stream)
        os.close(descriptor)
    import pelican

    try:
        pelican.main(arguments)
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    new = [name for name, module in list(sys.modules.items()) if name not in before and _is_library(module)]
    Path(imported).write_text("\n".join(new))
    return code


if __name__ == "__main__" and sys.argv[1:] == ["--warm"]:
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything printed here goes to the terminal, never into the answers
    _serve_builds(sys.stdin, answers)

"""The Lambda artefact as `sam build` makes it for the template's runtime and architecture: finding the
runtime's Python on this machine, building, and measuring what was built (the tests and `make bench`)."""

import os
import shutil
import subprocess
from pathlib import Path

from project import PROJECT_DIR
from project.template import read_template

SAM = PROJECT_DIR / ".venv-infra" / "bin" / "sam"
# The unzipped size one function's artefact may reach (Lambda allows 250 MB): the tests hold it, and
# `make bench` reports the sizes (docs/performance.md).
MAX_UNZIPPED_BYTES = 12 * 1024 * 1024


class RuntimeMissing(Exception):
    """The runtime's Python is not on this machine; the message says what to install."""


def runtime():
    """(Python version, architectures) of the functions, from the template: ("3.12", ["arm64"])."""
    function = read_template()["Globals"]["Function"]
    return function["Runtime"].removeprefix("python"), function["Architectures"]


def runtime_python():
    """The path of the runtime's Python on this machine (on PATH, or pyenv's)."""
    version, _ = runtime()
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"), reverse=True)
    for candidate in filter(None, candidates):
        # A pyenv shim is on PATH even when that version is not selected: ask it.
        asked = subprocess.run(
            [str(candidate), "-c", "import sys; print(sys.version)"], capture_output=True, text=True
        )
        if asked.returncode == 0 and asked.stdout.startswith(version + "."):
            return str(Path(candidate).resolve())
    raise RuntimeMissing(
        f"The Lambda runtime's Python {version} is needed (python{version} on PATH, or pyenv's): "
        f"'pyenv install {version}', or your distribution's python{version} and python{version}-venv packages"
    )


def sam_build(build_dir):
    """Run `sam build` into `build_dir` (one folder per function); (exit status, its output)."""
    path = os.pathsep.join([str(Path(runtime_python()).parent), os.environ["PATH"]])
    built = subprocess.run(
        [str(SAM), "build", "--template-file", "infra/template.yaml", "--build-dir", str(build_dir)],
        cwd=PROJECT_DIR,
        env={**os.environ, "PATH": path, "SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
    )
    return built.returncode, built.stdout + built.stderr


def functions():
    """The template's function resources, by logical name."""
    return [
        name
        for name, resource in read_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    ]


def size(function_dir):
    """(bytes unzipped, files) of one function's built folder."""
    files = [path for path in Path(function_dir).rglob("*") if path.is_file()]
    return sum(path.stat().st_size for path in files), len(files)

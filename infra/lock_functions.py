"""Resolve functions/requirements.in for the Lambda runtime into functions/requirements.txt, the exact
versions `sam build` bundles (Powertools among them: bundled, not a layer, so what is deployed is what
the lock says and nothing is pinned in two places).

    python -m infra.lock_functions      (make lock-functions)
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parent.parent / "functions"
# The runtime of every function in infra/template.yaml (a test holds them together).
RUNTIME_PYTHON = "3.12"
RUNTIME_PLATFORM = "manylinux2014_aarch64"


def resolve(requirements_in):
    """(name, version) of every package pip would install for the runtime, dependencies included."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed"]
            + ["--only-binary=:all:", "--platform", RUNTIME_PLATFORM, "--python-version", RUNTIME_PYTHON]
            + ["--implementation", "cp", "--target", scratch, "--report", str(report)]
            + ["-r", str(requirements_in)],
            check=True,
        )
        installs = json.loads(report.read_text())["install"]
    return sorted((item["metadata"]["name"].lower(), item["metadata"]["version"]) for item in installs)


def main():
    pins = resolve(FUNCTIONS / "requirements.in")
    lines = [
        "# Written by `make lock-functions` from requirements.in for Python "
        f"{RUNTIME_PYTHON} on arm64: the exact versions `sam build` bundles. Do not edit by hand.",
        *(f"{name}=={version}" for name, version in pins),
    ]
    (FUNCTIONS / "requirements.txt").write_text("\n".join(lines) + "\n")
    print(f"functions/requirements.txt: {len(pins)} packages")


if __name__ == "__main__":
    main()

"""The Lambda artefact's size: `sam build` for the template's runtime and architecture, then each
function's folder, unzipped and as the zip Lambda stores (the deploy uploads a zip of the folder)."""

import tempfile
import zipfile
from pathlib import Path

from bench.report import Figure, met, print_table
from project import lambda_build

BUDGET_BYTES = lambda_build.MAX_UNZIPPED_BYTES  # the tests hold each function to it too


def zipped_bytes(folder, scratch):
    archive = Path(scratch) / (Path(folder).name + ".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(folder))
    return archive.stat().st_size


def main():
    rows, figures = [], []
    with tempfile.TemporaryDirectory() as scratch:
        status, output = lambda_build.sam_build(Path(scratch) / "build")
        if status != 0:
            raise SystemExit(output[-3000:])
        for function in lambda_build.functions():
            folder = Path(scratch) / "build" / function
            unzipped, files = lambda_build.size(folder)
            zipped = zipped_bytes(folder, scratch)
            rows.append([function, f"{unzipped:,}", f"{zipped:,}", str(files)])
            figures.append(
                Figure(
                    f"Lambda artefact {function} (sam build, Python 3.12 arm64): unzipped; zipped",
                    f"{unzipped:,} B; {zipped:,} B",
                    target=f"<= {BUDGET_BYTES:,} B unzipped",
                    met=met(unzipped <= BUDGET_BYTES),
                )
            )
    print_table("The Lambda artefact", ["function", "unzipped bytes", "zipped bytes", "files"], rows)
    return figures


if __name__ == "__main__":
    main()

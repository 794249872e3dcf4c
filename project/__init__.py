"""What the project's own tools share, neutral ground for all of them: the site build (local/, infra/,
bench/ and the tests run Pelican through project.site), the SAM template as data (project.template),
and where the project is. Nothing here runs in Lambda."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

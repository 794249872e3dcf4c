"""`make serve`: build the site, start the embedded AWS (moto), and serve everything on 127.0.0.1.

`make preview` (`--preview`): build once with `publishconf.py`, as `make build` and `make publish` do (no
drafts; links and the feed under the address it serves), and serve that build as it is, never
rebuilding, with the forms' API mounted as in `make serve`: what an editor sees is what will go live."""

import argparse
import os
import re
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from jtec_forms.routes import PAGE_ADDRESSES
from local.api import ApiGateway
from local.app import LocalSite
from local.dev import DevRoutes
from local.heap import keep_full_collections_short
from local.server import make_local_server
from local.site_builder import WatchingBuilder
from local.stack import REGION, LocalAws
from local.sweeper import Sweeper
from project import PROJECT_DIR
from project.site import BuildFailed, build_site, keep_pelican_warm


@dataclass
class LocalStack:
    aws: LocalAws
    sweeper: Sweeper

    def stop(self):
        self.sweeper.stop()
        self.aws.stop()


def start_local_stack(site, site_url, sweep_interval=60, dev_routes=True):
    """Start moto, create the table and SES sender, and mount `/api/` and the routes' page addresses (and,
    unless `dev_routes` is False, as for `make preview`, which shows only what will go live, `/_dev/`) on
    `site`."""
    import boto3

    aws = LocalAws(site_url).start()
    table = boto3.resource("dynamodb").Table(aws.table_name)
    sweeper = Sweeper(table, aws.ttl_attribute, interval=sweep_interval).start()
    site.mounts["/api/"] = ApiGateway()
    for address in PAGE_ADDRESSES:  # as CloudFront sends them to the API (routes.py)
        site.mounts[address] = site.mounts["/api/"]
    if dev_routes:
        site.mounts["/_dev/"] = DevRoutes(aws, table, sweeper)
    return LocalStack(aws, sweeper)


# The line the server prints once it listens (main below): `spawn` reads its address from it.
SERVING = re.compile(r"^Serving .* on (http://[0-9.]+:[0-9]+)/")


def spawn(output_dir, *options):
    """`make serve`'s server (`--preview`: `make preview`'s) in a process of its own on a free port, for
    tests and benchmarks: (the process, its base URL). Stop it with `terminate()`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "local.serve", "--port", "0", "--output", str(output_dir), *options],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    for line in process.stdout:
        found = SERVING.match(line)
        if found:
            threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the pipe drained
            return process, found.group(1)
    process.wait()
    raise RuntimeError(
        f"the server stopped (exit status {process.returncode}) before it said where it listens"
    )


def default_output(port, preview):
    """Each server builds into its own folder (under .serve/, by mode and port), so a second `make serve`
    (POLICY_DATE=... on another port) never changes what the first serves, nor `make build`'s output/."""
    if port == 0:  # a free port, chosen by the system: a folder of its own too
        import tempfile

        return tempfile.mkdtemp(prefix="jtec-serve-")
    return str(PROJECT_DIR / ".serve" / f"{'preview' if preview else 'serve'}-{port}")


def policies_shown():
    """Which day's policies the server shows: POLICY_DATE's, or today's."""
    import datetime

    day = os.environ.get("POLICY_DATE")
    if not day:
        return "with the policies in force today"
    try:
        return f"with the policies as on {datetime.date.fromisoformat(day):%-d %B %Y} (POLICY_DATE)"
    except ValueError:
        return f"with POLICY_DATE={day}, which is not a date (YYYY-MM-DD): the build says so"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--output", help="the folder to build into (default: the server's own, under .serve/)"
    )
    parser.add_argument("--preview", action="store_true", help="serve the production build, never rebuilding")
    parser.add_argument(
        "--json-logs",
        action="store_true",
        help="print the functions' JSON logs (default: one line a request)",
    )
    options = parser.parse_args(argv)
    if not options.json_logs:
        # The terminal shows one line a request (local/server.py); the functions' JSON lines only for warnings.
        from jtec_forms.logs import logger

        logger.setLevel("WARNING")
    options.output = options.output or default_output(options.port, options.preview)

    if options.preview:
        site = LocalSite(options.output)
    else:
        keep_pelican_warm()  # every edit rebuilds: half a second less each time
        builder = WatchingBuilder(options.output)
        error = builder.rebuild_if_changed()
        if error:
            print(error)
        site = LocalSite(options.output, builder=builder)
    server = make_local_server(options.host, options.port, site, request_lines=True)
    site_url = f"http://{options.host}:{server.server_port}"
    if options.preview:
        try:
            build_site(
                options.output, settings_file=PROJECT_DIR / "publishconf.py", env={"SITEURL": site_url}
            )
        except BuildFailed as failure:
            server.server_close()
            raise SystemExit(
                f"The production build failed, so there is nothing to preview:\n{failure}"
            ) from None
    stack = start_local_stack(site, site_url, dev_routes=not options.preview)
    keep_full_collections_short()  # the table lives in this heap: see local/heap.py
    what = (
        "the production build of the JTec site (publishconf.py; edits need a restart)"
        if options.preview
        else "the JTec site"
    )
    print(f"Serving {what} on {site_url}/, {policies_shown()} (Ctrl-C stops)")
    if not options.preview:  # the preview shows only what will go live: no /_dev/
        print(
            f"  sent mail: {site_url}/_dev/outbox   table: {site_url}/_dev/items   expiry audit: {site_url}/_dev/audit"
            f"   staff digest: POST {site_url}/_dev/digest"
        )
    print(
        "  staff tools: paste these four lines in another terminal, then run jtec (for example jtec enquiries list):"
    )
    # jtec is installed beside this Python: on PATH as pasted, whichever folder the terminal is in.
    print(f'    export PATH={shlex.quote(str(Path(sys.executable).parent))}:"$PATH"')
    print(f"    export AWS_ENDPOINT_URL={stack.aws.endpoint} TABLE_NAME={stack.aws.table_name}")
    print(f"    export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION={REGION}")
    # What `jtec newsletter send` signs and links with, as the functions have it (a key made for this run).
    # And the failure queue `jtec digest` counts.
    sending = {
        name: os.environ[name] for name in ("SITE_URL", "MAIL_FROM", "APP_SECRET", "FAILURE_QUEUE_URL")
    }
    print(
        "    export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in sending.items()),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        stack.stop()


if __name__ == "__main__":
    main()

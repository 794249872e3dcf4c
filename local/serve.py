"""`make serve`: build the site, then serve it on 127.0.0.1, rebuilding when files change."""

import argparse
import os

from werkzeug.serving import make_server

from local.app import LocalSite
from local.site_builder import PROJECT_DIR, WatchingBuilder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--output", default=str(PROJECT_DIR / "output"))
    options = parser.parse_args(argv)

    builder = WatchingBuilder(options.output)
    error = builder.rebuild_if_changed()
    if error:
        print(error)
    app = LocalSite(options.output, builder=builder)
    server = make_server(options.host, options.port, app, threaded=True)
    print(f"Serving the JTec site on http://{options.host}:{server.server_port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

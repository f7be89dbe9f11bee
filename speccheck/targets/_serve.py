"""Launcher for servers without a usable command line of their own:
``python -m speccheck.targets._serve SERVER HOST PORT MODULE:APP``."""

from __future__ import annotations

import importlib
import sys
from typing import Any

__all__ = ["main"]


def _load(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module_name), attr or "app")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        sys.stderr.write("usage: python -m speccheck.targets._serve SERVER HOST PORT MODULE:APP\n")
        return 2
    server, host, port_text, spec = argv
    port = int(port_text)
    app = _load(spec)
    if server == "wsgiref":
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        make_server(host, port, app, handler_class=Quiet).serve_forever()
    elif server == "werkzeug":
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    elif server == "cheroot":
        from cheroot import wsgi

        httpd = wsgi.Server((host, port), app, numthreads=4)
        try:
            httpd.start()
        finally:
            httpd.stop()
    else:
        sys.stderr.write(f"unknown server {server!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

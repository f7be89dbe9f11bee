"""A minimal stand-in for WSGILint / ASGILint, used only while the real ones are not built.

It checks one thing (H103: Content-Length differs from the body) so the plugin's
plumbing can be tested; the sample projects install it only if the real class is missing.
"""

from __future__ import annotations

from typing import Any

from speccheck import Sink, get_rule


class StandInWSGILint:
    def __init__(self, app: Any, mode: str = "warn", select: Any = None, ignore: Any = None) -> None:
        self.app = app
        self.sink = Sink(mode, select=select, ignore=ignore)  # type: ignore[arg-type]

    @property
    def violations(self) -> list[Any]:
        return self.sink.collector.violations()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        declared: list[int] = []

        def sr(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            for name, value in headers:
                if name.lower() == "content-length":
                    declared.append(int(value))
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, sr))
        if declared and declared[0] != len(body) and self.sink.on("H103"):
            self.sink.report(
                get_rule("H103"), f"Content-Length {declared[0]} but {len(body)} body bytes", signature="cl"
            )
        return [body]

"""Server presets: how to start each known server with the probe app on a host and port.

``{python}`` is the running interpreter (so the venv's server is used), ``{app}`` the
probe's ``module:attr``, ``{host}``/``{port}`` where to listen. ``command_target``
builds a target from a user's ``--command`` template with the same placeholders.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import shlex
import sys
from dataclasses import dataclass
from typing import Literal

from speccheck._errors import UsageError

__all__ = ["PRESETS", "Target", "command_target", "get_target", "installed_targets"]

Interface = Literal["wsgi", "asgi"]

PROBE_APPS: dict[str, str] = {"asgi": "asgi_checks._probe:app", "wsgi": "wsgi_checks._probe:app"}


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    interface: Interface
    template: tuple[str, ...]
    requires: tuple[str, ...] = ()  # importable modules the server needs
    distribution: str = ""  # whose version to report
    extra: str = ""  # the speccheck extra that installs it
    description: str = ""
    # how to mount the app at a path prefix ({root}): the server's root-path option, if any
    mount: tuple[str, ...] = ()

    @property
    def mountable(self) -> bool:
        return bool(self.mount) or any("{root}" in part for part in self.template)

    def argv(self, host: str, port: int, app: str | None = None, root: str = "") -> list[str]:
        """The command line; with ``root``, the app is mounted at that path prefix."""
        values = {
            "python": sys.executable,
            "app": app or PROBE_APPS[self.interface],
            "host": host,
            "port": str(port),
            "root": root,
        }
        template = list(self.template)
        if root and self.mount:
            # options before the app argument (waitress-serve parses options with getopt)
            at = len(template) - 1 if template and template[-1] == "{app}" else len(template)
            template[at:at] = self.mount
        return [part.format(**values) for part in template]

    def missing(self) -> list[str]:
        return [m for m in self.requires if importlib.util.find_spec(m) is None]

    @property
    def installed(self) -> bool:
        return not self.missing()

    def version(self) -> str:
        """The server's version; "gunicorn 23.0 + uvicorn-worker 0.3" style for several
        distributions, the Python version for servers from the standard library."""
        if not self.distribution:
            return f"stdlib {platform.python_version()}" if not self.requires and self.name != "command" else ""
        parts = []
        for index, name in enumerate(self.distribution.split(",")):
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                continue
            parts.append(version if index == 0 else f"{name} {version}")
        return " + ".join(parts)

    def ensure_installed(self) -> None:
        missing = self.missing()
        if missing:
            hint = f"pip install 'speccheck[{self.extra}]'" if self.extra else f"pip install {missing[0]}"
            raise UsageError(f"target {self.name!r} needs {', '.join(missing)}, which is not installed: {hint}")


_PY = ("{python}", "-m")
_UVICORN = (
    *_PY,
    "uvicorn",
    "{app}",
    "--host",
    "{host}",
    "--port",
    "{port}",
    "--lifespan",
    "on",
    "--log-level",
    "warning",
    "--no-access-log",
    "--loop",
    "asyncio",
)
_GUNICORN = (*_PY, "gunicorn", "-w", "1", "-b", "{host}:{port}", "--log-level", "warning", "--graceful-timeout", "2")
_GRANIAN = (*_PY, "granian", "--host", "{host}", "--port", "{port}", "--workers", "1", "--log-level", "warning")
_SERVE = (*_PY, "speccheck.targets._serve")

PRESETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "uvicorn",
            "asgi",
            (*_UVICORN, "--http", "h11"),
            ("uvicorn", "h11"),
            "uvicorn",
            "uvicorn",
            "uvicorn with the pure-Python h11 parser",
            mount=("--root-path", "{root}"),
        ),
        Target(
            "uvicorn-httptools",
            "asgi",
            (*_UVICORN, "--http", "httptools"),
            ("uvicorn", "httptools"),
            "uvicorn",
            "uvicorn",
            "uvicorn with the httptools (llhttp) parser",
            mount=("--root-path", "{root}"),
        ),
        Target(
            "uvicorn-wsproto",
            "asgi",
            (*_UVICORN, "--http", "h11", "--ws", "wsproto"),
            ("uvicorn", "h11", "wsproto"),
            "uvicorn",
            "uvicorn",
            "uvicorn (h11) with the wsproto WebSocket implementation",
            mount=("--root-path", "{root}"),
        ),
        Target(
            "hypercorn",
            "asgi",
            (*_PY, "hypercorn", "asgi:{app}", "--bind", "{host}:{port}", "--log-level", "warning"),
            ("hypercorn",),
            "hypercorn",
            "hypercorn",
            "hypercorn serving ASGI",
            mount=("--root-path", "{root}"),
        ),
        Target(
            "hypercorn-wsgi",
            "wsgi",
            (*_PY, "hypercorn", "wsgi:{app}", "--bind", "{host}:{port}", "--log-level", "warning"),
            ("hypercorn",),
            "hypercorn",
            "hypercorn",
            "hypercorn serving WSGI",
            mount=("--root-path", "{root}"),
        ),
        Target(
            "daphne",
            "asgi",
            (*_PY, "daphne", "-b", "{host}", "-p", "{port}", "-v", "0", "{app}"),
            ("daphne",),
            "daphne",
            "daphne",
            "daphne (Twisted)",
            mount=("--root-path", "{root}"),
        ),
        Target(
            "granian",
            "asgi",
            (*_GRANIAN, "--interface", "asgi", "{app}"),
            ("granian",),
            "granian",
            "granian",
            "granian (Rust HTTP) serving ASGI",
            mount=("--url-path-prefix", "{root}"),
        ),
        Target(
            "granian-wsgi",
            "wsgi",
            (*_GRANIAN, "--interface", "wsgi", "{app}"),
            ("granian",),
            "granian",
            "granian",
            "granian (Rust HTTP) serving WSGI",
            mount=("--url-path-prefix", "{root}"),
        ),
        Target(
            "gunicorn",
            "wsgi",
            (*_GUNICORN, "-k", "sync", "{app}"),
            ("gunicorn",),
            "gunicorn",
            "gunicorn",
            "gunicorn, sync worker",
            mount=("-e", "SCRIPT_NAME={root}"),
        ),
        Target(
            "gunicorn-gthread",
            "wsgi",
            (*_GUNICORN, "-k", "gthread", "--threads", "4", "{app}"),
            ("gunicorn",),
            "gunicorn",
            "gunicorn",
            "gunicorn, gthread worker",
            mount=("-e", "SCRIPT_NAME={root}"),
        ),
        Target(
            "gunicorn-uvicorn",
            "asgi",
            (*_GUNICORN, "-k", "uvicorn_worker.UvicornWorker", "{app}"),
            ("gunicorn", "uvicorn_worker"),
            "gunicorn,uvicorn-worker",
            "gunicorn",
            "gunicorn with uvicorn-worker (ASGI)",
        ),
        Target(
            "waitress",
            "wsgi",
            (*_PY, "waitress", "--listen={host}:{port}", "{app}"),
            ("waitress",),
            "waitress",
            "waitress",
            "waitress",
            mount=("--url-prefix={root}",),
        ),
        Target(
            "werkzeug",
            "wsgi",
            (*_SERVE, "werkzeug", "{host}", "{port}", "{app}"),
            ("werkzeug",),
            "werkzeug",
            "",
            "werkzeug development server (threaded)",
        ),
        Target(
            "wsgiref",
            "wsgi",
            (*_SERVE, "wsgiref", "{host}", "{port}", "{app}"),
            (),
            "",
            "",
            "wsgiref.simple_server from the standard library",
        ),
        Target(
            "cheroot",
            "wsgi",
            (*_SERVE, "cheroot", "{host}", "{port}", "{app}"),
            ("cheroot",),
            "cheroot",
            "cheroot",
            "cheroot (CherryPy's server)",
        ),
    )
}


def get_target(name: str) -> Target:
    try:
        target = PRESETS[name]
    except KeyError:
        raise UsageError(f"unknown target {name!r}; choose one of {', '.join(PRESETS)} or use --command") from None
    return target


def installed_targets() -> list[Target]:
    return [t for t in PRESETS.values() if t.installed]


def command_target(template: str, interface: str) -> Target:
    """A target from ``--command 'myserver {app} --port {port}'``."""
    if interface not in ("wsgi", "asgi"):
        raise UsageError(f"--interface must be wsgi or asgi, got {interface!r}")
    if "{port}" not in template:
        raise UsageError("--command needs a {port} placeholder so speccheck can pick a free port")
    try:
        parts = shlex.split(template)
        for part in parts:
            part.format(python="", app="", host="", port="", root="")
    except (ValueError, KeyError, IndexError) as exc:
        raise UsageError(f"--command template is not usable: {exc}") from None
    return Target("command", interface, tuple(parts), (), "", "", template)  # type: ignore[arg-type]

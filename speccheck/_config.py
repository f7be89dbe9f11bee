"""``[tool.speccheck]`` in pyproject.toml: the same options as the command line,
which wins where both give one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from speccheck._errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["OPTION_NAMES", "find_pyproject", "load_config"]

# Long option names the config may set (kebab-case, as on the command line). Subcommands'
# own options are allowed too, under the same names (target, command, interface, ...).
OPTION_NAMES = frozenset(
    {
        "select",
        "ignore",
        "fail-on",
        "report",
        "seed",
        "examples",
        "max-time",
        "quiet",
        "target",
        "command",
        "interface",
        "startup-timeout",
        "exchange-timeout",
        "path",
        "app",
    }
)


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml from ``start`` (default: the working directory) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The ``[tool.speccheck]`` table with keys normalised to kebab-case; ``{}`` if none."""
    path = path if path is not None else find_pyproject()
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    table = data.get("tool", {}).get("speccheck", {})
    if not isinstance(table, dict):
        raise UsageError(f"[tool.speccheck] in {path} must be a table")
    config: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("_", "-")
        if name not in OPTION_NAMES:
            known = ", ".join(sorted(OPTION_NAMES))
            raise UsageError(f"unknown option {key!r} in [tool.speccheck] of {path} (known: {known})")
        config[name] = value
    return config

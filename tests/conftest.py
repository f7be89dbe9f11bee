"""Suite-wide pytest set-up. `pytester` serves the plugin tests (tests/plugin/); pytest only
accepts `pytest_plugins` in the top-level conftest."""

from __future__ import annotations

pytest_plugins = ["pytester"]

"""The public surface of app mode is exactly what is intended."""

from __future__ import annotations

import speccheck.app


def test_exported_names() -> None:
    assert speccheck.app.__all__ == ["check_app"]
    assert callable(speccheck.app.check_app)

"""Plugin tests: sample projects run through pytester (in-process where nothing global
changes, in a subprocess where a run patches classes, loads Django settings, selects a
hypothesis profile or starts xdist workers)."""

from __future__ import annotations

"""[tool.speccheck] in pyproject.toml."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from speccheck import UsageError
from speccheck._cli_common import option
from speccheck._config import find_pyproject, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_table_and_normalises_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, '[tool.speccheck]\nfail_on = "should"\nselect = ["W", "H1"]\nmax-time = 5\n')
    assert load_config(path) == {"fail-on": "should", "select": ["W", "H1"], "max-time": 5}


def test_no_table_is_empty(tmp_path: Path) -> None:
    assert load_config(_write(tmp_path, "[project]\nname = 'x'\n")) == {}


def test_found_from_a_subdirectory(tmp_path: Path) -> None:
    path = _write(tmp_path, "[tool.speccheck]\n")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_pyproject(sub) == path


def test_unknown_key_names_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "[tool.speccheck]\nfail-onn = 'must'\n")
    with pytest.raises(UsageError, match="unknown option 'fail-onn'"):
        load_config(path)


def test_broken_toml_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "[tool.speccheck\n")
    with pytest.raises(UsageError, match="cannot read"):
        load_config(path)


def test_command_line_wins_over_config() -> None:
    args = argparse.Namespace(fail_on="any", select=None, _config={"fail-on": "should", "select": ["W"]})
    assert option(args, "fail-on") == "any"
    assert option(args, "select") == ["W"]
    assert option(args, "seed", 0) == 0

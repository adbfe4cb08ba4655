"""The habits that keep the code as it is: a typed package, lint, CONTRIBUTING."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_package_is_marked_typed_and_ships_the_marker():
    assert (ROOT / "src" / "policydiffusion" / "py.typed").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "py.typed" in config["tool"]["setuptools"]["package-data"]["policydiffusion"]
    assert {"ruff", "mypy"} <= {r.split(">")[0] for r in
                                config["project"]["optional-dependencies"]["lint"]}


def test_ci_runs_ruff_and_mypy_on_src():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "ruff check src/" in ci and "mypy src/policydiffusion" in ci


def test_ruff_passes_on_src():
    pytest.importorskip("ruff")
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "src/"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_contributing_names_a_home_for_each_kind_of_addition():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for thing in ("term", "estimator", "figure", "dataset", "report section", "Golden values"):
        assert thing in text

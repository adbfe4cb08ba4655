"""The example study files ship inside the package and match the repository's examples/."""

import importlib.util
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from policydiffusion.studyfile import EXAMPLES, example_path

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = ROOT / "src" / "policydiffusion" / "examples"


def test_packaged_examples_are_the_repository_examples():
    assert sorted(p.stem for p in (ROOT / "examples").glob("*.toml")) == sorted(EXAMPLES)
    for name in EXAMPLES:
        repo, packaged = ROOT / "examples" / f"{name}.toml", PACKAGED / f"{name}.toml"
        assert repo.is_file() and packaged.is_file()
        assert packaged.read_bytes() == repo.read_bytes(), name
        assert example_path(name) == repo.resolve()


def test_package_data_includes_the_examples():
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "examples/*.toml" in conf["tool"]["setuptools"]["package-data"]["policydiffusion"]


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("wheel") is None, reason="no wheel package")
def test_wheel_carries_the_example_files(tmp_path):
    """Build a wheel offline from a copy of the tree: the linked examples arrive as files."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "src", tree / "src", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "examples", tree / "examples")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    out = tmp_path / "wheel"
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", str(tree), "-w", str(out),
                          "--no-deps", "--no-build-isolation", "-q"], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"could not build a wheel offline: {run.stderr[-300:]}")
    with zipfile.ZipFile(next(out.glob("*.whl"))) as whl:
        for name in EXAMPLES:
            assert whl.read(f"policydiffusion/examples/{name}.toml") == \
                (ROOT / "examples" / f"{name}.toml").read_bytes()

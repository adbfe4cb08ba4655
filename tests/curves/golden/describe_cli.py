"""Writes describe_cli/: the JSON and CSV tables of `policydiffusion describe` (figures
off) of three SPID policies, one of them with every adoption in one period, with
Moran permutations. Made at commit 10cc748, before describe_policies batched the
measures, by running from the repository root::

    PYTHONPATH=src python3 tests/curves/golden/describe_cli.py
"""

from __future__ import annotations

from pathlib import Path

import policydiffusion.cli.describe as describe_cli
from policydiffusion.cli import run

HERE = Path(__file__).parent / "describe_cli"
ARGS = ["describe", "--dataset", "spid", "--policy", "antibully", "--policy", "aborparc",
        "--policy", "commercial real estate receivership act", "--permutations", "19", "--seed", "3"]


def write(folder: Path) -> None:
    """Run the CLI into ``folder`` (describe.json and the tables), without figures."""
    describe_cli._figures = lambda *args, **kwargs: None  # figures are not what is compared
    assert run([*ARGS, "--out", str(folder), "--json", str(folder / "describe.json")]) == 0


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    write(HERE)

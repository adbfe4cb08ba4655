"""A warning from the data is a ``warning:`` line of the command's output, whatever
filters the process running the CLI set (``-W error``, pytest's)."""

from __future__ import annotations

import warnings
from pathlib import Path

from policydiffusion.cli import run

EXTREME = Path(__file__).resolve().parents[1] / "estimate" / "golden" / "fitted_extreme.csv"


def test_a_warning_is_a_line_even_when_the_host_makes_warnings_errors(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(["fit", str(EXTREME), "--formula", "y ~ x"]) == 0
    err = capsys.readouterr().err
    assert "warning: fitted probabilities numerically 0 or 1 occurred (2 row(s))." in err

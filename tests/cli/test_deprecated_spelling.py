"""The ``as=`` spelling in a CLI term warns on stderr, although Python hides
DeprecationWarnings by default (issue 15: one spelling, ``name=``)."""

from __future__ import annotations

import warnings

import pytest

from policydiffusion.cli import run
from policydiffusion.cli.riskset import parse_term


def test_as_spelling_is_one_line_on_stderr_under_pythons_default_filters(capsys):
    with warnings.catch_warnings():
        warnings.resetwarnings()  # Python's own defaults, not pytest's "show everything"
        warnings.simplefilter("ignore", DeprecationWarning)
        assert run(["riskset", "monadic", "--dataset", "spid", "--policy", "aborparc",
                    "--term", "national_share:as=natl"]) == 0
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if "deprecated" in ln]
    assert lines == ["warning: --term 'national_share:as=natl': as= is deprecated; write "
                     "name=natl (as in Python and the study file)."]


def test_python_still_gets_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="as= is deprecated"):
        parse_term("national_share:as=natl")

"""Fitting through pyfixest leaves the root logger as it was (pyfixest configures it
at INFO when its estimation modules are first imported)."""

import subprocess
import sys

import pytest

pytest.importorskip("pyfixest")


def test_a_fit_through_pyfixest_does_not_configure_the_root_logger():
    # a fresh interpreter, so pyfixest's estimation modules are imported by this fit
    code = """
import logging, sys
import numpy as np, pandas as pd
from policydiffusion.effects._fixest import pyfixest, quiet_fixest
assert 'pyfixest.estimation.models.feols_compressed_' not in sys.modules
pf = pyfixest()
rng = np.random.default_rng(1)
df = pd.DataFrame({"y": rng.normal(size=40), "x": rng.normal(size=40), "g": np.repeat([1, 2], 20)})
with quiet_fixest():
    pf.feols("y ~ x | g", data=df)
assert 'pyfixest.estimation.models.feols_compressed_' in sys.modules
root = logging.getLogger()
print(len(root.handlers), root.level)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "30"]  # no handler added; WARNING, Python's default

"""Simulating from a fit refuses coefficients that are not estimable, listing them as the
rest of the package does (``not_estimable_terms``, in estimate) with the remedy for why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policydiffusion
from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import SolverOptions, fit_hazard
from policydiffusion.estimate._estimable import not_estimable_terms
from policydiffusion.simulate import fit_from_json, simulate_from_fit


def _unconverged():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=300)})
    df["adopt"] = (rng.random(300) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    with pytest.warns(Warning):
        return fit_hazard(df, "adopt ~ x", solver=SolverOptions(max_iter=1))


def test_a_fit_and_its_json_are_refused_with_the_same_listing_and_remedy():
    fit = _unconverged()
    listing = not_estimable_terms(fit)
    assert listing == "Intercept (the fit did not converge), x (the fit did not converge)"
    msg = (f"the fit has coefficients that are not estimable: {listing}; simulating from them "
           "would use diverging values. Refit until it converges")
    with pytest.raises(InvalidOptionError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        simulate_from_fit(fit, None, policy="p", draws=1, seed=0)
    with pytest.raises(InvalidOptionError, match=r"not estimable: x \(\(quasi-\)complete "
                       r"separation\), Intercept \(the fit has \(quasi-\)complete separation\); "
                       r"simulating .* Refit with on_separation='firth'"):
        fit_from_json({"formula": "adopt ~ x", "coefficients": [],
                       "not_estimable": {"x": "(quasi-)complete separation",
                                         "Intercept": "the fit has (quasi-)complete separation"}})


def test_simulating_from_a_fit_does_not_reach_into_interpret():
    # data flow forward: the listing and the remedy live in estimate, beside the reasons
    code = ("import sys, policydiffusion.simulate.from_fit; "
            "print([m for m in sys.modules if m.startswith('policydiffusion.interpret')])")
    src = str(Path(policydiffusion.__file__).parents[1])  # this checkout's code, not another
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True, env={**os.environ, "PYTHONPATH": src})
    assert out.stdout.strip() == "[]"

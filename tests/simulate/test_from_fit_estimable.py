"""Simulating from a fit refuses coefficients that are not estimable, listing them as the
rest of the package does (``interpret.not_estimable_terms``) with the remedy for why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import SolverOptions, fit_hazard
from policydiffusion.interpret._compare import not_estimable_terms
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

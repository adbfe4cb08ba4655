"""Curve-fit standard errors only where the Hessian of the log-likelihood is positive definite."""

from __future__ import annotations

import numpy as np

from policydiffusion.curves import fit_curves_many
from policydiffusion.datasets import spid_study


def test_flat_likelihood_gets_no_standard_errors():
    # observed for one period only: the Gompertz and Bass likelihoods are flat in some
    # direction; their near-singular Hessians gave SEs of 290-27,500 as if estimated
    st = spid_study(policies=["commercial real estate receivership act", "aborparc"])
    fits = fit_curves_many(st, st.policy_ids)
    flat = fits["commercial real estate receivership act"]
    for m in ("gompertz", "bass"):
        assert np.isnan(flat[m].std_error).all(), (m, flat[m].std_error)
    ok = fits["aborparc"]["exponential"]  # a well-defined fit keeps its SEs
    assert np.isfinite(ok.std_error[~np.isin(ok.params, ok.at_bound)]).all()

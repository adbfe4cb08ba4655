"""Curve fits: recovery of known parameters from simulated adoptions, NLS, AIC comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.curves import MODELS, fit_curves
from policydiffusion.datasets import spid_study
from policydiffusion.errors import InvalidOptionError


def simulate(model: str, theta: tuple, *, n: int, periods: int, seed: int) -> pd.DataFrame:
    """Each unit at risk in period t adopts with the model's hazard [F(t)-F(t-1)]/[1-F(t-1)]."""
    rng = np.random.default_rng(seed)
    cdf = MODELS[model].cdf
    at_risk = np.ones(n, bool)
    period = np.full(n, -1)
    for t in range(1, periods + 1):
        F, F0 = cdf(t, *theta), cdf(t - 1, *theta)
        h = (F - F0) / (1 - F0)
        adopt = at_risk & (rng.random(n) < h)
        period[adopt] = t
        at_risk &= ~adopt
    keep = period > 0
    return pd.DataFrame({"policy": "sim", "unit": [f"u{i}" for i in np.nonzero(keep)[0]],
                         "period": period[keep]}).assign(
        units=n)


@pytest.mark.parametrize("model,theta", [
    ("bass", (0.7, 0.02, 0.35)),
    ("logistic", (0.8, 0.45, 12.0)),
])
def test_mle_recovers_known_parameters(model, theta):
    df = simulate(model, theta, n=4000, periods=35, seed=20240601)
    # the first simulated adoption must fall in period 1 so that t lines up with the DGP
    assert df["period"].min() == 1
    fit = fit_curves(df.drop(columns="units"), units=4000, models=(model,))[model]
    assert fit.method == "mle" and fit.converged
    for name, true in zip(fit.params, theta):
        est, se = fit.value(name), fit.std_error[fit.params.index(name)]
        assert np.isfinite(se) and se > 0
        assert abs(est - true) < 4 * se, (name, est, se, true)
        assert abs(est - true) / abs(true) < 0.1, (name, est, true)


def test_bass_peak_and_market_size():
    theta = (0.7, 0.02, 0.35)
    df = simulate("bass", theta, n=4000, periods=35, seed=7)
    fit = fit_curves(df.drop(columns="units"), units=4000, models=("bass",))["bass"]
    K, p, q = fit.estimate
    assert fit.derived["peak_t"][0] == pytest.approx(np.log(q / p) / (p + q))
    assert fit.derived["peak_period"][0] == pytest.approx(fit.derived["peak_t"][0])  # first period is 1
    true_peak = np.log(theta[2] / theta[1]) / (theta[1] + theta[2])
    assert abs(fit.derived["peak_t"][0] - true_peak) < 4 * fit.derived["peak_t"][1]
    assert fit.derived["m"][0] == pytest.approx(K * 4000)


def test_nls_close_to_truth_and_aic_prefers_generating_family():
    df = simulate("logistic", (0.8, 0.45, 12.0), n=4000, periods=35, seed=3).drop(columns="units")
    nls = fit_curves(df, units=4000, method="nls")
    assert nls.method == "nls" and nls["logistic"].method == "nls"
    assert nls["logistic"].value("r") == pytest.approx(0.45, rel=0.1)
    assert nls["logistic"].value("K") == pytest.approx(0.8, rel=0.05)
    assert nls["logistic"].loglik is None
    mle = fit_curves(df, units=4000)
    comp = mle.comparison()
    assert set(comp["model"]) == {"logistic", "gompertz", "bass", "exponential"}
    # under ML the logistic and Bass are the same hazard model: no label between them
    assert mle.dynamics == "internal or mixed"
    assert comp.set_index("model").loc["exponential", "delta_aic"] > 10
    ext = simulate("exponential", (0.6, 0.15), n=4000, periods=35, seed=5).drop(columns="units")
    assert fit_curves(ext, units=4000, models=("exponential", "logistic")).best == "exponential"


def test_nls_covariance_matches_curve_fit():
    from scipy.optimize import curve_fit

    df = simulate("logistic", (0.8, 0.45, 12.0), n=500, periods=30, seed=11).drop(columns="units")
    fit = fit_curves(df, units=500, models=("logistic",), method="nls")["logistic"]
    from policydiffusion.curves import adoption_curve

    c = adoption_curve(df, units=500)
    x, pcov = curve_fit(MODELS["logistic"].cdf, c["t"].to_numpy(float), c["cumulative_share"].to_numpy(),
                        p0=fit.estimate)
    np.testing.assert_allclose(fit.estimate, x, rtol=1e-4)
    np.testing.assert_allclose(fit.std_error, np.sqrt(np.diag(pcov)), rtol=1e-3)


def test_spid_fit_ceiling_and_tidy():
    s = spid_study(policies=["aborparc"])
    fits = fit_curves(s, "aborparc")
    K = fits["logistic"].value("K")
    assert 15 / 50 * 0.8 < K < 15 / 50 * 1.2
    tidy = fits.tidy()
    assert list(tidy.columns) == ["model", "term", "estimate", "std_error", "statistic", "p_value",
                                  "conf_low", "conf_high", "status"]
    d = fits.to_dict()
    assert d["method"] == "mle" and set(d["bass"]["params"]) == {"K", "p", "q"}
    assert fits.provenance["method"] == "mle"


def test_pooled_fit_and_errors():
    s = spid_study(policies=["aborparc", "aborparn"])
    pooled = fit_curves(s, None, models=("logistic",))
    assert pooled.policy.startswith("pooled (2")
    with pytest.raises(InvalidOptionError):
        fit_curves(s, "aborparc", method="ols")
    with pytest.raises(InvalidOptionError):
        fit_curves(s, "aborparc", models=("weibull",))


def test_bass_at_its_no_innovator_bound_says_nothing_on_the_terminal():
    # p at its lower bound: the numerical gradient of the peak time divided by zero and
    # numpy's RuntimeWarning reached the terminal of `policydiffusion describe`
    import warnings

    from policydiffusion.curves._fit import _bass_peak

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _bass_peak(0.0, 0.08) == float("inf")
        assert _bass_peak(1e-8 - 1e-8, 0.08) == float("inf")
        assert _bass_peak(0.01, 0.0) == 0.0
        assert abs(_bass_peak(0.01, 0.4) - np.log(40) / 0.41) < 1e-12


def test_spid_policy_with_bass_p_at_bound_fits_without_runtime_warning():
    import warnings

    from policydiffusion.datasets import spid_study

    s = spid_study()
    ids = s.policy_ids
    policy = ids[ids.index("anim_cruel_felonfirs") + 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fits = fit_curves(s, policy)
    # p on (within 1e-6 of) its bound 1e-8. The multistart SLSQP stopped at p = 1e-8 with a
    # log-likelihood 1.16 below the optimum; Newton reaches the optimum, which as the
    # theory says is the logistic's (the same hazard model under the MLE).
    assert "p" in fits["bass"].at_bound and fits["bass"].value("p") < 1e-6
    assert fits.tied("logistic", "bass")

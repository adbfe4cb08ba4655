"""Bass's OLS estimator: exact recovery, noisy recovery, delta-method SEs, undefined cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from policydiffusion.curves import adoption_curve, bass_ols, fit_bass_ols, fit_curves
from policydiffusion.curves._bass_ols import bass_params
from policydiffusion.datasets import spid_study
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning


def discrete_bass(m: float, p: float, q: float, periods: int) -> np.ndarray:
    """Expected new adopters of the discrete Bass model S_t = (p + q Y/m)(m - Y)."""
    S, Y = [], 0.0
    for _ in range(periods):
        S.append((p + q * Y / m) * (m - Y))
        Y += S[-1]
    return np.array(S)


def simulate_bass(m: int, p: float, q: float, periods: int, seed: int) -> np.ndarray:
    """Binomial draws: each of the m - Y non-adopters adopts with probability p + q Y/m."""
    rng = np.random.default_rng(seed)
    S, Y = [], 0
    for _ in range(periods):
        s = rng.binomial(m - Y, min(p + q * Y / m, 1.0))
        S.append(s)
        Y += s
    return np.array(S)


# p + q <= 1 keeps p + q Y/m below 1, so the discrete recursion never overshoots m
@given(m=st.floats(50, 1e5), p=st.floats(0.002, 0.2), q=st.floats(0.05, 0.8),
       periods=st.integers(6, 30))
@settings(max_examples=40, deadline=None)
def test_noiseless_bass_counts_recovered_exactly(m, p, q, periods):
    S = discrete_bass(m, p, q, periods)
    fit = bass_ols(S)
    assert fit.valid
    np.testing.assert_allclose([fit.m, fit.p, fit.q], [m, p, q], rtol=1e-6)
    np.testing.assert_allclose(fit.coef, [p * m, q - p, -q / m], rtol=1e-6, atol=1e-9 * m)


def test_noisy_seeded_recovery_within_se():
    m, p, q = 5000, 0.01, 0.45
    S = simulate_bass(m, p, q, 30, seed=20240601)
    fit = bass_ols(S, start=1990, policy="sim")
    assert fit.valid and fit.start == 1990 and fit.policy == "sim"
    se = fit.std_error
    for name, true in zip("mpq", (m, p, q)):
        est = getattr(fit, name)
        assert np.isfinite(se[name]) and se[name] > 0
        assert abs(est - true) < 4 * se[name], (name, est, se[name], true)
        assert abs(est - true) / true < 0.25, (name, est, true)


def test_ols_and_delta_method_match_statsmodels_and_numerical_jacobian():
    S = simulate_bass(800, 0.03, 0.5, 20, seed=11).astype(float)
    fit = bass_ols(S)
    Y = np.cumsum(S) - S
    ols = sm.OLS(S, np.column_stack([np.ones_like(Y), Y, Y ** 2])).fit()
    np.testing.assert_allclose(fit.coef, ols.params, rtol=1e-8)
    np.testing.assert_allclose(fit.cov, ols.cov_params(), rtol=1e-8)
    # numerical Jacobian of (m, p, q) in (a, b, c) by central differences
    theta = np.asarray(ols.params, float)
    J = np.zeros((3, 3))
    for j in range(3):
        h = 1e-6 * abs(theta[j])
        e = np.zeros(3)
        e[j] = h
        J[:, j] = (bass_params(*(theta + e))[0] - bass_params(*(theta - e))[0]) / (2 * h)
    V = J @ np.asarray(ols.cov_params()) @ J.T
    np.testing.assert_allclose(fit.bass_cov, V, rtol=1e-5)
    np.testing.assert_allclose([fit.std_error[k] for k in "mpq"], np.sqrt(np.diag(V)), rtol=1e-5)
    tidy = fit.tidy()
    assert list(tidy["term"]) == ["a", "b", "c", "m", "p", "q"]
    np.testing.assert_allclose(tidy["statistic"].iloc[:3], ols.tvalues, rtol=1e-8)
    np.testing.assert_allclose(tidy["p_value"].iloc[:3], ols.pvalues, rtol=1e-6)


def test_undefined_cases_give_nan_with_reason():
    # accelerating counts: c > 0, no ceiling
    with pytest.warns(PolicyDiffusionWarning, match="c = .* >= 0"):
        fit = bass_ols([1, 1, 2, 4, 8, 16, 32])
    assert not fit.valid and "imitation ceiling" in fit.reason
    assert np.isnan([fit.m, fit.p, fit.q]).all()
    assert "no Bass parameters" in fit.summary()
    assert fit.to_dict()["params"]["m"] is None
    # c < 0 but a < 0 and b small: a + bY + cY^2 < 0 for all Y
    est, jac, reason = bass_params(-1.0, 0.1, -0.01)
    assert np.isnan(est).all() and "discriminant" in reason
    with pytest.raises(InvalidOptionError, match="at least 4 periods"):
        bass_ols([1, 2, 3])
    with pytest.raises(InvalidOptionError, match="non-negative"):
        bass_ols([1, -2, 3, 4])


def test_fit_bass_ols_uses_the_adoption_curve_counts():
    s = spid_study(policies=["aborparc"])
    fit = fit_bass_ols(s, "aborparc")
    c = adoption_curve(s, "aborparc")
    assert fit.n_obs == len(c) and fit.start == int(c["period"].iloc[0])
    np.testing.assert_allclose(fit.coef, bass_ols(c["new"].to_numpy(float)).coef)
    a = pd.DataFrame({"policy": "p", "unit": list("ABCDEF"), "period": [1, 2, 2, 3, 3, 4]})
    assert fit_bass_ols(a, units=8).n_obs == 4
    with pytest.raises(InvalidOptionError, match="fit_bass_ols"):
        fit_curves(s, "aborparc", method="ols")


@pytest.mark.parametrize("code", ["c_nonnegative", "no_root", "m_nonpositive"])
def test_the_warning_reason_code_comes_from_the_one_implementation(monkeypatch, code):
    # bass_ols does not decide the code again: whatever _bass_curve says is what it reports
    from policydiffusion.curves import _bass_ols
    from policydiffusion.errors import CurveFitWarning

    nan = np.full(3, np.nan)
    monkeypatch.setattr(_bass_ols, "_bass_curve",
                        lambda a, b, c: (nan, np.full((3, 3), np.nan), code, "a reason"),
                        raising=False)
    with pytest.warns(CurveFitWarning, match="a reason") as rec:
        fit = bass_ols([1, 3, 6, 8, 6, 3, 1])        # a valid Bass series otherwise
    assert rec[0].message.fields["reason"] == code and fit.reason == "a reason"


def test_each_undefined_case_has_its_code():
    from policydiffusion.curves._bass_ols import _bass_curve

    assert _bass_curve(1.0, 0.5, 0.01)[2] == "c_nonnegative"
    assert _bass_curve(-1.0, 0.1, -0.01)[2] == "no_root"
    assert _bass_curve(-1.0, -0.5, -0.01)[2] == "m_nonpositive"
    assert _bass_curve(20.0, 0.38, -0.0004)[2:] == (None, None)

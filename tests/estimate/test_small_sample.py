"""Firth logit, King-Zeng rare events, and separation detection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import expit

from policydiffusion.errors import SeparationError, SeparationWarning
from policydiffusion.estimate import fit_hazard


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(42)
    n = 120
    df = pd.DataFrame({"x": rng.normal(size=n), "d": (rng.random(n) < 0.3).astype(int),
                       "g": rng.integers(0, 15, n)})
    df["y"] = (rng.random(n) < expit(-1.5 + 0.8 * df.x + 0.7 * df.d)).astype(int)
    return df


@pytest.fixture(scope="module")
def separated(small):
    df = small.copy()
    df.loc[df.d == 1, "y"] = 1          # d = 1 always adopts: quasi-complete separation
    return df


def _penalized(X, y):
    def negpen(b):
        eta = X @ b
        p = expit(eta)
        info = X.T @ (X * (p * (1 - p))[:, None])
        return -(y @ eta - np.logaddexp(0, eta).sum() + 0.5 * np.linalg.slogdet(info)[1])
    return negpen


@pytest.mark.parametrize("which", ["small", "separated"])
def test_firth_equals_direct_maximisation_of_penalised_likelihood(request, which):
    df = request.getfixturevalue(which)
    res = fit_hazard(df, "y ~ x + d", firth=True)
    X = np.column_stack([np.ones(len(df)), df.x, df.d])
    opt = minimize(_penalized(X, df.y.to_numpy(float)), np.zeros(3), method="BFGS",
                   options={"gtol": 1e-10})
    np.testing.assert_allclose(res.params.to_numpy(), opt.x, rtol=1e-5, atol=1e-6)
    assert res.converged and res.estimator == "firth"
    assert res.provenance["penalized_loglik"] == pytest.approx(-opt.fun, rel=1e-9)
    # Wald SEs from the inverse information at the Firth estimates (as logistf)
    p = expit(X @ res.params.to_numpy())
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))))
    np.testing.assert_allclose(res.std_errors.to_numpy(), se, rtol=1e-8)
    assert np.all(np.abs(res.params) < 10)


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.ConvergenceWarning")
def test_separation_warning_names_the_variable_and_suggests_firth(separated):
    with pytest.warns(SeparationWarning, match=r"'d'.*firth=True"):
        fit_hazard(separated, "y ~ x + d")
    with pytest.raises(SeparationError, match="'d'"):
        fit_hazard(separated, "y ~ x + d", separation="raise")


def test_no_separation_warning_on_ordinary_data(small, recwarn):
    fit_hazard(small, "y ~ x + d")
    assert not [w for w in recwarn if issubclass(w.category, SeparationWarning)]


def test_king_zeng_bias_correction_and_variance_factor(small):
    ml = fit_hazard(small, "y ~ x + d")
    kz = fit_hazard(small, "y ~ x + d", rare_events=True)
    X = np.column_stack([np.ones(len(small)), small.x, small.d])
    b = ml.params.to_numpy()
    p = expit(X @ b)
    W = p * (1 - p)
    inv = np.linalg.inv(X.T @ (X * W[:, None]))
    Q = np.einsum("ij,jk,ik->i", X, inv, X)
    xi = 0.5 * Q * (2 * p - 1)
    bias = inv @ X.T @ (W * xi)
    np.testing.assert_allclose(kz.params.to_numpy(), b - bias, rtol=1e-8)
    n, k = len(small), 3
    np.testing.assert_allclose(kz.cov.to_numpy(), ml.cov.to_numpy() * (n / (n + k)) ** 2,
                               rtol=1e-7)
    assert "King-Zeng" in kz.vcov_label
    # the correction shrinks towards zero and is close to Firth's (both remove O(1/n) bias)
    firth = fit_hazard(small, "y ~ x + d", firth=True)
    assert np.max(np.abs(kz.params - firth.params)) < 0.25 * np.max(np.abs(bias))


def test_prior_correction_shifts_only_the_intercept(small):
    kz = fit_hazard(small, "y ~ x + d", rare_events=True)
    tau = 0.02
    pc = fit_hazard(small, "y ~ x + d", rare_events={"tau": tau})
    ybar = small.y.mean()
    shift = np.log((1 - tau) / tau * ybar / (1 - ybar))
    assert pc.params["Intercept"] == pytest.approx(kz.params["Intercept"] - shift, rel=1e-10)
    np.testing.assert_allclose(pc.params[1:], kz.params[1:], rtol=1e-12)
    clustered = kz.with_vcov({"cluster": "g"})
    assert "King-Zeng variance factor" in clustered.vcov_label

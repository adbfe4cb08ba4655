"""King-Zeng rare-events logit: weighting correction and probability correction.

Goldens: ``golden/relogit_golden.R`` (Zelig::relogit 5.1.7 from Debian r-cran-zelig,
glm + sandwich for the variances) on ``golden/relogit_data.csv``. Zelig's
``case.control = "prior"`` also plugs ``w1 = tau/ybar`` into the bias term of an
unweighted fit; we follow King & Zeng (2001) and METHODS 5.7 (``w_1 = 1`` when the fit
is unweighted), so that golden is not used. Everything is also recomputed with dense
numpy here.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.estimate import fit_hazard

from conftest import GOLDEN  # noqa: E402  (tests/estimate/conftest.py)


@pytest.fixture(scope="module")
def rel():
    return (pd.read_csv(GOLDEN / "relogit_data.csv"),
            json.loads((GOLDEN / "relogit_golden.json").read_text()))


def _weighting(tau):
    return {"tau": tau, "case_control": "weighting"}


def test_unweighted_king_zeng_matches_zelig(rel):
    d, g = rel
    kz = fit_hazard(d, "y ~ x1 + x2", rare_events=True)
    assert kz.nobs == g["nobs"]
    np.testing.assert_allclose(kz.params, g["kz"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(kz.std_errors, g["kz_se_classical"], rtol=1e-6)


def test_weighting_correction_matches_zelig(rel):
    d, g = rel
    w = fit_hazard(d, "y ~ x1 + x2", rare_events=_weighting(g["tau"]), vcov="hc0")
    np.testing.assert_allclose(w.params, g["weighting"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(w.std_errors, g["weighting_se_hc0"], rtol=1e-6)
    assert w.provenance["ybar"] == pytest.approx(g["ybar"], rel=1e-14)  # complete cases
    assert w.provenance["case_control"] == "weighting"
    cl = w.with_vcov({"cluster": "g"})
    np.testing.assert_allclose(cl.std_errors, g["weighting_se_cluster_g"], rtol=1e-6)
    assert "King-Zeng variance factor" in cl.vcov_label


def test_weighting_correction_against_dense_numpy(rel):
    d, g = rel
    tau = 0.02
    cc = d.dropna(subset=["x1"])
    X = np.column_stack([np.ones(len(cc)), cc.x1, cc.x2])
    y = cc.y.to_numpy(float)
    ybar = y.mean()
    w1, w0 = tau / ybar, (1 - tau) / (1 - ybar)
    wi = np.where(y == 1, w1, w0)
    b = np.zeros(3)
    for _ in range(50):  # weighted logit MLE by Newton
        p = expit(X @ b)
        b = b + np.linalg.solve(X.T @ (X * (wi * p * (1 - p))[:, None]), X.T @ (wi * (y - p)))
    p = expit(X @ b)
    W = p * (1 - p) * wi
    inv = np.linalg.inv(X.T @ (X * W[:, None]))
    Q = np.diag(X @ inv @ X.T)
    xi = 0.5 * Q * ((1 + w1) * p - w1)
    tilde = b - inv @ X.T @ (W * xi)
    res = fit_hazard(d, "y ~ x1 + x2", rare_events=_weighting(tau), vcov="hc1")
    np.testing.assert_allclose(res.params, tilde, rtol=1e-9)
    n, k = len(y), 3
    S = X * (wi * (y - p))[:, None]
    hc1 = inv @ S.T @ S @ inv * n / (n - k) * (n / (n + k)) ** 2
    np.testing.assert_allclose(res.cov.to_numpy(), hc1, rtol=1e-8)
    assert res.provenance["w1"] == pytest.approx(w1) and res.provenance["w0"] == pytest.approx(w0)


def test_weighting_with_tau_equal_to_ybar_is_the_unweighted_correction(rel):
    d, _ = rel
    kz = fit_hazard(d, "y ~ x1 + x2", rare_events=True, vcov="hc0")
    ybar = d.dropna().y.mean()
    same = fit_hazard(d, "y ~ x1 + x2", rare_events=_weighting(ybar), vcov="hc0")
    np.testing.assert_allclose(same.params, kz.params, rtol=1e-10)
    np.testing.assert_allclose(same.cov, kz.cov, rtol=1e-8)


def test_weighting_options_are_checked(rel):
    d, _ = rel
    with pytest.warns(PolicyDiffusionWarning, match="classical variance is not valid"):
        fit_hazard(d, "y ~ x1 + x2", rare_events=_weighting(0.01))
    with pytest.raises(InvalidOptionError, match="drop weights="):
        fit_hazard(d, "y ~ x1 + x2", rare_events=_weighting(0.01), weights="x2", vcov="hc0")
    with pytest.raises(InvalidOptionError, match="needs the population event share"):
        fit_hazard(d, "y ~ x1 + x2", rare_events={"case_control": "weighting"})
    with pytest.raises(InvalidOptionError, match="case_control"):
        fit_hazard(d, "y ~ x1 + x2", rare_events={"tau": 0.01, "case_control": "both"})
    with pytest.raises(InvalidOptionError, match=r"tau must be in \(0, 1\)"):
        fit_hazard(d, "y ~ x1 + x2", rare_events=_weighting(1.5), vcov="hc0")


def test_probability_correction_against_dense_numpy(rel):
    d, _ = rel
    kz = fit_hazard(d, "y ~ x1 + x2", rare_events=True)
    new = pd.DataFrame({"x1": [-1.0, 0.0, 2.5, np.nan, 4.0], "x2": [0, 1, 1, 0, 1]})
    got = kz.predict(new, correction="king-zeng")
    X = np.column_stack([np.ones(5), new.x1, new.x2])
    p = expit(X @ kz.params.to_numpy())
    V = kz.cov.to_numpy()
    C = np.array([(0.5 - p[i]) * p[i] * (1 - p[i]) * X[i] @ V @ X[i] for i in range(5)])
    ok = ~np.isnan(new.x1.to_numpy())
    np.testing.assert_allclose(got[ok], (p + C)[ok], rtol=1e-12)
    assert np.isnan(got[3])
    np.testing.assert_allclose(kz.predict(new), p, rtol=1e-12)  # default: no correction
    # the correction moves probabilities below 0.5 up and those above 0.5 down
    np.testing.assert_array_equal(np.sign(got - p)[ok], np.sign(0.5 - p)[ok])
    with pytest.raises(InvalidOptionError, match="correction"):
        kz.predict(new, correction="bayes")
    probit = fit_hazard(d, "y ~ x1 + x2", link="probit")
    with pytest.raises(InvalidOptionError, match="logit"):
        probit.predict(new, correction="king-zeng")


def test_rare_events_dataclass_is_the_same_fit_as_true_and_the_dict(rel):
    from policydiffusion.estimate import RareEvents

    d, g = rel
    kz = fit_hazard(d, "y ~ x1 + x2", rare_events=RareEvents())
    np.testing.assert_allclose(kz.params, g["kz"], rtol=0, atol=1e-9)  # the Zelig golden
    w = fit_hazard(d, "y ~ x1 + x2", vcov="hc0",
                   rare_events=RareEvents(tau=g["tau"], case_control="weighting"))
    np.testing.assert_allclose(w.params, g["weighting"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(w.std_errors, g["weighting_se_hc0"], rtol=1e-6)
    prior = fit_hazard(d, "y ~ x1 + x2", rare_events=RareEvents(tau=g["tau"]))
    same = fit_hazard(d, "y ~ x1 + x2", rare_events={"tau": g["tau"]})
    assert prior.params.tolist() == same.params.tolist()
    assert prior.provenance["intercept_shift"] == same.provenance["intercept_shift"]
    with pytest.raises(InvalidOptionError, match="needs the population event share"):
        RareEvents(case_control="weighting")
    with pytest.raises(InvalidOptionError, match="RareEvents"):
        fit_hazard(d, "y ~ x1 + x2", rare_events="yes")


def test_a_dict_without_tau_is_the_bias_correction_not_a_silent_ml_fit(rel):
    # it used to give the uncorrected ML fit (estimator "ml") while asking for rare_events
    d, g = rel
    res = fit_hazard(d, "y ~ x1 + x2", rare_events={"case_control": "prior"})
    assert res.estimator == "king-zeng"
    np.testing.assert_allclose(res.params, g["kz"], rtol=0, atol=1e-9)

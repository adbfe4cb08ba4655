"""Firth inference: profile penalised-likelihood CIs, penalised LR tests, FLIC.

Reference values. R's logistf is not packaged for Debian (``apt-cache policy
r-cran-logistf``: none), so the goldens are logistf's published output:

- ``golden/sex2.csv``: logistf's ``sex2`` data (urinary tract infection, 239 women;
  Cytel LogXact 9 manual), as shipped in georgheinze/logistf ``data/sex2.rda``.
  ``logistf(case ~ age + oc + vic + vicl + vis + dia, sex2)`` (defaults: ``pl=TRUE``):
  coefficients and profile 95% limits as printed by logistf and used as the reference
  in jzluo/firthlogist ``firthlogist/tests/test_firthlogist.py`` ("compare with
  logistf for logistf::sex2"); PLR p-values ``fit$prob`` as printed in
  stats.stackexchange.com question 555971 ("Calculation of p-values in logistf
  package").
- ``golden/endometrial.csv``: the endometrial cancer data of Heinze & Schemper (2002,
  Statistics in Medicine 21:2409-2419; NV separates the outcome quasi-completely);
  ``logistf(HG ~ NV + PI + EH)`` coefficients and profile limits from the same
  firthlogist test file (they agree with Heinze & Schemper's table to its 2 decimals).

Besides these, every interval and test is recomputed here by brute force: the
penalised log-likelihood maximised with scipy.optimize.minimize with the coefficient
fixed, and its roots found by brentq.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq, minimize
from scipy.special import expit
from scipy.stats import chi2, norm

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import lr_test

from conftest import GOLDEN  # noqa: E402  (tests/estimate/conftest.py)
from test_small_sample import _penalized  # noqa: E402  (negative penalised loglik)

SEX2_FORMULA = "case ~ age + oc + vic + vicl + vis + dia"
SEX2_TERMS = ["Intercept", "age", "oc", "vic", "vicl", "vis", "dia"]
SEX2_COEF = [0.12025405, -1.10598131, -0.06881673, 2.26887464, -2.11140817, -0.78831694,
             3.09601166]
SEX2_CI = [[-0.8185591, 1.07315122], [-1.9737884, -0.30742514], [-0.9414363, 0.78920202],
           [1.2730216, 3.43543273], [-3.2608611, -1.11773495], [-1.6080879, 0.01518468],
           [0.7745682, 8.03029352]]
SEX2_P = [8.020268e-01, 6.143472e-03, 8.751911e-01, 1.678877e-06, 1.237805e-05, 5.449701e-02,
          4.951873e-03]
ENDO_COEF = {"Intercept": 3.77455951, "NV": 2.92927330, "PI": -0.03475175, "EH": -2.60416387}
ENDO_CI = {"Intercept": [1.0825371, 7.20928050], "NV": [0.6097244, 7.85463171],
           "PI": [-0.1244587, 0.04045547], "EH": [-4.3651832, -1.23272106]}


@pytest.fixture(scope="module")
def sex2() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "sex2.csv")


@pytest.fixture(scope="module")
def sex2_fit(sex2):
    return fit_hazard(sex2, SEX2_FORMULA, firth=True)


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(11)
    n = 60
    df = pd.DataFrame({"x": rng.normal(size=n), "d": (rng.random(n) < 0.25).astype(int)})
    df["y"] = (rng.random(n) < expit(-1.0 + 0.9 * df.x + 1.2 * df.d)).astype(int)
    df.loc[df.d == 1, "y"] = 1          # quasi-complete separation by d
    return df


def test_sex2_matches_logistf(sex2_fit):
    t = sex2_fit.tidy()
    assert t["term"].tolist() == SEX2_TERMS
    np.testing.assert_allclose(t["estimate"], SEX2_COEF, atol=1e-6)
    np.testing.assert_allclose(t[["conf_low", "conf_high"]].to_numpy(), SEX2_CI, atol=1e-6)
    np.testing.assert_allclose(t["p_value"], SEX2_P, rtol=1e-6)
    np.testing.assert_allclose(t["statistic"], chi2.isf(t["p_value"], 1), rtol=1e-8)
    assert "profile penalised-likelihood 95% CIs" in t.attrs["inference"]


def test_endometrial_heinze_schemper_matches_logistf():
    df = pd.read_csv(GOLDEN / "endometrial.csv")
    t = fit_hazard(df, "HG ~ NV + PI + EH", firth=True).tidy().set_index("term")
    for term, b in ENDO_COEF.items():
        assert t.loc[term, "estimate"] == pytest.approx(b, abs=1e-6)
        np.testing.assert_allclose(t.loc[term, ["conf_low", "conf_high"]].to_numpy(float),
                                   ENDO_CI[term], atol=1e-6)


def _brute_profile(X, y, j, b):
    """max over the other coefficients of the penalised loglik with b_j = b."""
    negpen = _penalized(X, y)
    others = [i for i in range(X.shape[1]) if i != j]

    def f(rest):
        full = np.empty(X.shape[1])
        full[j], full[others] = b, rest
        return negpen(full)

    opt = minimize(f, np.zeros(len(others)), method="BFGS", options={"gtol": 1e-9})
    return -opt.fun


def test_profile_limits_and_plr_tests_by_brute_force(small):
    res = fit_hazard(small, "y ~ x + d", firth=True)
    t = res.tidy()
    X = np.column_stack([np.ones(len(small)), small.x, small.d])
    y = small.y.to_numpy(float)
    pen_max = -minimize(_penalized(X, y), np.zeros(3), method="BFGS",
                        options={"gtol": 1e-10}).fun
    q = chi2.ppf(0.95, 1)
    for j in range(3):
        bj = res.params.iloc[j]
        g = lambda b: _brute_profile(X, y, j, b) - (pen_max - q / 2)  # noqa: E731
        lo = brentq(g, t.conf_low[j] - 1.0, bj, xtol=1e-9)
        hi = brentq(g, bj, t.conf_high[j] + 1.0, xtol=1e-9)
        assert t.conf_low[j] == pytest.approx(lo, abs=1e-7)
        assert t.conf_high[j] == pytest.approx(hi, abs=1e-7)
        stat = 2 * (pen_max - _brute_profile(X, y, j, 0.0))
        assert t.statistic[j] == pytest.approx(stat, abs=1e-7)
        assert t.p_value[j] == pytest.approx(chi2.sf(stat, 1), rel=1e-4)
    # under separation the profile interval of d is asymmetric, far from the Wald one
    d = t.set_index("term").loc["d"]
    assert d.conf_high - d.estimate > 1.5 * (d.estimate - d.conf_low)


def test_profile_close_to_wald_in_a_large_sample():
    rng = np.random.default_rng(7)
    n = 20_000
    df = pd.DataFrame({"x": rng.normal(size=n)})
    df["y"] = (rng.random(n) < expit(-1 + 0.5 * df.x)).astype(int)
    prof = fit_hazard(df, "y ~ x", firth=True).tidy()
    wald = fit_hazard(df, "y ~ x", firth=True, firth_inference="wald").tidy()
    for c in ("conf_low", "conf_high"):
        np.testing.assert_allclose(prof[c], wald[c], atol=0.02 * wald.std_error.max())
    assert np.all(prof.p_value < 1e-10) and np.all(wald.p_value < 1e-10)


def test_wald_option_robust_vcov_and_labels(sex2, sex2_fit):
    wald = fit_hazard(sex2, SEX2_FORMULA, firth=True, firth_inference="wald")
    t = wald.tidy()
    z = t.estimate / t.std_error
    np.testing.assert_allclose(t.statistic, z)
    np.testing.assert_allclose(t.conf_high, t.estimate + norm.ppf(0.975) * t.std_error)
    assert t.attrs["inference"].startswith("z statistics")
    np.testing.assert_allclose(t.estimate, sex2_fit.params)
    # a robust variance: Wald with that variance, and the label says why
    hc = sex2_fit.with_vcov("hc0")
    th = hc.tidy()
    np.testing.assert_allclose(th.conf_low, th.estimate - norm.ppf(0.975) * th.std_error)
    assert "needs vcov='classical'" in hc.inference
    back = hc.with_vcov("classical").tidy()
    pd.testing.assert_frame_equal(back, sex2_fit.tidy())
    d = sex2_fit.to_dict()
    assert d["inference"].startswith("penalised likelihood ratio tests")
    assert d["provenance"]["firth_inference"] == "profile"
    assert "Heinze & Schemper" in str(sex2_fit.summary())
    with pytest.raises(InvalidOptionError, match="firth_inference"):
        fit_hazard(sex2, SEX2_FORMULA, firth=True, firth_inference="score")


def test_other_confidence_level(sex2_fit):
    t90 = sex2_fit.tidy(conf_level=0.90)
    t95 = sex2_fit.tidy()
    assert np.all(t90.conf_low > t95.conf_low) and np.all(t90.conf_high < t95.conf_high)
    np.testing.assert_allclose(t90.p_value, t95.p_value)
    assert "90% CIs" in t90.attrs["inference"]


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.SeparationWarning",
                            "ignore::policydiffusion.errors.ConvergenceWarning")
def test_penalized_lr_test_of_nested_models(sex2, sex2_fit):
    t = sex2_fit.penalized_lr_test(["vic", "vicl", "vis"])
    X = np.column_stack([np.ones(len(sex2))] + [sex2[c] for c in SEX2_TERMS[1:]])
    y = sex2.case.to_numpy(float)
    negpen = _penalized(X, y)
    free = [0, 1, 2, 6]

    def f(rest):
        b = np.zeros(7)
        b[free] = rest
        return negpen(b)

    pen0 = -minimize(f, np.zeros(4), method="BFGS", options={"gtol": 1e-9}).fun
    pen_max = -negpen(sex2_fit.params.to_numpy())
    assert t.statistic == pytest.approx(2 * (pen_max - pen0), abs=1e-5)
    assert t.df == 3 and t.p_value == pytest.approx(chi2.sf(t.statistic, 3), rel=1e-9)
    small = fit_hazard(sex2, "case ~ age + oc + dia", firth=True)
    via = lr_test(small, sex2_fit)
    assert via.penalized and via.df == 3
    assert via.statistic == pytest.approx(t.statistic, rel=1e-10)
    # one term: the same as the tidy table's PLR test
    one = sex2_fit.penalized_lr_test("dia")
    assert one.p_value == pytest.approx(sex2_fit.tidy().p_value.iloc[-1], rel=1e-8)
    with pytest.raises(InvalidOptionError, match="two Firth fits"):
        lr_test(fit_hazard(sex2, "case ~ age + oc + dia"), sex2_fit)
    with pytest.raises(InvalidOptionError, match="not in the model"):
        sex2_fit.penalized_lr_test(["nope"])


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.SeparationWarning",
                            "ignore::policydiffusion.errors.ConvergenceWarning")
def test_flic(sex2, sex2_fit):
    import statsmodels.api as sm

    fl = sex2_fit.flic()
    assert fl.estimator == "firth-flic"
    np.testing.assert_allclose(fl.params.iloc[1:], sex2_fit.params.iloc[1:], rtol=0, atol=0)
    # intercept: ML logit with the Firth slopes' linear predictor as offset
    X = np.column_stack([np.ones(len(sex2))] + [sex2[c] for c in SEX2_TERMS[1:]])
    offset = X[:, 1:] @ sex2_fit.params.iloc[1:].to_numpy()
    glm = sm.GLM(sex2.case, np.ones((len(sex2), 1)), family=sm.families.Binomial(),
                 offset=offset).fit(tol=1e-14)
    assert fl.params["Intercept"] == pytest.approx(glm.params.iloc[0], abs=1e-9)
    p = fl.predict(sex2)
    assert p.mean() == pytest.approx(sex2.case.mean(), abs=1e-12)
    cov = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    np.testing.assert_allclose(fl.cov.to_numpy(), cov, rtol=1e-8)
    t = fl.tidy().set_index("term")
    se0 = np.sqrt(cov[0, 0])
    assert t.loc["Intercept", "conf_low"] == pytest.approx(
        fl.params["Intercept"] - norm.ppf(0.975) * se0, rel=1e-9)
    assert t.loc["Intercept", "p_value"] == pytest.approx(
        2 * norm.sf(abs(fl.params["Intercept"]) / se0), rel=1e-9)
    base = sex2_fit.tidy().set_index("term")
    cols = ["estimate", "statistic", "p_value", "conf_low", "conf_high"]
    pd.testing.assert_frame_equal(t.loc[SEX2_TERMS[1:], cols], base.loc[SEX2_TERMS[1:], cols])
    assert "FLIC" in fl.inference and "FLIC" in fl.summary().title
    with pytest.raises(InvalidOptionError, match="Firth fit"):
        fit_hazard(sex2, SEX2_FORMULA).flic()
    with pytest.raises(InvalidOptionError, match="has none"):
        fit_hazard(sex2, "case ~ 0 + age + oc", firth=True).flic()


def test_flic_makes_predictions_calibrated_in_rare_events():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=150)})
    df["y"] = (rng.random(150) < expit(-3.5 + 0.8 * df.x)).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fi = fit_hazard(df, "y ~ x", firth=True)
    # Firth's intercept pulls predictions towards 0.5; FLIC restores the event share
    assert fi.predict(df).mean() > df.y.mean()
    assert fi.flic().predict(df).mean() == pytest.approx(df.y.mean(), abs=1e-12)


def test_cli_firth_reports_profile_inference(tmp_path, capsys):
    import json

    from policydiffusion.cli import run

    out = tmp_path / "firth.json"
    assert run(["fit", str(GOLDEN / "sex2.csv"), "--formula", SEX2_FORMULA, "--firth",
                "--json", str(out)]) == 0
    assert "Heinze & Schemper" in capsys.readouterr().out
    got = json.loads(out.read_text())
    assert got["estimator"] == "firth" and "profile" in got["inference"]
    np.testing.assert_allclose([c["conf_low"] for c in got["coefficients"]],
                               [c[0] for c in SEX2_CI], atol=1e-6)
    assert run(["fit", str(GOLDEN / "sex2.csv"), "--formula", SEX2_FORMULA, "--firth",
                "--firth-inference", "wald"]) == 0
    assert "z statistics" in capsys.readouterr().out


def test_case_weights_equal_repeated_rows(sex2, sex2_fit):
    """logistf's sexagg example: the aggregated data with counts as weights give sex2's fit."""
    agg = sex2.groupby(list(sex2.columns)).size().reset_index(name="count")
    res = fit_hazard(agg, SEX2_FORMULA, firth=True, weights="count")
    cols = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    np.testing.assert_allclose(res.tidy()[cols].to_numpy(), sex2_fit.tidy()[cols].to_numpy(),
                               rtol=1e-7, atol=1e-8)

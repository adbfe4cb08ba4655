"""Curve fits whose likelihood has no finite optimum are reported as such (issue 16,
item 19): all adoptions in one period (the curve tends to a step) and the
logistic/Gompertz ridge toward the modified exponential; genuine Newton failures
still fall back to the multistart optimiser."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

import policydiffusion.curves._fit as fit_module
from policydiffusion.curves import MODELS, fit_curves
from policydiffusion.curves._fit import _fit_data, _fit_one


def _one_period() -> pd.DataFrame:
    # p: 3 of 10 units adopt in period 1, nobody in periods 2-4 (q keeps the study open)
    return pd.DataFrame({"policy": ["p"] * 3 + ["q"], "unit": ["A", "B", "C", "A"], "period": [1, 1, 1, 4]})


def _ridge() -> pd.DataFrame:
    # declining hazard: 4 of 10 in period 1, then one in period 5
    return pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 1, 1, 1, 5]})


def test_all_adoptions_in_one_period_have_no_finite_optimum():
    fits = fit_curves(_one_period(), "p", units=10)
    sup = 3 * math.log(0.3) + 7 * math.log(0.7)  # hazard 3/10 in period 1, 0 after
    _, d = _fit_data(_one_period(), "p", 10)
    for m, model in MODELS.items():
        f = fits[m]
        assert (f.status, f.reason, f.has_optimum) == ("no_finite_optimum", "one_period", False)
        assert f.loglik == pytest.approx(sup, rel=1e-12)
        assert f.value("K") == pytest.approx(0.3, rel=1e-12)  # the step's height is identified
        assert np.isnan(f.estimate[1:]).all() and np.isnan(f.std_error).all()
        assert np.isnan(f.predict([1, 2])).all()
        out = json.loads(json.dumps(f.to_dict()))
        assert out["status"] == "no_finite_optimum" and out["reason"] == "one_period"
        assert "all adoptions in one period" in out["note"]
        # the old fit stopped near the supremum on a bound it chose (r, c, q or a at 50)
        old = _fit_one(model, d, "mle", "p")
        assert sup - 1e-2 < old.loglik <= sup + 1e-9 * abs(sup)
    assert fits.best == "none" and fits.best_models == () and fits.dynamics is None
    assert fits.lr_tests().empty
    assert "all adoptions in one period" in fits.summary()


def test_one_period_condition():
    from policydiffusion.curves._optimum import one_period_limit

    t = np.array([1.0, 2.0, 3.0])
    logistic, expo = MODELS["logistic"], MODELS["exponential"]
    # adoptions only in period 2 after a period at risk: logistic steps there, the
    # exponential (F(0) = 0) cannot
    assert one_period_limit(logistic, t, np.array([10.0, 10, 7]), np.array([0.0, 3, 0])) is not None
    assert one_period_limit(expo, t, np.array([10.0, 10, 7]), np.array([0.0, 3, 0])) is None
    # a single period at risk with hazard below 1: reached at finite parameters
    assert one_period_limit(logistic, t, np.array([10.0, 0, 0]), np.array([3.0, 0, 0])) is None
    # ... but not a hazard of 1 (everybody adopts): supremum 0
    lim = one_period_limit(logistic, t, np.array([10.0, 0, 0]), np.array([10.0, 0, 0]))
    assert lim.loglik == 0.0 and lim.estimate[0] == 1.0
    # adoptions in two periods: not this case
    assert one_period_limit(logistic, t, np.array([10.0, 7, 7]), np.array([3.0, 0, 1])) is None


def test_ridge_toward_the_exponential_reported_with_its_limit():
    fits = fit_curves(_ridge(), "p", units=10)
    expo = fits["exponential"]
    assert expo.has_optimum
    _, d = _fit_data(_ridge(), "p", 10)
    for m, rate in (("logistic", "r"), ("gompertz", "c")):
        f = fits[m]
        assert (f.status, f.reason) == ("no_finite_optimum", "ridge")
        assert f.loglik == expo.loglik  # the supremum is the limit's likelihood
        assert f.value(rate) == expo.value("a")
        assert np.isnan([v for p, v in zip(f.params, f.estimate) if p != rate]).all()
        # the old multistart fit stopped on the ridge below the limit, never above it
        old = _fit_one(MODELS[m], d, "mle", "p")
        assert expo.loglik - 0.05 < old.loglik <= expo.loglik + 1e-8 * abs(expo.loglik)
    assert fits.best == "exponential" and "logistic" not in fits.comparison().query("best")["model"].tolist()
    assert fits.dynamics == "external"
    assert "rises toward the modified exponential" in fits.summary()


def test_failed_newton_check_off_the_ridge_still_falls_back_to_multistart(monkeypatch):
    a = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGH"), "period": [1, 2, 3, 3, 4, 4, 4, 5]})
    want = fit_curves(a, units=10, models=("logistic",), optimizer="multistart")["logistic"]
    newton = fit_module.newton_fits

    def failing(model, data, starts):
        return [dataclasses.replace(r, checked=False) for r in newton(model, data, starts)]

    monkeypatch.setattr(fit_module, "newton_fits", failing)
    got = fit_curves(a, units=10, models=("logistic",))["logistic"]
    assert got.has_optimum and got.loglik == want.loglik
    np.testing.assert_array_equal(got.estimate, want.estimate)


def test_near_the_ridge_but_above_the_limit_is_fitted_not_called_a_ridge():
    """SPID 'land sales practices': Newton stops near the Gompertz ridge just below the
    exponential, yet the Gompertz likelihood rises above the limit coming in from it
    (old multistart fit: 5.7e-7 above): a finite optimum, so it is fitted."""
    from policydiffusion.datasets import spid_study

    p = "land sales practices"
    fits = fit_curves(spid_study(policies=[p]), p, models=("gompertz", "exponential"))
    g, e = fits["gompertz"], fits["exponential"]
    assert g.has_optimum and g.loglik > e.loglik


def test_status_reaches_comparison_describe_and_the_curve_figure():
    import matplotlib

    matplotlib.use("Agg")
    from policydiffusion.curves import describe_policy
    from policydiffusion.report.figures import plot_adoption_curve

    fits = fit_curves(_ridge(), "p", units=10)
    comp = fits.comparison().set_index("model")
    assert comp.loc["logistic", "status"] == "no_finite_optimum" and not comp.loc["logistic", "best"]
    assert comp.loc["exponential", "delta_aic"] == 0.0
    assert fits.tidy().query("model == 'logistic'")["status"].eq("no_finite_optimum").all()

    from policydiffusion.curves._data import as_study

    d = describe_policy(as_study(_one_period(), units=10), "p", relation=None, permutations=0)
    text = d.summary()
    assert "best curve by AIC: none" in text
    assert "logistic: no finite optimum: all adoptions in one period" in text
    assert d.to_dict()["logistic"]["status"] == "no_finite_optimum"
    assert fits.comparison().shape[0] == 4

    for lang, words in (("en", "no finite optimum"), ("zh", "无有限最优解")):
        ax = plot_adoption_curve(d.curve, d.fits, lang=lang)
        drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata()) > 0]
        assert len(drawn) == 1  # the observed points only: no family has a curve
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert sum(words in t for t in labels) == 4, labels
        matplotlib.pyplot.close(ax.figure)


def test_cli_describe_prints_and_writes_the_status(tmp_path, capsys):
    from policydiffusion.cli import run

    f = tmp_path / "a.csv"
    t = _one_period()
    pd.DataFrame({"policy": t["policy"], "unit": t["unit"], "year": 2000 + t["period"]}).to_csv(f, index=False)
    js, out = tmp_path / "d.json", tmp_path / "out"
    assert run(["describe", str(f), "--time-col", "year", "--json", str(js), "--out", str(out),
                "--permutations", "0"]) == 0
    # the file's units are its adopters: one period at risk (all three adopt), which
    # identifies no family (before the not_identified status: "no finite optimum")
    assert "bass: not identified: 1 period at risk cannot identify 3 parameters" in capsys.readouterr().out
    d = json.loads(js.read_text(encoding="utf-8"))["p"]
    assert d["bass"]["status"] == "not_identified" and d["bass"]["params"]["p"] is None
    fits = pd.read_csv(out / "curve_fits.csv")
    assert set(fits.query("policy == 'p'")["status"]) == {"not_identified"}


def test_a_step_has_no_optimum_under_least_squares_and_no_aic():
    # NLS used to report the step as the best logistic (AIC from a zero residual sum of
    # squares, K with SE 2e-8); a supremum's AIC would count unidentified parameters
    for method in ("nls", "mle"):
        fits = fit_curves(_one_period(), "p", units=10, method=method)
        assert fits.best == "none"
        for f in fits.fits.values():
            assert f.status == "no_finite_optimum" and f.method == method
            assert np.isnan(f.aic) and f.value("K") == pytest.approx(0.3, rel=1e-12)
        assert fits.comparison()["delta_aic"].isna().all()

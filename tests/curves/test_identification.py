"""Curve fits the data cannot identify, and multistart fits that fail the convergence
check, are reported as such, never as results (review: "a separated or non-converged
fit ... is shown as such, never as a result").

* A family with more parameters than the policy has periods with units at risk is
  ``not_identified``, decided from the data before fitting (it was fitted, "ok",
  with an AIC, and could be the best curve).
* A multistart fallback is certified by Newton's convergence check (it was "ok"
  whatever point SLSQP stopped at); one that fails is ``not_converged``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import types

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

import policydiffusion.curves._fit as fit_module
from policydiffusion.curves import MODELS, describe_policy, fit_curves
from policydiffusion.curves._data import as_study
from policydiffusion.curves._fit import _fit_data
from policydiffusion.curves._newton import newton_fits


def _one_period() -> pd.DataFrame:
    # 3 of 10 units adopt in period 1, the study's only period: one period at risk
    return pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 1, 1]})


def _two_periods() -> pd.DataFrame:
    # 3 of 10 adopt in period 1, 2 of the 7 left in period 2, the study's last
    return pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 1, 1, 2, 2]})


def _saturated(pairs) -> float:
    return sum(n * math.log(n / r) + (r - n) * math.log(1 - n / r) for n, r in pairs)


def _assert_not_identified(f, periods: int) -> None:
    k = len(f.params)
    assert (f.status, f.reason, f.has_optimum) == ("not_identified", "too_few_periods", False)
    word = "period" if periods == 1 else "periods"
    assert f.note == f"not identified: {periods} {word} at risk cannot identify {k} parameters"
    assert np.isnan(f.estimate).all() and np.isnan(f.std_error).all() and np.isnan(f.aic)
    assert all(np.isnan(v).all() for v in f.derived.values())
    assert np.isnan(f.predict([1.0, 2.0])).all()
    out = json.loads(json.dumps(f.to_dict()))
    assert out["status"] == "not_identified" and out["aic"] is None
    assert set(out["params"].values()) == {None} and out["note"] == f.note


def test_one_period_at_risk_identifies_no_family():
    fits = fit_curves(_one_period(), "p", units=10)
    sup = _saturated([(3, 10)])
    for m in MODELS:
        _assert_not_identified(fits[m], 1)
        assert fits[m].loglik == pytest.approx(sup, rel=1e-12)  # the saturated supremum
    assert fits.best == "none" and fits.best_models == () and fits.dynamics is None
    assert fits.lr_tests().empty
    comp = fits.comparison()
    assert comp["status"].eq("not_identified").all() and not comp["best"].any() and comp["aic"].isna().all()
    assert fits.tidy()["status"].eq("not_identified").all() and fits.tidy()["estimate"].isna().all()
    assert "logistic     not identified: 1 period at risk cannot identify 3 parameters" in fits.summary()
    assert "exponential  not identified: 1 period at risk cannot identify 2 parameters" in fits.summary()


def test_two_periods_identify_the_exponential_only_and_it_is_saturated():
    fits = fit_curves(_two_periods(), "p", units=10)
    sup = _saturated([(3, 10), (2, 7)])
    for m in ("logistic", "gompertz", "bass"):
        _assert_not_identified(fits[m], 2)
        assert fits[m].loglik == pytest.approx(sup, rel=1e-12)
    # two periods, two parameters: just identified, the fit reproduces both hazards
    e = fits["exponential"]
    assert e.status == "ok" and e.loglik == pytest.approx(sup, rel=1e-9)
    assert np.isfinite(e.std_error).all() and np.isfinite(e.aic)
    # the exponential is the only family with an optimum, but the others are not ruled
    # out (their supremum equals its fit here): neither best nor external by elimination
    assert fits.best == "undetermined" and fits.best_models == () and fits.dynamics is None
    assert fits.dynamics_note.startswith("undetermined: logistic, bass: not identified")
    comp = fits.comparison().set_index("model")
    assert not comp["best"].any()
    assert comp.drop("exponential")["aic"].isna().all()


def test_two_periods_with_a_rising_hazard_fit_the_exponential_on_its_bound():
    """Two parameters and two periods need not reproduce both hazards: the modified
    exponential's hazard never rises, so for 2/10 then 3/8 its optimum holds K on its
    bound 1 (a constant hazard, 5/18) below the saturated likelihood: identified and
    "ok", the family's own optimum."""
    a = pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 1, 2, 2, 2]})
    e = fit_curves(a, "p", units=10, models=("exponential",))["exponential"]
    assert e.status == "ok" and e.at_bound == ("K",)
    assert e.loglik == pytest.approx(5 * math.log(5 / 18) + 13 * math.log(13 / 18), rel=1e-10)
    assert e.loglik < _saturated([(2, 10), (3, 8)]) - 0.3


def test_identification_reaches_describe_json_summary_and_the_zh_legend():
    import matplotlib

    matplotlib.use("Agg")
    from policydiffusion.report.figures import plot_adoption_curve

    d = describe_policy(as_study(_two_periods(), units=10), "p", relation=None, permutations=0)
    text = d.summary()
    assert "best curve by AIC: undetermined; Boushey dynamics: undetermined: logistic, bass: not identified" in text
    assert "bass: not identified: 2 periods at risk cannot identify 3 parameters" in text
    js = json.loads(json.dumps(d.to_dict()))
    assert js["dynamics"] is None and js["dynamics_note"] == d.fits.dynamics_note
    assert js["logistic"]["status"] == "not_identified" and js["logistic"]["params"]["t0"] is None
    assert {r["model"]: r["status"] for r in js["fit_comparison"]}["gompertz"] == "not_identified"
    assert js["takeoff"]["inflection_period"] is None  # the logistic has no inflection
    for lang, word in (("en", "not identified"), ("zh", "不可识别")):
        ax = plot_adoption_curve(d.curve, d.fits, lang=lang)
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert sum(word in t for t in labels) == 3, labels
        assert len([ln for ln in ax.get_lines() if len(ln.get_xdata()) > 0]) == 2  # observed + exponential
        matplotlib.pyplot.close(ax.figure)


def test_spid_policies_with_one_and_two_periods_at_risk():
    """SPID "commercial real estate receivership act" (one adoption in 2017, the last
    year: one period at risk) had all four families "ok" with the exponential best
    (its logistic SEs 276-5951); "athlete agents act (2015)" (two periods) had its
    logistic and Bass "ok" and its Gompertz on a "ridge"."""
    from policydiffusion.curves import fit_curves_many
    from policydiffusion.datasets import spid_study

    one, two = "commercial real estate receivership act", "athlete agents act (2015)"
    fits = fit_curves_many(spid_study(policies=[one, two]), [one, two])
    for m in MODELS:
        _assert_not_identified(fits[one][m], 1)
        assert fits[one][m].loglik == pytest.approx(_saturated([(1, 50)]), rel=1e-12)
    assert fits[one].best == "none"
    sup = _saturated([(3, 50), (2, 47)])
    for m in ("logistic", "gompertz", "bass"):
        _assert_not_identified(fits[two][m], 2)
        assert fits[two][m].loglik == pytest.approx(sup, rel=1e-12)
    assert fits[two]["exponential"].loglik == pytest.approx(sup, rel=1e-9)
    # the exponential alone has an optimum: it was "best" and "external" by elimination
    assert fits[two].best == "undetermined" and fits[two].dynamics is None


# ---------------------------------------------------------------- not converged
def _data() -> pd.DataFrame:
    return pd.DataFrame({"policy": "p", "unit": list("ABCDEFGH"), "period": [1, 2, 3, 3, 4, 4, 4, 5]})


def _newton_fails_in_the_batch(monkeypatch, certify: bool) -> None:
    """Newton's batch fit fails its check (so the multistart fallback runs); with
    ``certify`` False Newton's steps from the multistart point fail too (it stays
    where it starts), so only the check of the multistart point itself is left."""
    newton = fit_module.newton_fits

    def failing(model, data, starts):
        if certify and all(len(s) == 1 for s in starts):  # _certify's call: one start
            return newton(model, data, starts)
        out = []
        for r, (t, r_, n), s in zip(newton(model, data, starts), data, starts):
            x = np.clip(np.array(s[0], float), model.lower, model.upper) if not certify else r.x
            out.append(dataclasses.replace(r, x=x, fun=fit_module.NegLogLik(model, t=t, at_risk=r_, new=n)(x),
                                           checked=False))
        return out

    monkeypatch.setattr(fit_module, "newton_fits", failing)


def _slsqp_stops_early(monkeypatch) -> None:
    real = optimize.minimize

    def early(*args, **kwargs):
        return real(*args, **{**kwargs, "options": {**kwargs.get("options", {}), "maxiter": 2}})

    monkeypatch.setattr(fit_module, "optimize", types.SimpleNamespace(minimize=early))


def test_multistart_point_that_fails_the_check_is_not_converged(monkeypatch):
    _newton_fails_in_the_batch(monkeypatch, certify=False)
    _slsqp_stops_early(monkeypatch)
    fits = fit_curves(_data(), units=10)
    f = fits["logistic"]
    assert (f.status, f.reason, f.has_optimum, f.converged) == ("not_converged", "check_failed", False, False)
    assert "gradient" in f.failed
    assert f.note.startswith("not converged: the best point found fails the optimum check (")
    assert "the gradient is not zero" in f.note
    assert np.isnan(f.estimate).all() and np.isnan(f.std_error).all() and np.isnan(f.aic)
    assert np.isnan(f.loglik) and np.isnan(f.derived["inflection_period"][0])
    assert "logistic" not in fits.best_models
    comp = fits.comparison().set_index("model")
    assert comp.loc["logistic", "status"] == "not_converged" and not comp.loc["logistic", "best"]
    assert np.isnan(comp.loc["logistic", "aic"]) and not comp.loc["logistic", "tied_with"]
    assert fits.tidy().query("model == 'logistic'")["status"].eq("not_converged").all()
    assert "logistic     not converged: the best point found fails the optimum check" in fits.summary()
    js = json.loads(json.dumps(f.to_dict()))
    assert js["status"] == "not_converged" and js["loglik"] is None and js["params"]["r"] is None


def test_not_converged_logistic_gives_the_takeoff_row_no_inflection(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from policydiffusion.report.figures import plot_adoption_curve

    study = as_study(_data(), units=10)
    _newton_fails_in_the_batch(monkeypatch, certify=False)
    _slsqp_stops_early(monkeypatch)
    d = describe_policy(study, "p", relation=None, permutations=0)
    assert d.fits["logistic"].status == "not_converged"
    assert np.isnan(d.takeoff["inflection_period"])
    assert "logistic: not converged" in d.summary()
    for lang, word in (("en", "not converged"), ("zh", "未收敛")):
        ax = plot_adoption_curve(d.curve, d.fits, lang=lang)
        assert any(word in t.get_text() for t in ax.get_legend().get_texts())
        matplotlib.pyplot.close(ax.figure)


def test_certified_fallback_stays_ok_at_newtons_optimum(monkeypatch):
    """SLSQP stopped early, Newton's steps from its point reach the optimum and pass
    the check: the fallback is "ok", with the optimum Newton finds on its own."""
    want = fit_curves(_data(), units=10)
    _newton_fails_in_the_batch(monkeypatch, certify=True)
    _slsqp_stops_early(monkeypatch)
    got = fit_curves(_data(), units=10)
    for m in MODELS:
        assert got[m].status == "ok", m
        assert got[m].loglik == pytest.approx(want[m].loglik, rel=1e-10), m
        np.testing.assert_allclose(got[m].estimate, want[m].estimate, rtol=1e-5)
    assert got.best == want.best


def test_spid_land_sales_practices_logistic_fallback_certified_at_the_bass_likelihood():
    """The old multistart logistic stopped at t0 = -15.0 (log-likelihood -41.8956050569,
    below its own limit, the exponential's -41.8956032888); certified, Newton goes on
    to t0 = -17.7 and the logistic's likelihood equals Bass's, as it must under
    maximum likelihood (the same hazard model)."""
    from policydiffusion.curves._newton import check_optimum
    from policydiffusion.datasets import spid_study

    p = "land sales practices"
    fits = fit_curves(spid_study(policies=[p]), p)
    lg, bass = fits["logistic"], fits["bass"]
    assert lg.status == "ok" and bass.status == "ok"
    assert lg.loglik == pytest.approx(bass.loglik, rel=1e-11) and lg.loglik > fits["exponential"].loglik
    assert lg.value("t0") < -17
    _, d = _fit_data(spid_study(policies=[p]), p, None)
    assert check_optimum(MODELS["logistic"], d.t, d.at_risk, d.new, lg.estimate) == ()


def test_newton_returns_each_row_with_its_own_objective():
    """A row stuck right after its parameters were projected onto their bounds came
    back with the projection and the objective of the point before it (SPID soil
    Gompertz: log-likelihood -97.56 reported for a point at -158.41)."""
    from policydiffusion.datasets import spid_study

    pols = ["soil", "blind"]
    study = spid_study(policies=pols)
    model = MODELS["gompertz"]
    ds = [_fit_data(study, p, None)[1] for p in pols]
    rs = newton_fits(model, *fit_module._newton_input(model, ds))
    for r, d in zip(rs, ds):
        f = fit_module.NegLogLik(model, t=d.t, at_risk=d.at_risk, new=d.new)(r.x)
        assert r.fun == pytest.approx(f, rel=1e-12)


def test_least_squares_needs_more_shares_than_parameters():
    """NLS: k parameters and the residual variance. Two observed shares fitted the
    exponential almost exactly (AIC -137.2, the best by 31.8, and "external" dynamics)."""
    fits = fit_curves(_two_periods(), "p", units=10, method="nls")
    for m in MODELS:
        f = fits[m]
        assert (f.status, f.reason) == ("not_identified", "too_few_shares"), m
        assert f.note.startswith(f"not identified: 2 observed shares cannot identify {len(f.params)} parameters")
        assert np.isnan(f.aic) and np.isnan(f.estimate).all()
    assert fits.best == "none"


def test_multistart_point_next_to_a_bound_is_certified():
    """SPID deathpen Bass by SLSQP stops at q = 8.5e-17 (off its bound 0: the check's
    "bounds" part fails); Newton puts q on the bound at a cost of 3e-14 in the
    objective, rounding, and its point passes the check: "ok", at Newton's optimum."""
    from policydiffusion.datasets import spid_study

    p = "deathpen"
    study = spid_study(policies=[p])
    ms = fit_curves(study, p, models=("bass",), optimizer="multistart")["bass"]
    nw = fit_curves(study, p, models=("bass",))["bass"]
    assert ms.status == nw.status == "ok" and ms.at_bound == ("q",)
    assert ms.loglik == pytest.approx(nw.loglik, rel=1e-12)

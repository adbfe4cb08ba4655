"""Marginal effects through the formula, moderation bands, subgroups, LR, out-of-time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import (average_marginal_effects, fit_subgroups, lr_test,
                                       marginal_effect_across, out_of_time, predicted_hazard)
from policydiffusion.interpret._predict import average_precision, roc_auc

GOLDEN = Path(__file__).resolve().parents[1] / "estimate" / "golden"


@pytest.fixture(scope="module")
def panel():
    return pd.read_csv(GOLDEN / "glm_panel.csv").dropna().reset_index(drop=True)


@pytest.fixture(scope="module")
def res(panel):
    return fit_hazard(panel, "adopt ~ x1 * x3 + d + region", link="probit",
                      vcov={"cluster": "state"})


def _ame_brute(res, panel, params, var, h=1e-6):
    r = res.__class__.__new__(res.__class__)
    object.__setattr__(r, "__dict__", {**res.__dict__, "params": params})
    up = r.predict(panel.assign(**{var: panel[var] + h}))
    dn = r.predict(panel.assign(**{var: panel[var] - h}))
    return np.mean((up - dn) / (2 * h))


def test_ame_with_interaction_matches_finite_differences_and_numeric_delta(res, panel):
    ame = average_marginal_effects(res, variables=["x1"]).set_index("term").loc["x1"]
    assert ame.estimate == pytest.approx(_ame_brute(res, panel, res.params, "x1"), rel=1e-6)
    # delta method against a numerical Jacobian in the coefficients
    J = np.zeros(res.k)
    for j in range(res.k):
        e = np.zeros(res.k)
        e[j] = 1e-5
        J[j] = (_ame_brute(res, panel, res.params + e, "x1")
                - _ame_brute(res, panel, res.params - e, "x1")) / 2e-5
    se = np.sqrt(J @ res.cov.to_numpy() @ J)
    assert ame.std_error == pytest.approx(se, rel=1e-4)


def test_ame_binary_and_categorical_are_discrete_changes(res, panel):
    ame = average_marginal_effects(res, variables=["d", "region"]).set_index("term")
    want = np.mean(res.predict(panel.assign(d=1)) - res.predict(panel.assign(d=0)))
    assert ame.loc["d", "estimate"] == pytest.approx(want, rel=1e-10)
    want_s = np.mean(res.predict(panel.assign(region="south"))
                     - res.predict(panel.assign(region="midwest")))
    assert ame.loc["region[south]", "estimate"] == pytest.approx(want_s, rel=1e-10)
    assert list(ame.index) == ["d", "region[northeast]", "region[south]", "region[west]"]


def test_ame_at_representative_values(res, panel):
    out = average_marginal_effects(res, variables=["x1"], at={"x3": [0.5, 1.5]})
    assert out["x3"].tolist() == [0.5, 1.5]
    want = _ame_brute(res, panel.assign(x3=1.5), res.params, "x1")
    assert out.estimate.iloc[1] == pytest.approx(want, rel=1e-6)


def test_moderation_link_scale_is_bx_plus_bxz_z(res):
    z = np.array([0.0, 0.7, 1.9])
    me = marginal_effect_across(res, variable="x1", moderator="x3", values=z)
    b, V = res.params, res.cov
    np.testing.assert_allclose(me.estimate, b["x1"] + b["x1:x3"] * z, rtol=1e-8)
    se = np.sqrt(V.loc["x1", "x1"] + z ** 2 * V.loc["x1:x3", "x1:x3"]
                 + 2 * z * V.loc["x1", "x1:x3"])
    np.testing.assert_allclose(me.std_error, se, rtol=1e-6)
    assert list(me.columns[:3]) == ["moderator", "value", "estimate"]
    assert (me.conf_low < me.estimate).all() and (me.estimate < me.conf_high).all()


def test_moderation_response_scale_equals_ame_at_value(res, panel):
    me = marginal_effect_across(res, variable="x1", moderator="x3", values=[1.2],
                                scale="response")
    want = average_marginal_effects(res, variables=["x1"], at={"x3": [1.2]})
    assert me.estimate.iloc[0] == pytest.approx(want.estimate.iloc[0], rel=1e-12)
    assert me.std_error.iloc[0] == pytest.approx(want.std_error.iloc[0], rel=1e-12)
    default = marginal_effect_across(res, variable="x1", moderator="x3", n_values=5)
    assert len(default) == 5


def test_predicted_hazard_at_values(res, panel):
    ph = predicted_hazard(res, at={"d": [0, 1]})
    assert ph.estimate.iloc[1] == pytest.approx(res.predict(panel.assign(d=1)).mean(),
                                                rel=1e-12)
    assert (ph.std_error > 0).all()


def test_subgroup_test_is_squared_z_for_two_groups(panel):
    # states are nested in the two groups: no cluster is shared, the samples are independent
    two = panel.assign(south=(panel.region == "south").astype(int))
    sg = fit_subgroups(two, "adopt ~ x1 + x2", by="south", key="x1", vcov={"cluster": "state"})
    assert sg.test == "independent" and sg.shared_units == 0
    t = sg.tidy().set_index("group")
    z = (t.estimate[0] - t.estimate[1]) / np.hypot(t.std_error[0], t.std_error[1])
    assert sg.statistic == pytest.approx(z ** 2, rel=1e-10) and sg.df == 1
    assert sg.results[1].nobs == int((two.south == 1).sum())
    three = fit_subgroups(panel, "adopt ~ x1", by="region", key="x1")
    assert three.df == 3


def test_lr_test_and_nesting_checks(panel):
    small = fit_hazard(panel, "adopt ~ x1")
    big = fit_hazard(panel, "adopt ~ x1 + x2 + x3")
    t = lr_test(small, big)
    assert t.df == 2 and t.statistic == pytest.approx(2 * (big.loglik - small.loglik))
    with pytest.raises(InvalidOptionError, match="not nested"):
        lr_test(fit_hazard(panel, "adopt ~ d"), big)


def test_auc_and_average_precision_against_definitions():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 60)
    p = np.round(rng.random(60), 1)           # many ties
    pairs = [(a, b) for a in p[y == 1] for b in p[y == 0]]
    brute = np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for a, b in pairs])
    assert roc_auc(y, p) == pytest.approx(brute)
    ap = 0.0
    prev_recall = 0.0
    for thr in np.unique(p)[::-1]:
        sel = p >= thr
        prec, rec = y[sel].mean(), y[sel].sum() / y.sum()
        ap += (rec - prev_recall) * prec
        prev_recall = rec
    assert average_precision(y, p) == pytest.approx(ap)


def test_out_of_time(panel):
    oot = out_of_time(panel, "adopt ~ x1 + x2 + d", time="year", split=2005)
    assert oot.n_train == int((panel.year <= 2005).sum())
    assert oot.n_test == int((panel.year > 2005).sum())
    assert 0.6 < oot.auc < 1 and 0 < oot.brier < 0.25
    assert oot.tidy().shape == (1, 9) and oot.excluded == {}


def _fe_frame():
    rng = np.random.default_rng(5)
    n = 3000
    df = pd.DataFrame({"year": np.repeat(np.arange(2000, 2010), n // 10),
                       "x": rng.normal(size=n), "r": rng.integers(0, 4, n),
                       "g": rng.integers(0, 2, n)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(1.5 - df.x - 0.3 * df.r))).astype(int)
    return df


def test_out_of_time_loads_fixed_effect_columns():
    df = _fe_frame()
    oot = out_of_time(df, "y ~ x", time="year", split=2006, fixed_effects="r")
    assert "C(r)[T.1]" in oot.result.params.index
    assert oot.n_test == 900


def test_fit_subgroups_loads_fixed_effect_columns():
    df = _fe_frame()
    sg = fit_subgroups(df, "y ~ x", by="g", key="x", fixed_effects="r")
    assert all("C(r)[T.3]" in r.params.index for r in sg.results.values())

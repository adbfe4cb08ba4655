"""Policy speed against R survreg (golden/weibull_speed.R) and the simple measures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.curves import fit_aft, gini, mallinson_data, policy_speed
from policydiffusion.datasets import spid_study

GOLDEN = json.loads((Path(__file__).parent / "golden" / "weibull_speed.json").read_text())
IDS = [p["policy"] for p in GOLDEN["policies"]]


@pytest.fixture(scope="module")
def speed():
    return policy_speed(spid_study(policies=IDS)).set_index("policy")


def test_golden_covers_enough_policies():
    assert 20 <= len(IDS) <= 50


@pytest.mark.parametrize("dist", ["weibull", "exponential", "lognormal", "loglogistic"])
def test_aft_matches_survreg(dist):
    s = spid_study(policies=IDS)
    from policydiffusion.curves._data import policy_times

    worst = 0.0
    for ref in GOLDEN["policies"]:
        pt = policy_times(s, ref["policy"])
        assert (pt.first, pt.last, pt.n_adopters) == (ref["first"], ref["last"], ref["n_adopters"])
        time, event = mallinson_data(pt.adopt)
        f = fit_aft(time, event, dist=dist)
        r = ref[dist]
        np.testing.assert_allclose(f.intercept, r["intercept"], atol=1e-6, rtol=0)
        np.testing.assert_allclose(f.intercept_se, r["intercept_se"], rtol=1e-5)
        np.testing.assert_allclose(f.loglik, r["loglik"], rtol=1e-9)
        if r["log_scale"] is not None:
            np.testing.assert_allclose(f.log_scale, r["log_scale"], atol=1e-6, rtol=0)
            np.testing.assert_allclose(f.log_scale_se, r["log_scale_se"], rtol=1e-5)
            worst = max(worst, abs(f.log_scale - r["log_scale"]))
        worst = max(worst, abs(f.intercept - r["intercept"]))
    assert worst < 1e-6


def test_policy_speed_table_matches_golden(speed):
    for ref in GOLDEN["policies"]:
        row = speed.loc[ref["policy"]]
        assert row["intercept"] == pytest.approx(ref["weibull"]["intercept"], abs=1e-6)
        assert row["log_scale"] == pytest.approx(ref["weibull"]["log_scale"], abs=1e-6)
        assert row["log_shape"] == pytest.approx(-ref["weibull"]["log_scale"], abs=1e-6)
        assert row["lognormal_intercept"] == pytest.approx(ref["lognormal"]["intercept"], abs=1e-6)
    v = 1 - speed["intercept"]
    np.testing.assert_allclose(speed["speed_rescaled"], (v - v.min()) / (v.max() - v.min()))
    assert speed["speed_rescaled"].min() == 0 and speed["speed_rescaled"].max() == 1
    assert speed["speed_robust"].median() == pytest.approx(0.0)


def test_single_period_policies_are_kept_with_a_reason():
    df = pd.DataFrame({"policy": ["a", "a", "b", "b", "b"], "unit": ["A", "B", "A", "B", "C"],
                       "period": [3, 3, 1, 2, 5]})
    sp = policy_speed(df, units=4).set_index("policy")
    assert sp.loc["a", "excluded"] == "first and last adoption in the same period"
    assert np.isnan(sp.loc["a", "intercept"])
    assert pd.isna(sp.loc["b", "excluded"]) and np.isfinite(sp.loc["b", "intercept"])


def test_measures_fixed_by_construction_are_undefined():
    """One period: gini 0, periods_to_half 0 and nc_fast 1 whatever happened; two
    periods: nc_fast 1 by convention. Missing, with the reason; the rest measured."""
    df = pd.DataFrame({"policy": ["a", "a", "b", "b", "b", "c", "c", "c"],
                       "unit": ["A", "B", "A", "B", "C", "A", "B", "C"],
                       "period": [3, 3, 1, 2, 2, 1, 2, 3]})
    sp = policy_speed(df, units=4, distributions=("weibull",)).set_index("policy")
    a, b, c = sp.loc["a"], sp.loc["b"], sp.loc["c"]
    assert pd.isna(a["gini"]) and pd.isna(a["periods_to_half"]) and pd.isna(a["nc_fast"])
    assert a["undefined"] == ("gini, periods_to_half, nc_fast: every adoption in one period "
                              "(0, 0 and 1 by construction)")
    assert a["adoptions_per_period"] == 2 and a["span"] == 1  # measured: two adoptions in one period
    assert pd.isna(b["nc_fast"]) and b["undefined"].startswith("nc_fast: a span of 2 periods")
    assert b["periods_to_half"] == 1 and b["gini"] == pytest.approx(gini(np.array([1, 2])))
    assert pd.isna(c["undefined"]) and c["nc_fast"] == 0 and c["periods_to_half"] == 1
    # the diffusion index says why a one-period policy has no speed
    from policydiffusion.curves import diffusion_index

    d = diffusion_index(df, units=4, relation=None, speed=sp.reset_index()).set_index("policy")
    assert pd.isna(d.loc["a", "speed"])
    assert "speed: first and last adoption in the same period" in d.loc["a", "missing"]


def test_simple_measures():
    # durations 1, 2, 2, 9 -> span 9, cut = round(3) = 3; 3 of 4 adopters <= 3 -> fast
    df = pd.DataFrame({"policy": "p", "unit": list("ABCD"), "period": [10, 11, 11, 18]})
    r = policy_speed(df, units=6, distributions=("weibull",)).iloc[0]
    assert r["span"] == 9 and r["nc_fast"] == 1
    assert r["periods_to_half"] == 1  # half of 4 adopters reached in the second period
    assert r["adoptions_per_period"] == pytest.approx(4 / 9)
    counts = np.array([1, 2, 0, 0, 0, 0, 0, 0, 1])
    assert r["gini"] == pytest.approx(gini(counts))
    # span 15 -> cut 5; 5 of 15 adopters <= 5 is not more than half -> slow
    from policydiffusion.curves._speed import _nicholson_crotty

    assert _nicholson_crotty(np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])) == 0


def test_gini_bounds():
    assert gini(np.ones(5)) == 0
    assert gini(np.array([0, 0, 0, 10])) == pytest.approx(0.75)

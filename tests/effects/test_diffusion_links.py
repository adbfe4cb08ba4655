import numpy as np
import pandas as pd
import pytest

from policydiffusion.effects._diffusion_links import (adoption_order, effect_heterogeneity,
                                                      neighbour_adoption_share)

pytest.importorskip("pyfixest")


def _sim(slope=1.0, seed=0):
    """Adopters' effect = 1 + slope * m, with m an adopter-level moderator in [0, 1]."""
    rng = np.random.default_rng(seed)
    n, T = 60, 10
    p = pd.DataFrame({"unit": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    a = pd.DataFrame({"policy": "x", "unit": np.arange(40), "t": rng.integers(3, 8, 40)})
    m = pd.DataFrame({"unit": np.arange(40), "m": rng.uniform(0, 1, 40)})
    m["group"] = np.where(m["m"] > 0.5, "high", "low")
    k = p["t"] - p["unit"].map(dict(zip(a["unit"], a["t"])))
    eff = np.where(k >= 0, 1.0 + slope * p["unit"].map(dict(zip(m["unit"], m["m"]))), 0.0)
    p["y"] = np.repeat(rng.normal(size=n), T) + 0.1 * p["t"] + eff + rng.normal(0, 0.3, len(p))
    return p, a, m


def test_numeric_moderator_slope_recovered_and_tested():
    p, a, m = _sim(slope=1.0)
    h = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 20)], policy="x",
                             moderator=m, column="m", absorb=("unit", "t"), cluster="unit")
    t = h.tidy().set_index("group")
    assert t.at["at 0", "estimate"] == pytest.approx(1.0, abs=0.2)
    assert t.at["slope", "estimate"] == pytest.approx(1.0, abs=0.3)
    assert h.test()["p_value"] < 1e-3
    p, a, m = _sim(slope=0.0, seed=1)
    h0 = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 20)], policy="x",
                              moderator=m, column="m", absorb=("unit", "t"), cluster="unit")
    assert h0.test()["p_value"] > 0.01


def test_pooled_interaction_matches_statsmodels_with_dummies():
    # Independent route: OLS with explicit unit and period dummies, cluster-robust by unit.
    sm = pytest.importorskip("statsmodels.formula.api")
    p, a, m = _sim(slope=1.0, seed=4)
    h = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 20)], policy="x",
                             moderator=m, column="group", reference="low",
                             absorb=("unit", "t"), cluster="unit")
    row = h.tidy().set_index("group").loc["high"]
    g = p["unit"].map(dict(zip(m["unit"], m["group"])))
    k = p["t"] - p["unit"].map(dict(zip(a["unit"], a["t"])))
    d = p.assign(post_high=((k >= 0) & (g == "high")).astype(float),
                 post_low=((k >= 0) & (g == "low")).astype(float))
    fit = sm.ols("y ~ post_high + post_low + C(unit) + C(t)", data=d).fit(
        cov_type="cluster", cov_kwds={"groups": d["unit"]})
    assert row["estimate"] == pytest.approx(fit.params["post_high"], abs=1e-8)
    diff = fit.t_test("post_high - post_low")
    assert row["difference"] == pytest.approx(float(diff.effect[0]), abs=1e-8)
    # reghdfe/fixest leave the unit dummies (nested in the unit clusters) out of K in the
    # (N-1)/(N-K) factor; statsmodels counts them. Put statsmodels on the same footing.
    n, k_sm = len(d), int(fit.df_model) + 1
    k_nested_out = k_sm - (d["unit"].nunique() - 1)
    scale = np.sqrt((n - k_sm) / (n - k_nested_out))
    assert row["difference_se"] == pytest.approx(float(diff.sd[0, 0]) * scale, rel=1e-6)
    assert row["std_error"] == pytest.approx(float(fit.bse["post_high"]) * scale, rel=1e-6)


def test_unidentified_cell_is_a_clear_error():
    from policydiffusion.errors import StudyDataError

    p, a, m = _sim()
    # Units whose moderator is "late" adopt in the last period, so bin (1, 20) is empty for them.
    a.loc[a.index[:5], "t"] = 9
    mm = m.assign(group=np.where(m["unit"] < 5, "late", "other"))
    with pytest.raises(StudyDataError, match="collinear"):
        effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[0, (1, 20)], policy="x",
                             moderator=mm, column="group", absorb=("unit", "t"))


def test_adopters_without_moderator_are_counted():
    p, a, m = _sim()
    h = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 20)], policy="x",
                             moderator=m.iloc[2:], column="m", absorb=("unit", "t"))
    assert h.fit.exclusions == {"adopter without a moderator value": 20}


def test_order_and_neighbour_share_on_dates():
    a = pd.DataFrame({"policy": "p", "city": ["A", "B", "C", "D"],
                      "date": pd.to_datetime(["2020-01-01", "2020-01-05", "2020-01-06", "2020-01-30"])})
    o = adoption_order(a, unit="city", time="date")
    assert o["category"].tolist() == ["early majority", "early majority", "early majority",
                                      "laggards"]
    e = pd.DataFrame({"source": ["D", "D", "D", "A"], "target": ["A", "B", "C", "D"]})
    s = neighbour_adoption_share(a, e, unit="city", time="date").set_index("city")
    assert s.at["D", "share"] == 1.0 and s.at["A", "share"] == 0.0
    assert np.isnan(s.at["B", "share"]) and s.at["B", "n_neighbours"] == 0


def test_categorical_moderator_keeps_its_level_order():
    p, a, m = _sim(slope=1.0, seed=2)
    m["group"] = pd.Categorical(m["group"], categories=["missing", "low", "high"])
    h = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 20)], policy="x",
                             moderator=m, column="group", absorb=("unit", "t"))
    assert h.levels == ("low", "high") and h.reference == "low"
    t = h.tidy().set_index("group")
    assert t.at["high", "difference"] == pytest.approx(0.5, abs=0.25)  # mean m: 0.75 vs 0.25

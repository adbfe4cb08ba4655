"""Staggered estimators on a simulated panel whose true effects we set.

R did / fixest::sunab values cannot be produced here (no CRAN access); the cross-checks
are against csdid (a Python port of R did) and between our two independent routes.
"""

import numpy as np
import pandas as pd
import pytest

from policydiffusion.effects._staggered import callaway_santanna, sun_abraham


def _sim(seed=7, noise=1.0, lead=0.0):
    rng = np.random.default_rng(seed)
    n, T = 120, 8
    g = rng.choice([0, 4, 5, 7], size=n, p=[0.3, 0.25, 0.25, 0.2])
    p = pd.DataFrame({"unit": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n)})
    p["g"] = np.repeat(g, T)
    e = p["t"] - p["g"]
    # Effect grows with exposure and is larger for the last cohort: TWFE's worst case.
    eff = np.where((p["g"] > 0) & (e >= 0), 1.0 + 0.5 * e + 0.3 * (p["g"] == 7), 0.0)
    eff = eff + np.where((p["g"] > 0) & (e == -1), lead, 0.0)
    p["y"] = np.repeat(rng.normal(size=n), T) + 0.2 * p["t"] + eff + rng.normal(0, noise, len(p))
    a = pd.DataFrame({"policy": "x", "unit": np.arange(n)[g > 0], "t": g[g > 0]})
    return p, a, g


def test_group_time_recovers_the_effects_we_set():
    p, a, g = _sim(noise=0.01)
    r = callaway_santanna(p, a, outcome="y", unit="unit", time="t")
    t = r.tidy()
    post = t[t["event_time"] >= 0]
    truth = 1.0 + 0.5 * post["event_time"] + 0.3 * (post["cohort"] == 7)
    np.testing.assert_allclose(post["att"], truth, atol=0.02)
    np.testing.assert_allclose(t.loc[t["event_time"] < 0, "att"], 0.0, atol=0.02)
    dyn = r.aggregate("dynamic").set_index("event_time")
    n_g = pd.Series(g[g > 0]).value_counts()
    # e = 0 averages cohorts 4, 5, 7 with their sizes as weights.
    w = n_g.loc[[4, 5, 7]] / n_g.loc[[4, 5, 7]].sum()
    assert dyn.at[0, "att"] == pytest.approx(1.0 + 0.3 * w.loc[7], abs=0.02)


@pytest.mark.parametrize("control, name", [("never", "nevertreated"), ("notyet", "notyettreated")])
def test_matches_csdid_port_of_R_did(control, name):
    p, a, _ = _sim()
    ours, m = _against_csdid(p, a, control, name, n_cells=21)
    for typ in ("dynamic", "group"):
        with _quiet():
            m.aggte(typec=typ, bstrap=False)
        agg = ours.aggregate(typ)
        np.testing.assert_allclose(agg.iloc[:, 0], np.asarray(m.atte["egt"], dtype=float))
        np.testing.assert_allclose(agg["att"], np.ravel(m.atte["att_egt"]), atol=1e-10)
        np.testing.assert_allclose(agg["std_error"], np.ravel(m.atte["se_egt"]), atol=1e-10)


def test_sun_abraham_post_periods_equal_never_treated_group_time_route():
    # The saturated regression (pyfixest) and our 2x2 means are independent computations
    # of the same cohort-by-exposure effects (base period g - 1, never-adopters as
    # comparison) averaged with the same cohort shares.
    pytest.importorskip("pyfixest")
    p, a, _ = _sim()
    cs = callaway_santanna(p, a, outcome="y", unit="unit", time="t").aggregate("dynamic")
    sa = sun_abraham(p, a, outcome="y", unit="unit", time="t")
    m = cs.merge(sa, on="event_time")
    post = m[m["event_time"] >= 0]
    assert len(post) == 5
    np.testing.assert_allclose(post["att"], post["estimate"], atol=1e-8)
    assert -1 not in set(sa["event_time"])  # the reference period


def test_pretrend_test_detects_anticipation_only_when_present():
    p, a, _ = _sim(seed=3, noise=0.5)
    assert callaway_santanna(p, a, outcome="y", unit="unit", time="t").pretrend_test()["p_value"] > 0.01
    p, a, _ = _sim(seed=3, noise=0.5, lead=1.0)
    assert callaway_santanna(p, a, outcome="y", unit="unit", time="t").pretrend_test()["p_value"] < 1e-6


def _quiet():
    import contextlib
    import io
    import warnings

    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


def test_first_period_adopters_are_counted_out_with_a_warning():
    from policydiffusion.errors import ExclusionWarning

    p, a, _ = _sim(noise=0.01)
    a = pd.concat([a, pd.DataFrame({"policy": "x", "unit": [119], "t": [1]})], ignore_index=True)
    a = a.drop_duplicates("unit", keep="last")
    with pytest.warns(ExclusionWarning, match="1 units adopting in the first period"):
        r = callaway_santanna(p, a, outcome="y", unit="unit", time="t")
    assert r.n_units == 119


def _gapped(control_never=True):
    """Only the even periods of the simulated panel; cohorts 5 and 7 moved to 6 and 8."""
    p, a, g = _sim()
    g = np.where(g == 5, 6, np.where(g == 7, 8, g))
    if not control_never:  # every unit adopts: no never-adopters
        g = np.where(g == 0, 8, g)
    p["g"] = np.repeat(g, 8)
    p = p[p["t"] % 2 == 0].reset_index(drop=True)
    a = pd.DataFrame({"policy": "x", "unit": np.arange(len(g))[g > 0], "t": g[g > 0]})
    return p, a


@pytest.mark.parametrize("control, name", [("never", "nevertreated"), ("notyet", "notyettreated")])
def test_gapped_periods_compare_with_the_previous_panel_period_as_r_did(control, name):
    p, a = _gapped()
    ours, _ = _against_csdid(p, a, control, name, n_cells=9)
    assert ours.skipped == ()


def _against_csdid(p, a, control, name, *, n_cells):
    """Our group-time effects and csdid's fit; every cell's ATT and SE equal to 1e-10."""
    csdid = pytest.importorskip("csdid.att_gt")
    ours = callaway_santanna(p, a, outcome="y", unit="unit", time="t", control=control)
    with _quiet():
        m = csdid.ATTgt(yname="y", tname="t", idname="unit", gname="g", data=p,
                        control_group=name).fit(est_method="dr", bstrap=False)
    ref = pd.DataFrame({"cohort": m.results["group"], "period": m.results["year"],
                        "att": m.results["att"], "se": m.results["se"]})
    mm = ours.tidy().merge(ref, on=["cohort", "period"], validate="one_to_one")
    assert len(mm) == len(ref) == len(ours.tidy()) == n_cells
    np.testing.assert_allclose(mm["att_x"], mm["att_y"], atol=1e-10)
    np.testing.assert_allclose(mm["std_error"], mm["se"], atol=1e-10)
    return ours, m


def test_cells_without_comparison_units_are_counted_and_reported():
    from policydiffusion.errors import ExclusionWarning

    p, a = _gapped(control_never=False)
    with pytest.warns(ExclusionWarning, match="4 group-time cells have no comparison units"):
        r = callaway_santanna(p, a, outcome="y", unit="unit", time="t", control="notyet")
    # every unit adopts by period 8: from period 6 on cohort 8 has nobody to compare with,
    # and in period 8 neither have cohorts 4 and 6
    why = "no comparison units"
    assert r.skipped == ((4.0, 8.0, why), (6.0, 8.0, why), (8.0, 6.0, why), (8.0, 8.0, why))
    assert r.notes() == ["4 group-time cells not estimated (no comparison units): cohort 4 in "
                         "period 8, cohort 6 in period 8, cohort 8 in period 6, cohort 8 in "
                         "period 8"]
    assert r.tidy()[["cohort", "period"]].values.tolist() == [[4, 4], [4, 6], [6, 4], [6, 6],
                                                              [8, 4]]


def _one_and_ten(seed=0):
    """41 units x 8 periods: one unit adopts in period 4, ten in period 6, 30 never; no effect."""
    rng = np.random.default_rng(seed)
    g = np.concatenate([[4], np.full(10, 6), np.zeros(30)])
    p = pd.DataFrame({"unit": np.repeat(np.arange(41), 8), "t": np.tile(np.arange(1, 9), 41)})
    p["y"] = np.repeat(rng.normal(size=41), 8) + 0.2 * p["t"] + rng.normal(size=len(p))
    return p, pd.DataFrame({"policy": "x", "unit": np.flatnonzero(g > 0), "t": g[g > 0]})


def test_sun_abraham_gives_no_se_where_one_adopter_reaches_the_event_time():
    # Event times 3 and 4 only the cohort of one (period 4) reaches: pyfixest's clustered
    # SE there holds the comparison units only (a true null rejected in most panels).
    pytest.importorskip("pyfixest")
    p, a = _one_and_ten()
    sa = sun_abraham(p, a, outcome="y", unit="unit", time="t").set_index("event_time")
    lone = sa.loc[[3, 4]]
    assert lone["std_error"].isna().all() and lone["p_value"].isna().all()
    assert lone[["conf_low", "conf_high"]].isna().all().all()
    assert (lone["se_not_identified"].str.startswith("one adopting unit only (cohort 4)")).all()
    from policydiffusion.effects._staggered import _sun_abraham_fit  # pyfixest as it prints

    raw = _sun_abraham_fit(p, a, outcome="y", unit="unit", time="t", policy=None,
                           cluster=None)[0]
    raw = raw.set_index("event_time")
    np.testing.assert_allclose(lone["estimate"], raw.loc[[3, 4], "estimate"])
    # the ten-unit cohort alone (-5, -4) and both cohorts pooled (11 adopters) are unchanged
    kept, cols = sa.drop([3, 4]), ["std_error", "p_value", "conf_low", "conf_high"]
    assert (kept["se_not_identified"] == "").all()
    np.testing.assert_allclose(kept[cols], raw.drop([3, 4])[cols])


def test_sun_abraham_gives_no_se_where_the_adopters_lie_in_one_cluster():
    pytest.importorskip("pyfixest")
    p, a = _one_and_ten()
    # the ten adopters of period 6 in one state, everyone else spread over five states:
    # event times -5 and -4 (only they reach them) are nested in that one state
    state = {u: ("S" if 1 <= u <= 10 else f"s{u % 5}") for u in range(41)}
    p["state"] = p["unit"].map(state)
    sa = sun_abraham(p, a, outcome="y", unit="unit", time="t",
                     cluster="state").set_index("event_time")
    assert sa.loc[-5, "se_not_identified"].startswith(
        "the adopters reaching event time -5 are in one cluster of state only (S)")
    assert np.isnan(sa.loc[-4, "std_error"]) and np.isnan(sa.loc[-4, "p_value"])
    assert sa.loc[3, "se_not_identified"].startswith("one adopting unit only")
    assert (sa.loc[[-3, -2, 0, 1, 2], "se_not_identified"] == "").all()
    assert sa.loc[[-3, -2, 0, 1, 2], "p_value"].notna().all()
    # the labels travel beside the fit's data, not in it (no copy to drop them)
    from policydiffusion.effects._staggered import _sun_abraham_fit

    _, d, names = _sun_abraham_fit(p, a, outcome="y", unit="unit", time="t", policy=None,
                                   cluster="state")
    assert "cluster_label" not in d and list(names[d["cl"]]) == p["state"].tolist()

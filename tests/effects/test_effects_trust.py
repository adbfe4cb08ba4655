"""Trust fixes in the policy-effect estimators (issue: full-effects-trust).

1. callaway_santanna: a cohort of ONE adopting unit has no identified standard error
   (its influence function is 0 for the adopter; a true null was rejected in 73% of 200
   simulated panels at 5%, benchmarks/bench_cs_singleton_results.txt).
2. pretrend_test: its degrees of freedom are set by an explicit relative tolerance on
   the eigenvalues of the covariance, not by rounding noise; an ambiguous rank is refused.
3. A standard error of exactly 0 gives no test (it gave p = 0).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from policydiffusion.effects import EventStudyResult, GroupTimeResult, callaway_santanna


def _panel(cohorts: dict[int, int], seed: int = 0, never: int = 30, periods: int = 8):
    rng = np.random.default_rng(seed)
    g = np.concatenate([np.full(k, c) for c, k in cohorts.items()] + [np.zeros(never)])
    p = pd.DataFrame({"unit": np.repeat(np.arange(len(g)), periods),
                      "t": np.tile(np.arange(1, periods + 1), len(g))})
    p["y"] = np.repeat(rng.normal(size=len(g)), periods) + 0.2 * p["t"] + rng.normal(size=len(p))
    return p, pd.DataFrame({"policy": "x", "unit": np.flatnonzero(g > 0), "t": g[g > 0]})


@pytest.fixture(scope="module")
def one_and_ten():
    p, a = _panel({4: 1, 6: 10})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return p, callaway_santanna(p, a, outcome="y", unit="unit", time="t")


def test_cohort_of_one_keeps_its_att_but_has_no_standard_error(one_and_ten):
    p, r = one_and_ten
    t = r.tidy().set_index(["cohort", "period"])
    one = t.loc[4.0]
    assert one["std_error"].isna().all() and one["p_value"].isna().all()
    assert one["se_not_identified"].str.startswith("one adopting unit only (cohort 4)").all()
    # the ATT stands: the adopter's change minus the never-adopters' mean change (4 vs 3)
    w = p.pivot(index="unit", columns="t", values="y")
    dy = w[4] - w[3]
    assert one.at[4.0, "att"] == pytest.approx(dy[0] - dy[11:].mean(), abs=1e-12)
    ten = t.loc[6.0]
    assert (ten["std_error"] > 0).all() and ten["p_value"].between(0, 1).all()
    assert (ten["se_not_identified"] == "").all()
    assert any(n.startswith("no standard error, test or interval for 7 group-time cells: one "
                            "adopting unit only (cohort 4)") for n in r.notes())


def test_aggregates_on_one_adopter_are_marked_and_pooled_ones_keep_their_se(one_and_ten):
    _, r = one_and_ten
    dyn = r.aggregate("dynamic").set_index("event_time")
    # e = 3, 4 only the cohort of one reaches; e = 0..2 pool 11 adopters
    assert dyn.loc[[3, 4], ["std_error", "p_value"]].isna().all().all()
    assert dyn.loc[3, "se_not_identified"].startswith("one adopting unit only (cohort 4)")
    assert (dyn.loc[[0, 1, 2], "std_error"] > 0).all() and dyn.loc[[0, 1, 2], "p_value"].notna().all()
    grp = r.aggregate("group").set_index("cohort")
    assert np.isnan(grp.at[4.0, "p_value"]) and np.isfinite(grp.at[6.0, "p_value"])
    assert np.isfinite(grp.at[4.0, "att"])


def test_pretrend_test_leaves_out_and_counts_cells_of_a_cohort_of_one(one_and_ten):
    _, r = one_and_ten
    t = r.pretrend_test()
    # cohort 4: pre cells in periods 2, 3; cohort 6: periods 2..5
    assert t["n_excluded"] == 2 and t["n_tested"] == 4 and t["df"] == 4
    assert "2 pre-adoption cells left out: one adopting unit only (cohort 4)" in t["note"]


def _near_singular(ratio: float, n: int = 200) -> GroupTimeResult:
    """Three pre-adoption cells whose covariance has eigenvalues 1, 1 and ``ratio``."""
    rng = np.random.default_rng(5)
    q = np.linalg.qr(rng.normal(size=(n, 3)))[0]
    o = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    inf = q @ np.diag(n * np.sqrt([1.0, 1.0, ratio])) @ o.T  # v = inf'inf / n^2 = O diag O'
    att = pd.DataFrame({"cohort": 5.0, "period": [2.0, 3.0, 4.0], "event_time": [-3, -2, -1],
                        "std_error": 1.0, "se_not_identified": ""})
    att["att"] = o @ np.array([1.0, 1.0, 1e-3])
    return GroupTimeResult(att, inf, {5.0: 0.5}, np.full(n, 5.0), "never", n)


def test_pretrend_df_is_not_set_by_rounding_noise():
    # eigenvalue 1e-13 of the largest: rounding noise. Before: numpy's default rank
    # tolerance counted it (df 3) and the pseudo-inverse divided by it (statistic ~1e7)
    t = _near_singular(1e-13).pretrend_test()
    assert t["df"] == 2 and t["statistic"] == pytest.approx(2.0, rel=1e-6)
    assert "has rank 2" in t["note"] and "1e-10" in t["note"]
    full = _near_singular(0.5).pretrend_test()
    assert full["df"] == 3 and full["statistic"] == pytest.approx(2 + 1e-6 / 0.5, rel=1e-9)
    assert full["note"] == full["reason"] == ""


def test_pretrend_refused_where_the_rank_is_ambiguous():
    t = _near_singular(1e-9).pretrend_test()
    assert np.isnan(t["statistic"]) and np.isnan(t["p_value"])
    assert "between 1e-10 and 1e-08 times the largest: its rank is ambiguous" in t["reason"]


def test_zero_standard_error_gives_no_test_in_event_study_tidy():
    names = ["a", "b"]
    r = EventStudyResult(pd.Series({"a": 1.0, "b": 2.0}),
                         pd.DataFrame([[0.0, 0.0], [0.0, 4.0]], index=names, columns=names),
                         ("a", "b"), 10, None, 8.0, {}, "y", ((0, 0),), ("a",))
    t = r.tidy().set_index("term")
    # before: statistic inf, p = 0, interval [1, 1]
    assert t.loc["a", ["statistic", "p_value", "conf_low", "conf_high"]].isna().all()
    assert t.at["a", "std_error"] == 0 and t.at["a", "se_not_identified"] == \
        "the standard error is 0: no test"
    assert t.at["b", "p_value"] == pytest.approx(0.3466, abs=1e-4) and t.at["b", "se_not_identified"] == ""


def test_zero_standard_error_gives_no_test_in_heterogeneity_tidy():
    from policydiffusion.effects import HeterogeneityResult

    names = ["b__base", "b__slope"]
    fit = EventStudyResult(pd.Series({"b__base": 1.0, "b__slope": 0.5}),
                           pd.DataFrame(np.diag([0.0, 0.04]), index=names, columns=names),
                           tuple(names), 10, None, 8.0, {}, "y", ((0, 0),), ("p",))
    t = HeterogeneityResult(fit, "p", "numeric", (), None, ("b",), {}).tidy().set_index("group")
    assert np.isnan(t.at["at 0", "p_value"]) and np.isfinite(t.at["slope", "p_value"])


def test_zero_standard_error_gives_no_test_in_group_time_effects():
    # every adopter's outcome rises by exactly 3, every other unit's by exactly 1
    p = pd.DataFrame({"unit": np.repeat(range(6), 3), "t": np.tile([1, 2, 3], 6)})
    adopter = p["unit"] < 3
    p["y"] = np.where(adopter & (p["t"] >= 2), 3.0 * (p["t"] - 1), 1.0 * (p["t"] - 1))
    a = pd.DataFrame({"policy": "x", "unit": [0, 1, 2], "t": 2})
    r = callaway_santanna(p, a, outcome="y", unit="unit", time="t")
    cell = r.tidy().set_index("period").loc[2.0]
    assert cell["att"] == 2.0 and cell["std_error"] == 0.0  # before: p = 0
    assert np.isnan(cell["p_value"]) and cell["se_not_identified"] == "the standard error is 0: no test"
    assert np.isnan(r.aggregate("dynamic").set_index("event_time").at[0, "p_value"])


def test_report_says_why_a_term_has_no_test():
    from policydiffusion.report.document import ReportDocument
    from policydiffusion.report.effects_section import effects_section
    from policydiffusion.report.html import render_html

    names = ["p_L0_to_L0", "p_L1_to_L1"]
    fit = EventStudyResult(pd.Series([1.0, 2.0], index=names),
                           pd.DataFrame(np.diag([0.0, 4.0]), index=names, columns=names),
                           tuple(names), 10, None, 8.0, {}, "y", ((0, 0), (1, 1)), ("p",))
    doc = ReportDocument(title={"en": "T", "zh": "T"}, sections=(effects_section(fit),))
    assert "No test or interval for p_L0_to_L0: its standard error is 0" in render_html(doc, lang="en")
    assert "p_L0_to_L0 无检验与置信区间" in render_html(doc, lang="zh")


def test_r_did_port_prints_the_comparison_only_se_for_a_cohort_of_one(one_and_ten):
    # What we decline to show: csdid (the Python port of R did) gives the singleton cell
    # sqrt(sum over never-adopters of (dy - mean dy)^2) / n_never, the comparison side only
    csdid = pytest.importorskip("csdid.att_gt")
    import contextlib
    import io

    p, r = one_and_ten
    g = p["unit"].map(dict.fromkeys(range(1), 4) | dict.fromkeys(range(1, 11), 6)).fillna(0)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = csdid.ATTgt(yname="y", tname="t", idname="unit", gname="g", data=p.assign(g=g),
                        control_group="nevertreated").fit(est_method="dr", bstrap=False)
    res = pd.DataFrame({"g": m.results["group"], "t": m.results["year"], "se": m.results["se"]})
    se_r = res.query("g == 4 and t == 4")["se"].iat[0]
    w = p.pivot(index="unit", columns="t", values="y")
    dy = (w[4] - w[3])[11:]
    assert se_r == pytest.approx(np.sqrt(((dy - dy.mean()) ** 2).sum()) / len(dy), rel=1e-8)
    assert np.isnan(r.tidy().query("cohort == 4 and period == 4")["std_error"].iat[0])


def test_wald_f_rank_is_not_set_by_rounding_noise():
    from policydiffusion.effects._event_study import wald_f

    b = np.array([1.0, 1e-3])
    # before: numpy's default tolerance called both full rank and solve() divided by the
    # small eigenvalue (F = 5e6 from a 1e-13 eigenvalue)
    noise = wald_f(b, np.diag([1.0, 1e-13]), 100)
    assert np.isnan(noise["p_value"]) and "singular (rank 1)" in noise["reason"]
    unclear = wald_f(b, np.diag([1.0, 1e-9]), 100)
    assert np.isnan(unclear["p_value"]) and "rank is ambiguous" in unclear["reason"]
    ok = wald_f(b, np.diag([1.0, 0.5]), 100)
    assert ok["statistic"] == pytest.approx((1 + 1e-6 / 0.5) / 2) and "reason" not in ok

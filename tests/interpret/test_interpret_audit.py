"""Trust audit of interpretation (issue: full-audit-interpret): tests that were computed
from fits or covariances that do not stand behind them, and rows lost without a count."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import ExclusionWarning, InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import fit_subgroups, lr_test, out_of_time


def _logit_data(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n),
                       "g": rng.integers(0, 3, n), "cl": rng.integers(0, 2, n)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    return df


def test_subgroup_test_with_a_singular_clustered_covariance_is_not_computed():
    # three subgroups, two clusters shared by all: the clustered covariance of the two
    # differences has rank 1; solving it printed chi2(2) = -1.3e16, p = 1
    df = _logit_data(900, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sg = fit_subgroups(df, "y ~ x", by="g", key="x", vcov={"cluster": "cl"})
    assert sg.test == "singular" and sg.df == 2
    assert np.isnan(sg.statistic) and np.isnan(sg.p_value)
    assert "singular (rank 1, 2 clusters)" in sg.not_tested
    assert "no test" in str(sg) and "chi2" not in str(sg)
    # the subgroup estimates themselves stand: shown as fitted
    assert sg.tidy()["estimate"].notna().all()


def test_subgroup_test_with_enough_clusters_is_still_computed():
    df = _logit_data(900, 2)
    df["cl"] = np.random.default_rng(3).integers(0, 30, len(df))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sg = fit_subgroups(df, "y ~ x", by="g", key="x", vcov={"cluster": "cl"})
    assert sg.test == "pooled" and sg.statistic >= 0 and 0 <= sg.p_value <= 1


def test_subgroup_test_when_the_key_is_nested_in_a_subgroups_clusters_is_not_computed():
    # in subgroup 1 the dummy key is 1 in one cluster only: its tidy SE is NaN (not
    # identified), yet the difference test printed chi2(1) = 12.50, p = 0.0004 (y is noise)
    rng = np.random.default_rng(5)
    n = 1200
    df = pd.DataFrame({"cl": rng.integers(0, 30, n), "g": rng.integers(0, 2, n)})
    df["d"] = (rng.random(n) < 0.3).astype(float)
    df.loc[(df.g == 1) & (df.cl != 0), "d"] = 0.0
    df["y"] = (rng.random(n) < 0.3).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sg = fit_subgroups(df, "y ~ d", by="g", key="d", vcov={"cluster": "cl"})
    assert np.isnan(sg.tidy().set_index("group").loc[1, "std_error"])
    assert sg.test == "not_identified" and np.isnan(sg.p_value) and np.isnan(sg.statistic)
    assert "not identified in subgroup 1" in sg.not_tested and "no test" in str(sg)


@pytest.mark.parametrize("test, en_word, zh_word", [("singular", "singular", "奇异"),
                                                    ("not_identified", "nested", "嵌套")])
def test_report_names_why_a_subgroup_test_is_missing_in_both_languages(test, en_word, zh_word):
    from policydiffusion.pipeline.assemble import _difference_test

    en, zh = (_difference_test({"test": test}, lang) for lang in ("en", "zh"))
    assert en_word in en and "independent" not in en
    assert zh_word in zh


def test_lr_test_of_a_separated_fit_is_not_computed():
    # before: LR chi2(1) = 253.2, p = 5.2e-57 from a fit that did not converge (the
    # regression table prints no log-likelihood for it)
    df = _logit_data(300, 1)
    df["sep"] = df.y * 2.0 + np.random.default_rng(1).normal(size=len(df)) * 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        restricted, full = fit_hazard(df, "y ~ x"), fit_hazard(df, "y ~ x + sep")
    assert not full.converged
    t = lr_test(restricted, full)
    assert np.isnan(t.statistic) and np.isnan(t.p_value) and t.df == 1
    assert "full model" in t.not_tested and "sep" in t.not_tested
    assert np.isnan(t.loglik_full) and t.loglik_restricted == restricted.loglik
    assert "not computed" in str(t)


def test_lr_test_refuses_models_with_different_links():
    df = _logit_data(500, 4)
    with pytest.raises(InvalidOptionError, match="differ in link"):
        lr_test(fit_hazard(df, "y ~ z"), fit_hazard(df, "y ~ x + z", link="cloglog"))


def test_out_of_time_counts_the_later_rows_it_cannot_score():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"year": np.repeat(np.arange(2000, 2010), 100),
                       "x": rng.normal(size=1000), "c": rng.choice(["a", "b"], 1000)})
    df["y"] = (rng.random(1000) < 1 / (1 + np.exp(2 - df.x))).astype(int)
    df.loc[df.index[df.year == 2008][:30], "x"] = np.nan  # 30 missing values
    df.loc[df.year == 2009, "c"] = "new"  # 100 rows with a level unseen in training
    with warnings.catch_warnings(record=True) as seen:  # only ours: no pandas or formulaic warning
        warnings.simplefilter("always")
        o = out_of_time(df, "y ~ x + C(c)", time="year", split=2006)
    assert [type(w.message) for w in seen] == [ExclusionWarning]
    assert "130 of 300 rows" in str(seen[0].message)
    assert o.n_test == 170
    assert o.excluded == {"with a missing value": 30,
                          "with a level the training periods do not have": 100}
    assert o.tidy()["n_excluded"].item() == 130


def test_out_of_time_gives_no_scores_from_a_separated_training_fit():
    # before: AUC, PR-AUC and Brier from a training fit that did not converge
    df = _logit_data(400, 2)
    df["year"] = np.repeat(np.arange(2000, 2010), 40)
    df["sep"] = df.y * 2.0 + np.random.default_rng(1).normal(size=len(df)) * 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o = out_of_time(df, "y ~ x + sep", time="year", split=2006)
    assert not o.result.converged
    assert np.isnan(o.auc) and np.isnan(o.pr_auc) and np.isnan(o.brier)
    assert o.not_scored.startswith("training fit not estimable: ") and "sep (" in o.not_scored
    assert o.tidy()["not_scored"].item() == o.not_scored and o.n_test == 120
    ok = out_of_time(df, "y ~ x", time="year", split=2006)  # an estimable fit is scored
    assert ok.not_scored is None and 0 < ok.auc < 1


def test_subgroup_plot_marks_an_estimate_without_an_interval():
    # before: the point was drawn like any other, its missing bar readable as zero width
    import matplotlib

    matplotlib.use("Agg")
    from policydiffusion.report.effect_plots import plot_subgroup_estimates

    f = pd.DataFrame({"term": ["x", "x"], "group": ["a", "b"], "estimate": [0.5, 1.0],
                      "std_error": [0.2, np.nan]})
    ax = plot_subgroup_estimates(f, no_interval_note="no interval here")
    assert [t.get_text() for t in ax.texts] == ["no interval here"]
    hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() == "none"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [1.0]
    ax2 = plot_subgroup_estimates(f.assign(std_error=[0.2, 0.3]))
    assert not ax2.texts


def test_out_of_time_checks_the_training_fit_before_predicting(monkeypatch):
    # before: the separated fit predicted the later rows first, and an ExclusionWarning
    # counted 20 of them as "not scored" for a missing value when none could be scored
    from policydiffusion.estimate import HazardResult

    df = _logit_data(400, 2)
    df["year"] = np.repeat(np.arange(2000, 2010), 40)
    df["sep"] = df.y * 2.0 + np.random.default_rng(1).normal(size=len(df)) * 0.01
    df.loc[df.index[df.year == 2008][:20], "x"] = np.nan
    calls = []
    predict = HazardResult.predict
    monkeypatch.setattr(HazardResult, "predict",
                        lambda self, *a, **k: calls.append(1) or predict(self, *a, **k))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        o = out_of_time(df, "y ~ x + sep", time="year", split=2006)
    assert calls == [] and not any(isinstance(w.message, ExclusionWarning) for w in seen)
    assert o.not_scored.startswith("training fit not estimable: ") and "sep (" in o.not_scored
    assert o.excluded == {}
    assert o.n_test == 120 and o.events_test == int(df.loc[df.year > 2006, "y"].sum())
    with pytest.warns(ExclusionWarning, match="20 of 120 rows"):  # estimable: predicted
        ok = out_of_time(df, "y ~ x", time="year", split=2006)
    assert calls and ok.n_test == 100 and ok.excluded == {"with a missing value": 20}


def test_lr_test_refuses_two_fits_on_different_rows_of_the_same_number():
    # before: only the counts were compared (500 vs 500) and a statistic came back
    df = _logit_data(1000, 4)
    with pytest.raises(InvalidOptionError, match=r"different rows of the same number \(500\): "
                       r"500 of the restricted model's rows .* compared on 'y', 'x'"):
        lr_test(fit_hazard(df.iloc[:500], "y ~ x"), fit_hazard(df.iloc[500:], "y ~ x + z"))
    shifted = df.copy()
    shifted.loc[:6, "x"] += 1.0  # 7 rows differ in a shared column
    with pytest.raises(InvalidOptionError, match=r"7 of the restricted model's rows"):
        lr_test(fit_hazard(shifted, "y ~ x"), fit_hazard(df, "y ~ x + z"))


def test_lr_test_on_the_same_rows_is_unchanged_in_any_order_and_with_clusters():
    df = _logit_data(1000, 4)
    r, f = fit_hazard(df, "y ~ x"), fit_hazard(df, "y ~ x + z")
    t = lr_test(r, f)
    assert t.statistic == 2 * (f.loglik - r.loglik) and t.df == 1
    shuffled = fit_hazard(df.sample(frac=1, random_state=1), "y ~ x")
    assert lr_test(shuffled, f).statistic == pytest.approx(t.statistic, rel=1e-10)
    # a cluster column only one fit uses still decides its sample, not the comparison
    clustered = fit_hazard(df, "y ~ x", vcov={"cluster": "cl"})
    assert lr_test(clustered, f).statistic == pytest.approx(t.statistic, rel=1e-10)


def test_marginal_effects_of_an_unconverged_fit_name_the_right_remedy():
    # before: the refusal told to refit with Firth, a remedy for separation, to a fit that
    # merely stopped iterating; the term listing is interpret's not_estimable_terms
    from policydiffusion.estimate import SolverOptions
    from policydiffusion.interpret import average_marginal_effects

    df = _logit_data(300, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_hazard(df, "y ~ x", solver=SolverOptions(max_iter=1))
    with pytest.raises(InvalidOptionError) as err:
        average_marginal_effects(res)
    assert ("not estimable: Intercept (the fit did not converge), x (the fit did not "
            "converge); effects derived from them would not be valid. Refit until it "
            "converges") in str(err.value)
    assert "firth" not in str(err.value)


def test_marginal_effect_at_a_level_the_model_lacks_is_refused():
    """A categorical at= value outside the model's levels was coded missing and came out
    as the reference level's effect (the 'c' row equalled the 'a' row)."""
    from policydiffusion.interpret import average_marginal_effects

    d = _logit_data(400, 3)
    d["g"] = np.where(np.arange(len(d)) % 2 == 0, "a", "b")
    res = fit_hazard(d, "y ~ x + C(g)", link="logit")
    ok = average_marginal_effects(res, variables=["x"], at={"g": ["a", "b"]})
    assert len(ok) == 2 and ok["estimate"].notna().all()
    with pytest.raises(InvalidOptionError, match=r"'c' is not a level of 'g'.*\['a', 'b'\]"):
        average_marginal_effects(res, variables=["x"], at={"g": ["a", "b", "c"]})

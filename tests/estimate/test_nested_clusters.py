"""Terms nested in the clusters: estimates kept, cluster-robust standard errors marked.

With clusters = policy and policy dummies, every cluster's summed score is zero in the
directions of the intercept and the dummies; R's vcovCL still prints numbers for them
(see golden/nested_golden.R). Goldens: R glm + sandwich, for the numbers we keep.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from policydiffusion.estimate import fit_hazard
from policydiffusion.report.tables import regression_table
from conftest import GOLDEN
from test_glm_golden import r_name

FORMULA = "adopt ~ x1 + x2 + C(policy)"
KEPT = ["x1", "x2"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "nested_data.csv")


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((GOLDEN / "nested_golden.json").read_text())


@pytest.fixture(scope="module")
def fits(data):
    spec = {"cluster": "policy"}
    return {"dummies": fit_hazard(data, FORMULA, vcov=spec),
            "absorbed": fit_hazard(data, "adopt ~ x1 + x2", fixed_effects="policy", vcov=spec)}


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.VarianceCorrectionWarning")
@pytest.mark.parametrize("how", ["dummies", "absorbed"])
@pytest.mark.parametrize("key, spec", [
    ("se_cluster_policy", {"cluster": "policy"}),
    ("se_cluster_regress_policy", {"cluster-regress": "policy"}),
    ("se_cluster_policy_year", {"cluster": ["policy", "year"]}),
])
def test_nested_terms_are_marked_and_the_rest_matches_r(fits, golden, how, key, spec):
    ref = golden["policy_fe"]
    res = fits[how] if key == "se_cluster_policy" else fits[how].with_vcov(spec)
    names = list(res.params.index)
    assert [r_name(t) for t in names] == ref["terms"]
    np.testing.assert_allclose(res.params.to_numpy(), ref["estimate"], rtol=1e-6, atol=1e-9)
    nested = [t for t in names if t not in KEPT]
    assert sorted(res.se_not_identified) == sorted(nested)
    assert set(res.se_not_identified.values()) == {"nested in the clusters by policy"}
    t = res.tidy().set_index("term")
    idx = [names.index(k) for k in KEPT]
    np.testing.assert_allclose(t.loc[KEPT, "std_error"], np.array(ref[key])[idx], rtol=1e-6)
    assert t.loc[nested, ["std_error", "statistic", "p_value", "conf_low"]].isna().all().all()
    np.testing.assert_allclose(t.loc[nested, "estimate"],
                               np.array(ref["estimate"])[[names.index(n) for n in nested]],
                               rtol=1e-6)
    # the raw sandwich (what vcovCL reports) stays in cov, as for not-estimable terms
    np.testing.assert_allclose(res.std_errors.to_numpy(), ref[key], rtol=1e-6)


def test_clusters_that_do_not_nest_a_term_mark_nothing(fits, data, golden):
    res = fits["dummies"].with_vcov({"cluster": "state"})
    assert res.se_not_identified == {}
    np.testing.assert_allclose(res.std_errors.to_numpy(), golden["policy_fe"]["se_cluster_state"],
                               rtol=1e-6)
    assert fits["dummies"].with_vcov("hc0").se_not_identified == {}
    # region dummies, clusters = states nested in regions: several clusters per region
    reg = fit_hazard(data, "adopt ~ x1 + x2 + C(region)", vcov={"cluster": "state"})
    assert reg.se_not_identified == {}
    np.testing.assert_allclose(reg.std_errors.to_numpy(), golden["region_fe"]["se_cluster_state"],
                               rtol=1e-6)


def test_tables_json_and_notes_show_the_marking(fits):
    res = fits["dummies"]
    d = res.to_dict()
    first = d["coefficients"][0]
    assert first["term"] == "Intercept" and first["std_error"] is None
    assert first["se_not_identified"] == "nested in the clusters by policy"
    assert "Intercept" in d["se_not_identified"]
    assert any(n.startswith("standard error not identified (nested in the clusters by policy)")
               for n in res.notes())
    table = regression_table({"M": res}, drop={"C(policy)": "Policy fixed effects"})
    lines = table.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("| Constant"))
    assert lines[at] == "| Constant | -0.888 |"          # no stars: no test
    assert lines[at + 1] == "|  | (not identified) |"
    assert "(0.068)" in table                                # x1 keeps its standard error
    assert ("M: no standard error, test or interval for Constant, the fixed effects not "
            "shown (11 terms): nested in the clusters by policy") in table


def test_effects_that_load_on_a_nested_term_get_no_standard_error(fits):
    from policydiffusion.interpret import average_marginal_effects

    res = fits["dummies"]
    link = average_marginal_effects(res, variables=["x1"], scale="link")
    assert np.isclose(link["std_error"].iloc[0], res.tidy().set_index("term").loc["x1",
                                                                                  "std_error"])
    assert link.attrs["se_not_identified"] == {}
    # on the hazard the effect depends on the intercept and the policy effects too
    resp = average_marginal_effects(res, variables=["x1"], scale="response")
    assert np.isfinite(resp["estimate"].iloc[0]) and resp["std_error"].isna().all()
    assert "nested in the clusters by policy" in resp.attrs["se_not_identified"][0]


def test_moderation_plot_says_why_an_interval_is_missing(data):
    # on the hazard scale the effect loads on the nested intercept and policy effects: no
    # interval, and the plot says so instead of drawing a legend for a band that is absent
    import matplotlib

    matplotlib.use("Agg")
    from policydiffusion.interpret import marginal_effect_across
    from policydiffusion.report.effect_plots import plot_marginal_effect

    res = fit_hazard(data, "adopt ~ x1 * x2 + C(policy)", vcov={"cluster": "policy"})
    me = marginal_effect_across(res, variable="x1", moderator="x2", scale="response", n_values=5)
    assert me["conf_low"].isna().all() and me.attrs["se_not_identified"]
    ax = plot_marginal_effect(me, band_label="95% CI")
    texts = [t.get_text() for t in ax.texts]
    assert any("not identified" in t for t in texts)
    assert ax.get_legend() is None


def test_simulating_from_a_fit_with_nested_terms_refuses_parameter_draws(fits, tmp_path):
    # the raw sandwich gives the intercept and policy effects a near-zero spread: drawing
    # from it would simulate with false certainty; the JSON (null SEs) is read, not refused
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.simulate.from_fit import _check_identified, fit_from_json

    res = fits["dummies"]
    path = tmp_path / "fit.json"
    path.write_text(json.dumps(res.to_dict()))
    params, _, _, _ = fit_from_json(path)
    assert params.index.tolist() == res.params.index.tolist()
    with pytest.raises(InvalidOptionError, match="parameter_uncertainty=False"):
        _check_identified(json.loads(path.read_text())["se_not_identified"])
    with pytest.raises(InvalidOptionError, match="not identified for Intercept"):
        _check_identified(res.se_not_identified)


# ---- Firth fits: the modified score, not the likelihood score, vanishes by cluster ----

def _firth_numpy(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Firth's logit by plain Newton steps on the modified score (an independent check)."""
    from scipy.special import expit

    beta = np.zeros(X.shape[1])
    for _ in range(100):
        p = expit(X @ beta)
        W = p * (1 - p)
        inv = np.linalg.inv(X.T @ (X * W[:, None]))
        h = W * np.einsum("ij,jk,ik->i", X, inv, X)
        step = inv @ (X.T @ (y - p + h * (0.5 - p)))
        beta = beta + step
        if np.abs(step).max() < 1e-12:
            return beta
    raise AssertionError("numpy Firth did not converge")


def _cluster_se(X: np.ndarray, y: np.ndarray, beta: np.ndarray, groups) -> np.ndarray:
    """Stata-style cluster sandwich on the likelihood score, bread (X'WX)^-1."""
    from scipy.special import expit

    p = expit(X @ beta)
    inv = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
    codes, uniq = pd.factorize(groups)
    G = len(uniq)
    U = np.vstack([np.bincount(codes, weights=X[:, j] * (y - p), minlength=G)
                   for j in range(X.shape[1])]).T
    return np.sqrt(np.diag(inv @ (U.T @ U) @ inv) * G / (G - 1))


def _design(data: pd.DataFrame, factor: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    dummies = pd.get_dummies(data[factor], drop_first=True, dtype=float)
    X = np.column_stack([np.ones(len(data)), data.x1, data.x2, dummies.to_numpy()])
    names = ["Intercept", "x1", "x2"] + [f"C({factor})[T.{c}]" for c in dummies.columns]
    return X, data.adopt.to_numpy(dtype=float), names


@pytest.fixture(scope="module")
def firth_fits(data):
    return {"policy": fit_hazard(data, FORMULA, firth=True, vcov={"cluster": "policy"}),
            "region": fit_hazard(data, "adopt ~ x1 + x2 + C(region)", firth=True,
                                 vcov={"cluster": "state"})}


def test_firth_fit_marks_terms_nested_in_the_clusters(firth_fits, data):
    # the likelihood score's cluster sums are not zero at the Firth estimates (they hold the
    # penalty's share), so the meat-ratio rule on them marked nothing and tables printed
    # SEs of 0.02-0.1 with z up to 90 for the policy dummies
    res = firth_fits["policy"]
    X, y, names = _design(data, "policy")
    assert list(res.params.index) == names
    beta = _firth_numpy(X, y)
    np.testing.assert_allclose(res.params.to_numpy(), beta, rtol=1e-7, atol=1e-9)
    nested = [t for t in names if t not in KEPT]
    assert sorted(res.se_not_identified) == sorted(nested)
    assert {w.clusters for w in res.se_not_identified.values()} == {("policy",)}
    t = res.tidy().set_index("term")
    assert t.loc[nested, ["std_error", "statistic", "p_value", "conf_high"]].isna().all().all()
    se = _cluster_se(X, y, beta, data.policy)
    np.testing.assert_allclose(t.loc[KEPT, "std_error"], se[1:3], rtol=1e-6)
    np.testing.assert_allclose(res.std_errors.to_numpy(), se, rtol=1e-6)  # raw sandwich kept
    # FLIC re-estimates the intercept; the design, and what is nested, is the same
    assert sorted(res.flic().se_not_identified) == sorted(nested)
    # clustered by state nothing is nested: every term keeps its standard error
    by_state = res.with_vcov({"cluster": "state"})
    assert by_state.se_not_identified == {}
    np.testing.assert_allclose(by_state.std_errors.to_numpy(),
                               _cluster_se(X, y, beta, data.state), rtol=1e-6)
    assert sorted(by_state.with_vcov({"cluster": "policy"}).se_not_identified) == sorted(nested)


def test_firth_fit_with_clusters_that_do_not_nest_a_term_marks_nothing(firth_fits, data):
    # region dummies, clusters = states nested in regions (several states per region)
    res = firth_fits["region"]
    X, y, names = _design(data, "region")
    assert list(res.params.index) == names
    assert res.se_not_identified == {}
    beta = _firth_numpy(X, y)
    np.testing.assert_allclose(res.std_errors.to_numpy(), _cluster_se(X, y, beta, data.state),
                               rtol=1e-6)
    assert res.tidy()["std_error"].notna().all()


def test_nested_check_reuses_the_meats_cluster_cross_products(monkeypatch):
    from policydiffusion.estimate._vcov import GroupSums, MeatPlan, VcovSpec

    rng = np.random.default_rng(5)
    S = rng.normal(size=(200, 3))
    codes = [rng.integers(0, 7, 200), rng.integers(0, 4, 200)]
    plan = MeatPlan(VcovSpec.parse({"cluster": ["g", "h"]}), (7, 4), 3)
    plan.add(codes, S)
    calls = []
    real = GroupSums.sums
    monkeypatch.setattr(GroupSums, "sums", lambda self: calls.append(self) or real(self))
    meat, _, _ = plan.meat(200, 3)
    comps = plan.components()
    assert len(calls) == 3          # g, h and their intersection: each summed once
    g_sums = np.vstack([np.bincount(codes[0], weights=S[:, j], minlength=7)
                        for j in range(3)]).T
    np.testing.assert_allclose(comps["g"], g_sums.T @ g_sums)
    plan.add(codes, S)              # more rows: the cross-products are taken again
    np.testing.assert_allclose(plan.components()["g"], 4 * g_sums.T @ g_sums)


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.VarianceCorrectionWarning")
def test_nested_record_names_its_clusters_for_tables_and_json(data):
    # the intercept beside policy and state dummies is nested in both clusterings; tables
    # read the columns from the record (they parsed them out of the English reason, so
    # the Chinese note said "policy and state")
    res = fit_hazard(data, "adopt ~ x1 + x2 + C(policy) + C(state)",
                     vcov={"cluster": ["policy", "state"]})
    why = res.se_not_identified["Intercept"]
    assert why == "nested in the clusters by policy and state"
    assert why.clusters == ("policy", "state") and why.reason == str(why)
    assert res.se_not_identified["C(policy)[T.p02]"].clusters == ("policy",)
    assert res.se_not_identified["C(state)[T.s02]"].clusters == ("state",)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["se_not_identified"]["Intercept"] == "nested in the clusters by policy and state"
    assert d["se_not_identified_clusters"]["Intercept"] == ["policy", "state"]
    drop = {"C(policy)": "Policy fixed effects", "C(state)": "State fixed effects"}
    en = regression_table({"M": res}, drop=drop)
    assert "Constant: nested in the clusters by policy and state, so" in en
    zh = regression_table({"M": res}, drop=drop, lang="zh")
    assert "嵌套于按policy和state划分的聚类之内" in zh
    assert "policy and state" not in zh


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.SeparationWarning")
@pytest.mark.filterwarnings("ignore::policydiffusion.errors.ConvergenceWarning")
def test_firth_refit_after_separation_marks_the_nested_terms(data):
    # a policy without adoptions separates; the Firth refit's estimate for it comes from
    # the penalty alone, yet its clustered SE was printed (1.05, z = -5)
    sep = data.assign(adopt=np.where(data.policy == "p04", 0, data.adopt))
    res = fit_hazard(sep, FORMULA, on_separation="firth", vcov={"cluster": "policy"})
    assert res.estimator == "firth"
    assert res.provenance["separation_refit"]["terms"] == ["C(policy)[T.p04]"]
    nested = [t for t in res.params.index if t not in KEPT]
    assert sorted(res.se_not_identified) == sorted(nested)
    assert res.tidy().set_index("term").loc[KEPT, "std_error"].notna().all()


def test_firth_nested_check_reuses_the_fits_information(firth_fits, monkeypatch):
    # the check rebuilt X'WX (a pass over the data) that the Firth fit already had; with
    # the fit's inverse it makes one pass, marks the same terms and the same sums as with
    # the inverse of X'WX built here from the fit's rows
    from scipy.special import expit

    from policydiffusion.estimate._firth import modified_score_sums
    from policydiffusion.estimate._glm import Engine

    res = firth_fits["policy"]
    eng, spec, beta, inv = res._engine, res.vcov_spec, res._firth.beta, res._firth.inv_info
    assert inv is not None and inv is res._bread_inv  # the fit's, kept for the check
    info = np.zeros((len(beta), len(beta)))
    for prep in eng.prepared():
        X = eng.design.block(prep, 0, prep.n)
        p = expit(X @ beta)
        info += X.T @ (X * (p * (1 - p) * (1 if prep.w is None else prep.w))[:, None])
    np.testing.assert_allclose(inv, np.linalg.inv(info), rtol=1e-8)
    passes = []
    prepared = Engine.prepared
    monkeypatch.setattr(Engine, "prepared", lambda self: passes.append(1) or prepared(self))
    meat, plan = modified_score_sums(eng, beta, spec, inv_info=inv)
    assert len(passes) == 1
    meat0, plan0 = modified_score_sums(eng, beta, spec, inv_info=np.linalg.inv(info))
    assert len(passes) == 2
    with pytest.raises(TypeError, match="inv_info"):  # no second pass to rebuild it
        modified_score_sums(eng, beta, spec)
    np.testing.assert_allclose(meat, meat0, rtol=1e-10)
    (c,), (c0,) = plan.components().values(), plan0.components().values()
    np.testing.assert_allclose(c, c0, rtol=1e-8, atol=1e-12 * np.abs(c0).max())
    passes.clear()
    again = res.with_vcov({"cluster": "policy"})  # the meat's pass and the check's one
    assert len(passes) == 2 and again.se_not_identified == res.se_not_identified
    passes.clear()
    assert sorted(res.flic().se_not_identified) == sorted(res.se_not_identified)
    assert len(passes) == 3  # FLIC's design and meat passes, and the check's one

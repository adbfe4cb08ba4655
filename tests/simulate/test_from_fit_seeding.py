"""simulate_from_fit, curve comparison, seeding counterfactuals, netinf on simulated cascades."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.estimate import fit_hazard
from policydiffusion.simulate import (choose_seeds, compare_curves, fit_from_json, random_network,
                                      seeding_counterfactual, simulate_cascades, simulate_from_fit,
                                      simulate_hazard, synthetic_study)

COEFS = {"Intercept": -3.0, "x": 0.6, "national_share_l1": 2.5}
TERMS = [T.national_share()]


@pytest.fixture(scope="module")
def observed():
    sim = simulate_hazard(synthetic_study(60, 12, seed=21), coefs=COEFS, terms=TERMS, policy="p",
                          seed=22)
    res = fit_hazard(sim.riskset, sim.formula())
    return sim, res


def test_fitted_model_reproduces_the_observed_curve(observed) -> None:
    sim, res = observed
    fs = simulate_from_fit(res, sim.study, policy="p", terms=TERMS, draws=60, seed=1)
    cmp = fs.compare()
    assert list(cmp.columns) == ["period", "observed", "simulated_mean", "simulated_q025",
                                 "simulated_q975", "inside"]
    assert cmp["inside"].mean() >= 0.8
    assert (np.diff(cmp["simulated_mean"]) >= 0).all()  # cumulative
    assert cmp.equals(compare_curves(fs))
    again = simulate_from_fit(res, sim.study, policy="p", terms=TERMS, draws=60, seed=1)
    assert again.adoptions.equals(fs.adoptions)


def test_parameter_uncertainty_switch(observed) -> None:
    sim, res = observed
    fixed = simulate_from_fit(res, sim.study, policy="p", terms=TERMS, draws=5,
                              parameter_uncertainty=False, seed=2)
    assert (fixed.coefs.nunique() == 1).all()
    from policydiffusion.simulate.from_fit import _draw_coefs

    rng = np.random.default_rng(2)
    draws = pd.DataFrame([_draw_coefs(res.params, res.cov, rng) for _ in range(1500)])
    np.testing.assert_allclose(draws.mean().to_numpy(), res.params.to_numpy(),
                               atol=0.15 * res.std_errors.max())
    np.testing.assert_allclose(draws.cov().to_numpy(), res.cov.to_numpy(),
                               atol=0.15 * res.std_errors.max() ** 2)


def test_a_covariance_with_a_clearly_negative_eigenvalue_is_refused(observed) -> None:
    # before: the negative eigenvalue was silently set to 0 and draws made from another matrix
    sim, res = observed
    from policydiffusion.simulate.from_fit import _draw_coefs

    terms = list(res.params.index)
    bad = res.cov.copy()
    bad.iloc[1, 2] = bad.iloc[2, 1] = 2 * np.sqrt(bad.iloc[1, 1] * bad.iloc[2, 2])  # correlation 2
    d = res.to_dict()
    d["cov"] = {"terms": terms, "matrix": bad.to_numpy().tolist()}
    with pytest.raises(InvalidOptionError,
                       match="not positive semi-definite: eigenvalue.*along .*x, national_share_l1"):
        simulate_from_fit(d, sim.study, policy="p", terms=TERMS, draws=2, seed=3)
    fixed = simulate_from_fit(d, sim.study, policy="p", terms=TERMS, draws=2, seed=3,
                              parameter_uncertainty=False)  # the estimates alone need no covariance
    assert (fixed.coefs.nunique() == 1).all()
    # a rounding-level negative eigenvalue (1e-13 of the largest) is kept as 0
    w, q = np.linalg.eigh(res.cov.to_numpy())
    w[0] = -1e-13 * np.abs(w).max()
    near = pd.DataFrame((q * w) @ q.T, index=terms, columns=terms)
    with pytest.raises(np.linalg.LinAlgError):  # the eigenvalue path is the one taken
        np.linalg.cholesky(near.to_numpy())
    draws = pd.DataFrame([_draw_coefs(res.params, near, np.random.default_rng(4)) for _ in range(3)])
    assert np.isfinite(draws.to_numpy()).all()


def test_fit_json_route(observed) -> None:
    sim, res = observed
    d = res.to_dict()
    assert d["cov"]["terms"] == list(res.cov.index)  # fit --json keeps the covariance
    d.pop("cov")  # an older JSON without it: independent draws, with a warning
    with pytest.warns(PolicyDiffusionWarning, match="no covariance"):
        fs = simulate_from_fit(d, sim.study, policy="p", terms=TERMS, draws=3, seed=3)
    assert fs.coefs.shape == (3, 3)
    d["cov"] = {"terms": list(res.cov.index), "matrix": res.cov.to_numpy().tolist()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        params, cov, link, _ = fit_from_json(d)
    assert link == "logit" and cov.shape == (3, 3)
    with pytest.raises(InvalidOptionError, match="not a fit"):
        fit_from_json({"formula": "y ~ x"})


def test_seeding_more_units_spreads_faster() -> None:
    study = synthetic_study(40, 10, seed=5)
    many = choose_seeds(study, "random", 10, seed=1)
    res = seeding_counterfactual(study, coefs={"Intercept": -4.0, "neighbors_adopted_l1": 4.0},
                                 terms=[T.neighbors_adopted()],
                                 strategies={"ten": many, "two": many[:2], "random": "random"},
                                 k=10, reps=15, seed=4)
    tab = res.table.set_index("strategy")
    assert tab.loc["ten", "final_share"] > tab.loc["two", "final_share"]
    assert tab.loc["ten", "periods_to_50_q975"] <= tab.loc["two", "periods_to_50_q975"]
    assert len(res.runs) == 45 and "Seeding counterfactual" in res.summary()


def test_choose_seeds_rules() -> None:
    from policydiffusion.simulate.designs import blank_study
    from policydiffusion.study import RelationSpec

    units = pd.DataFrame({"unit": ["hub", "a", "b", "c"]})
    edges = pd.DataFrame({"source": ["a", "b", "c"], "target": ["hub", "hub", "hub"]})
    s = blank_study(units, start=1, end=3, relations={
        "net": RelationSpec(edges, directed=True)})
    assert choose_seeds(s, "top_sources", 1, relation="net") == ["hub"]
    with pytest.raises(InvalidOptionError, match="relation"):
        choose_seeds(s, "top_sources", 1)
    with pytest.raises(InvalidOptionError, match="observed adoptions"):
        choose_seeds(s, "most_innovative", 1)


@pytest.mark.parametrize("model,params", [("exponential", {"lambda": 1.0}),
                                          ("rayleigh", {"alpha": 1.0}),
                                          ("log-normal", {"mu": 0.0, "sigma": 0.5})])
def test_netinf_recovers_a_known_network_from_simulated_cascades(model, params) -> None:
    from policydiffusion.networks import cascades_from_table, netinf

    net = random_network(30, n_edges=60, seed=1)
    sim = simulate_cascades(net, n_cascades=300, model=model, params=params, max_time=5.0, seed=2)
    res = netinf(cascades_from_table(sim.cascades.to_pandas()), model=model, n_edges=60)
    true = set(zip(net["source"], net["target"]))
    got = set(zip(res.edges["origin"], res.edges["destination"]))
    precision, recall = len(got & true) / len(got), len(got & true) / len(true)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_seeding_mean_time_to_half_undefined_when_runs_never_get_there() -> None:
    # 35 of 40 runs never reach 50%: the mean of the other 5 (8.2 periods) flattered it
    study = synthetic_study(30, 10, seed=1)
    res = seeding_counterfactual(study, coefs={"Intercept": -4.0, "neighbors_adopted_l1": 2.0},
                                 terms=[T.neighbors_adopted()],
                                 strategies={"first3": ["u000", "u001", "u002"]}, reps=40, seed=1)
    row = res.table.iloc[0]
    assert row["share_never_50"] == pytest.approx(0.875)
    assert math.isnan(row["periods_to_50_mean"]) and row["periods_to_50_median"] == math.inf
    assert "periods_to_50_mean undefined (NaN) for first3" in res.summary()


def test_seeding_half_the_units_is_half_at_the_start() -> None:
    study = synthetic_study(30, 10, seed=1)
    res = seeding_counterfactual(study, coefs={"Intercept": -4.0}, strategies={
        "half": [f"u{k:03d}" for k in range(15)]}, reps=3, seed=1)
    assert res.runs["periods_to_50"].tolist() == [0.0, 0.0, 0.0]  # was 1: the first period
    assert res.table["periods_to_50_mean"].iloc[0] == 0.0 and "undefined" not in res.summary()


def _seeding_study(perm: list[int]):
    from policydiffusion.study import RelationSpec, load_study

    units = pd.DataFrame({"unit": ["e", "b", "c", "d", "f", "a"]})
    # e and b swap places in two policies: an exact tie in adoption order
    adopt = pd.DataFrame({"policy": ["p", "p", "p", "q", "q"], "unit": ["e", "b", "c", "b", "e"],
                          "time": [2001, 2002, 2003, 2001, 2002]})
    # d's weights sum to 0.6000000000000001 or 0.6 depending on the order added: f's 0.6 ties
    edges = pd.DataFrame({"source": ["a", "b", "c", "a"], "target": ["d", "d", "d", "f"],
                          "weight": [0.1, 0.2, 0.3, 0.6]})
    order = list(reversed(range(len(edges)))) if perm[0] else list(range(len(edges)))
    return load_study(adopt.iloc[[i for i in perm if i < len(adopt)]], units=units.iloc[perm],
                      end=2004,
                      relations={"net": RelationSpec(edges.iloc[order], weight="weight",
                                                     directed=True)})


def test_choose_seeds_do_not_depend_on_row_order() -> None:
    from policydiffusion.errors import PolicyDiffusionWarning

    got = []
    for perm in ([0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [1, 0, 3, 2, 5, 4]):
        s = _seeding_study(perm)
        with pytest.warns(PolicyDiffusionWarning, match="tie") as rec:
            inn = choose_seeds(s, "most_innovative", 1)
        assert rec[0].message.fields == {"tied": ("b", "e"), "chosen": ("b",)}
        with pytest.warns(PolicyDiffusionWarning, match=r"\(d, f\).*to d"):
            top = choose_seeds(s, "top_sources", 1, relation="net")
        got.append((inn, top, choose_seeds(s, "random", 3, seed=1),
                    choose_seeds(s, "most_innovative", 2)))  # b and e both in: no tie
    assert got[0] == got[1] == got[2]
    assert got[0][:2] == (["b"], ["d"]) and got[0][3] == ["b", "e"]

"""Directed-dyad emulation DGP: construction, determinism and parameter recovery."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.simulate import recovery, simulate_dyadic

UNITS = [f"u{k:02d}" for k in range(30)]
PERIODS = list(range(2001, 2009))
COEFS = {"Intercept": -3.2, "visits": 0.6, "x": 0.5, "visits:x": 0.4, "same": 0.8}


def inputs(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n, T = len(UNITS), len(PERIODS)
    grp = rng.integers(0, 4, n)
    same = (grp[:, None] == grp[None, :]).astype(float)
    np.fill_diagonal(same, 0)
    return {"dyad_covariates": {"visits": rng.poisson(0.4, (T, n, n)).astype(float),
                                "same": np.broadcast_to(same, (T, n, n))},
            "receiver_covariates": {"x": rng.standard_normal((T, n))}}


def test_same_seed_same_data_other_seed_other_data() -> None:
    a = simulate_dyadic(UNITS, PERIODS, coefs=COEFS, innovation={"Intercept": -3}, seed=1, **inputs(0))
    b = simulate_dyadic(UNITS, PERIODS, coefs=COEFS, innovation={"Intercept": -3}, seed=1, **inputs(0))
    c = simulate_dyadic(UNITS, PERIODS, coefs=COEFS, innovation={"Intercept": -3}, seed=2, **inputs(0))
    assert a.dyads.equals(b.dyads) and a.adoptions.equals(b.adoptions)
    assert not a.dyads.equals(c.dyads)


def test_rows_are_the_conditional_dyadic_risk_set() -> None:
    sim = simulate_dyadic(UNITS, PERIODS, coefs=COEFS, innovation={"Intercept": -3}, seed=5, **inputs(1))
    when = dict(zip(sim.adoptions["unit"], sim.adoptions["period"]))
    d = sim.dyads
    for r in d.iter_rows(named=True):
        assert when.get(r["source"], 9999) < r["period"] <= when.get(r["unit"], 9999)
    # every adopter's final-year rows have adopt_after_source = 1; emulated implies it
    assert (d.filter(pl.col("emulated") == 1)["adopt_after_source"] == 1).all()
    last = d.filter(pl.col("period") == pl.col("unit").replace_strict(when, default=None))
    assert (last["adopt_after_source"] == 1).all()
    # emulation adopters fired at least one dyad; innovation-only adopters fired none
    fired = set(d.filter(pl.col("emulated") == 1)["unit"])
    chan = dict(zip(sim.adoptions["unit"], sim.adoptions["channel"]))
    assert all((chan[u] in ("emulation", "both")) == (u in fired) for u in chan)
    # national share is the share of the other units adopted by t - 1
    r = d.row(0, named=True)
    prior = sum(1 for u, t in when.items() if t < r["period"])
    assert r["national_share"] == pytest.approx(prior / (len(UNITS) - 1))


def test_initial_adopters_are_sources_from_the_start() -> None:
    sim = simulate_dyadic(UNITS, PERIODS, coefs={"Intercept": -2.0}, initial=["u00", "u01"], seed=3)
    first = sim.dyads.filter(pl.col("period") == PERIODS[0])
    assert set(first["source"]) == {"u00", "u01"} and first.height == 2 * 28
    assert sim.adoptions.filter(pl.col("channel") == "initial").height == 2


def test_bad_input_is_explained() -> None:
    with pytest.raises(InvalidOptionError, match="unknown variable.*'visit'.*did you mean 'visits'"):
        simulate_dyadic(UNITS, PERIODS, coefs={"visit": 1.0}, seed=1, **inputs(0))
    with pytest.raises(InvalidOptionError, match="shape"):
        simulate_dyadic(UNITS, PERIODS, coefs={"z": 1.0}, dyad_covariates={"z": np.zeros((2, 2))}, seed=1)
    with pytest.raises(InvalidOptionError, match="consecutive"):
        simulate_dyadic(UNITS, [2001, 2003], coefs={"Intercept": 1.0}, seed=1)
    with pytest.raises(InvalidOptionError, match="link"):
        simulate_dyadic(UNITS, PERIODS, coefs={"Intercept": 1.0}, link="cauchit", seed=1)


def test_inputs_are_not_modified() -> None:
    inp = inputs(3)
    before = {k: v.copy() for k, v in inp["dyad_covariates"].items()}
    simulate_dyadic(UNITS, PERIODS, coefs=COEFS, seed=1, innovation={"Intercept": -3}, **inp)
    for k, v in before.items():
        np.testing.assert_array_equal(inp["dyad_covariates"][k], v)


def _fit(df: pl.DataFrame, formula: str, link: str = "logit"):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    fam = {"logit": sm.families.links.Logit(), "probit": sm.families.links.Probit(),
           "cloglog": sm.families.links.CLogLog()}[link]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.glm(formula, df.to_pandas(), family=sm.families.Binomial(fam)).fit()


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_fit_on_emulated_covers_the_truth_at_nominal_rate(link) -> None:
    def sim(seed: int):
        return simulate_dyadic(UNITS, PERIODS, coefs=COEFS, innovation={"Intercept": -3.0},
                               link=link, seed=seed, **inputs(seed % 997))

    res = recovery(sim, reps=60, seed=2024)
    assert res.n_failed == 0
    cover = dict(zip(res.table["term"], res.table["coverage"]))
    # 60 reps: a 95% interval covers between 0.85 and 1.0 with probability > 0.99
    assert set(cover) == set(COEFS)
    assert all(0.85 <= c <= 1.0 for c in cover.values()), cover
    assert (res.table["bias"].abs() < 2 * res.table["sd_estimate"] / np.sqrt(60) + 0.1).all()


def test_observable_outcome_points_the_same_way_but_is_not_the_truth() -> None:
    def sim(seed: int):
        return simulate_dyadic(UNITS, PERIODS, coefs=COEFS, innovation={"Intercept": -3.0},
                               seed=seed, **inputs(seed % 997))

    res = recovery(sim, reps=20, seed=7, outcome="adopt_after_source").table.set_index("term")
    assert res.loc["visits", "mean_estimate"] > 0 and res.loc["same", "mean_estimate"] > 0
    assert abs(res.loc["Intercept", "bias"]) > 0.5  # every dyad of an adopter is a 1


def test_subgroup_specific_effects() -> None:
    n, T = len(UNITS), len(PERIODS)
    rng = np.random.default_rng(0)
    big = (rng.random((T, n, n)) < 0.5).astype(float)
    visits = rng.poisson(0.6, (T, n, n)).astype(float)
    coefs = {0.0: {"Intercept": -3.0, "visits": 0.0}, 1.0: {"Intercept": -3.0, "visits": 1.0}}
    sim = simulate_dyadic(UNITS, PERIODS, coefs=coefs, subgroup="big",
                          dyad_covariates={"visits": visits, "big": big},
                          innovation={"Intercept": -2.5}, seed=11)
    d = sim.dyads
    est = {g: fit_hazard(d.filter(pl.col("big") == g), sim.formula_for(g)).params["visits"]
           for g in (0.0, 1.0)}
    assert est[1.0] > est[0.0] + 0.4
    with pytest.raises(InvalidOptionError, match="subgroup"):
        sim.formula()


def test_group_shares_are_the_share_of_peers_adopted_by_t_minus_1() -> None:
    rng = np.random.default_rng(4)
    labels = [f"g{k % 3}" for k in range(len(UNITS))]
    peers = (rng.random((len(UNITS), len(UNITS))) < 0.2).astype(float)
    np.fill_diagonal(peers, 0)
    peers[0] = 0.0  # a unit without peers has share 0
    sim = simulate_dyadic(UNITS, PERIODS, coefs={"Intercept": -3.0, "visits": 0.6, "grp": 1.0},
                          group_shares={"grp": labels, "peer": peers},
                          innovation={"Intercept": -3.0, "peer": 0.5}, seed=8, **{
                              k: v for k, v in inputs(2).items() if k == "dyad_covariates"})
    when = dict(zip(sim.adoptions["unit"], sim.adoptions["period"]))
    pos = {u: k for k, u in enumerate(UNITS)}
    for frame in (sim.dyads, sim.units_at_risk):
        for r in frame.sample(40, seed=1).iter_rows(named=True):
            i, t = pos[r["unit"]], r["period"]
            done = np.array([when.get(u, 9999) < t for u in UNITS], dtype=float)
            same = np.array([lab == labels[i] for lab in labels], dtype=float)
            same[i] = 0
            assert r["grp"] == pytest.approx(same @ done / same.sum())
            want = 0.0 if peers[i].sum() == 0 else peers[i] @ done / peers[i].sum()
            assert r["peer"] == pytest.approx(want)
    with pytest.raises(InvalidOptionError, match="one label per unit"):
        simulate_dyadic(UNITS, PERIODS, coefs={"Intercept": -3.0}, group_shares={"g": ["a"]}, seed=1)
    with pytest.raises(InvalidOptionError, match="used twice"):
        simulate_dyadic(UNITS, PERIODS, coefs={"Intercept": -3.0}, seed=1,
                        group_shares={"national_share": labels})

"""Network cascade and threshold DGPs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policydiffusion.errors import InvalidOptionError
from policydiffusion.simulate import random_network, simulate_cascades, simulate_threshold


def test_cascades_are_deterministic_and_seed_dependent() -> None:
    net = random_network(25, n_edges=60, seed=4)
    a = simulate_cascades(net, n_cascades=10, seed=9, epsilon=0.01, model="rayleigh")
    b = simulate_cascades(net, n_cascades=10, seed=9, epsilon=0.01, model="rayleigh")
    c = simulate_cascades(net, n_cascades=10, seed=10, epsilon=0.01, model="rayleigh")
    assert a.cascades.equals(b.cascades)
    assert not a.cascades.equals(c.cascades)


@pytest.mark.parametrize("model,params,mean", [
    ("exponential", {"lambda": 2.0}, 0.5),
    ("rayleigh", {"alpha": 1.0}, np.sqrt(np.pi / 2)),
    ("log-normal", {"mu": 0.0, "sigma": 0.5}, np.exp(0.125)),
])
def test_delay_on_a_single_edge_has_the_model_mean(model, params, mean) -> None:
    net = pd.DataFrame({"source": ["a"], "target": ["b"]})
    sim = simulate_cascades(net, n_cascades=1500, model=model, params=params,
                            start_probabilities={"a": 1.0}, seed=1)
    t = sim.cascades.filter(pl.col("node") == "b")["time"].to_numpy()
    assert len(t) == 1500
    assert abs(t.mean() - mean) < 4 * t.std() / np.sqrt(len(t))


def test_times_are_shortest_paths_and_parents_are_in_network() -> None:
    net = random_network(15, n_edges=40, seed=2)
    sim = simulate_cascades(net, n_cascades=20, seed=3)
    edges = set(zip(net["source"], net["target"]))
    joined = sim.parents.join(sim.cascades, on=["cascade_id", "node"])
    times = {(r["cascade_id"], r["node"]): r["time"] for r in joined.iter_rows(named=True)}
    for r in joined.iter_rows(named=True):
        if r["parent"] is None:
            assert r["time"] == 0.0
        else:
            assert (r["parent"], r["node"]) in edges
            assert times[(r["cascade_id"], r["parent"])] < r["time"]


def test_censoring_and_epsilon() -> None:
    net = random_network(30, n_edges=20, seed=5)  # sparse: few reachable nodes
    plain = simulate_cascades(net, n_cascades=50, seed=1)
    eps = simulate_cascades(net, n_cascades=50, seed=1, epsilon=0.5, max_time=3.0)
    assert eps.cascades["time"].max() <= 3.0
    assert plain.parents.filter(pl.col("parent").is_null()).height == 50  # only the seeds
    outside = eps.parents.join(eps.cascades, on=["cascade_id", "node"]).filter(
        pl.col("parent").is_null() & (pl.col("time") > 0))
    assert outside.height > 0


def test_partial_cascade_is_continued_with_its_times_kept() -> None:
    net = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "c"]})
    part = pd.DataFrame({"node": ["a", "b"], "time": [0.0, 5.0]})
    sim = simulate_cascades(net, n_cascades=30, partial_cascade=part, seed=1)
    got = sim.cascades.filter(pl.col("node").is_in(["a", "b"]))
    assert set(got["time"].to_list()) == {0.0, 5.0}


def test_cascade_input_errors() -> None:
    with pytest.raises(InvalidOptionError, match="self-loops"):
        simulate_cascades(pd.DataFrame({"source": ["a"], "target": ["a"]}), n_cascades=1, seed=1)
    with pytest.raises(InvalidOptionError, match="model"):
        simulate_cascades(random_network(3, n_edges=2, seed=1), n_cascades=1, model="gamma", seed=1)
    with pytest.raises(InvalidOptionError, match="params"):
        simulate_cascades(random_network(3, n_edges=2, seed=1), n_cascades=1, params={"mu": 1}, seed=1)
    with pytest.raises(InvalidOptionError, match="seed"):
        simulate_cascades(random_network(3, n_edges=2, seed=1), n_cascades=1, seed=None)


# ------------------------------------------------------------------------ threshold
def test_threshold_on_a_path_by_hand() -> None:
    # a <-> b <-> c (share exposure); thresholds 0.5: seed a, then b (1/2), then c (1/1)
    net = pd.DataFrame({"source": ["a", "b", "b", "c"], "target": ["b", "a", "c", "b"]})
    sim = simulate_threshold(net, n_periods=4, threshold=0.5, seed_nodes=["a"], seed=1)
    got = dict(zip(sim.adoptions["unit"], sim.adoptions["period"]))
    assert got == {"a": 1, "b": 2, "c": 3}
    sim = simulate_threshold(net, n_periods=4, threshold=0.6, seed_nodes=["a"], seed=1)
    got = dict(zip(sim.adoptions["unit"], sim.adoptions["period"]))
    assert got == {"a": 1, "b": None, "c": None}  # b's exposure is 1/2 < 0.6
    sim = simulate_threshold(net, n_periods=4, threshold=0.5, seed_nodes=["b"], seed=1)
    got = dict(zip(sim.adoptions["unit"], sim.adoptions["period"]))
    assert got == {"a": 2, "b": 1, "c": 2}
    sim = simulate_threshold(net, n_periods=4, threshold=0.6, seed_nodes=["c"], seed=1)
    assert dict(zip(sim.adoptions["unit"], sim.adoptions["period"]))["a"] is None


def test_threshold_seed_rules() -> None:
    star = pd.DataFrame({"source": ["hub"] * 9 + [f"l{k}" for k in range(9)],
                         "target": [f"l{k}" for k in range(9)] + ["hub"] * 9})
    central = simulate_threshold(star, n_periods=1, seed_nodes="central", seed_share=0.1, seed=1)
    assert central.adoptions.filter(pl.col("seed"))["unit"].to_list() == ["hub"]
    marginal = simulate_threshold(star, n_periods=1, seed_nodes="marginal", seed_share=0.1, seed=1)
    assert marginal.adoptions.filter(pl.col("seed"))["unit"].to_list() != ["hub"]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), rewire=st.sampled_from([0.0, 0.2]))
def test_threshold_invariants(seed: int, rewire: float) -> None:
    net = random_network(20, n_edges=50, seed=seed)
    sim = simulate_threshold(net, n_periods=6, rewire=rewire, seed=seed)
    again = simulate_threshold(net, n_periods=6, rewire=rewire, seed=seed)
    assert sim.adoptions.equals(again.adoptions)
    cum = sim.cumulative()["adopters"].to_list()
    assert cum == sorted(cum)  # adoption is absorbing
    ad = sim.adoptions.join(sim.exposure, on="unit").filter(
        (pl.col("period") == pl.col("period_right")) & ~pl.col("seed"))
    assert (ad["exposure"] >= ad["threshold"]).all()  # adopters met their threshold

"""Bootstrap, spread ties, held-out choice, rolling windows, relations, measures."""

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion.datasets import spid_study
from policydiffusion.errors import InvalidOptionError, NetinfStopWarning, RelationPeriodsWarning
from policydiffusion.networks import (as_relation, bootstrap_edges, cascades_from_study,
                                      cascades_from_table, choose_n_edges, conforming_share,
                                      netinf, network_measures, rolling_netinf, sources_adopted,
                                      spread_ties, top_sources, window_cascades)
from policydiffusion.networks._uncertainty import heldout_path
from policydiffusion.study import Relation


def test_bootstrap_is_seeded_and_bounded(example_cascades):
    a = bootstrap_edges(example_cascades, draws=5, n_edges=8, seed=11)
    b = bootstrap_edges(example_cascades, draws=5, n_edges=8, seed=11)
    pd.testing.assert_frame_equal(a.edges, b.edges)
    assert a.edges["share"].between(0, 1).all()
    assert a.edges["count"].sum() == 5 * 8
    c = bootstrap_edges(example_cascades, draws=5, n_edges=8, seed=12)
    assert not a.edges.equals(c.edges)
    assert list(a.tidy().columns)[:2] == ["term", "origin"]


def test_spread_ties_allows_same_year_sources():
    df = pd.DataFrame({"cascade_id": ["p"] * 3 + ["q"] * 3, "node": list("abcabc"),
                       "time": [2000, 2000, 2001, 2005, 2005, 2006]})
    casc = cascades_from_table(df)
    with pytest.raises(InvalidOptionError):
        netinf(casc, params=1.0, n_edges=4)  # only a->c, b->c possible when ties forbidden
    # in some draws no third edge improves the likelihood: netinf stops and says so
    stopped = r"in \d+ draw\(s\) netinf stopped before n_edges = 3"
    with pytest.warns(NetinfStopWarning, match=stopped):
        f = spread_ties(casc, draws=30, n_edges=3, params=1.0, seed=4)
    pairs = set(zip(f.edges.origin, f.edges.destination))
    assert ("a", "b") in pairs or ("b", "a") in pairs
    assert f.edges["share"].max() <= 1 and f.provenance["seed"] == 4
    with pytest.warns(NetinfStopWarning, match=stopped):
        g = spread_ties(casc, draws=30, n_edges=3, params=1.0, seed=4)
    pd.testing.assert_frame_equal(f.edges, g.edges)


def test_heldout_path_on_training_data_equals_the_gains(example_cascades):
    res = netinf(example_cascades, n_edges=12)
    path = heldout_path(res.edges, example_cascades, "exponential", res.params)
    np.testing.assert_allclose(np.diff(path), res.edges.improvement, rtol=1e-9)


def test_choose_n_edges(example_cascades):
    ch = choose_n_edges(example_cascades, max_edges=40, folds=3, seed=1)
    assert len(ch.table) == 41
    assert ch.table.heldout_loglik.iloc[ch.best_n_edges] == ch.table.heldout_loglik.max()
    assert ch.best_n_edges > 0


def test_window_uses_only_the_past(spid_cascades):
    sub = window_cascades(spid_cascades, 1990, 2000)
    assert all(t.min() == 0 for t in sub.times)
    orig = {cid: ts for cid, ts in zip(spid_cascades.cascade_ids, spid_cascades.times)}
    for cid, ts in zip(sub.cascade_ids, sub.times):
        o = orig[cid]
        o = o[(o >= 1990) & (o < 2000)]
        np.testing.assert_array_equal(ts, o - o[0])


def test_rolling_network_ignores_the_future():
    st = spid_study()
    c = cascades_from_study(st)
    r1 = rolling_netinf(c, window=8, periods=[1995], n_edges=15)
    # drop every adoption from 1995 on: E_1995 must not change
    cut = replace(st, adoptions=st.adoptions.filter(pl.col("period") < 1995))
    r2 = rolling_netinf(cascades_from_study(cut), window=8, periods=[1995], n_edges=15)
    pd.testing.assert_frame_equal(r1.at(1995), r2.at(1995))
    assert len(r1.at(1995)) == 15


def test_rolling_skips_empty_windows():
    df = pd.DataFrame({"cascade_id": ["p", "p", "q", "q"], "node": ["a", "b"] * 2,
                       "time": [10, 11] * 2})
    roll = rolling_netinf(cascades_from_table(df), window=2, n_edges=1, params=1.0)
    assert roll.periods == [12]  # default periods: first event + 1 .. last event + 1
    assert roll.skipped.period.tolist() == [11]


def test_as_relation_direction_and_periods(example_cascades):
    res = netinf(example_cascades, n_edges=3)
    rel = as_relation(res, name="learn")
    assert rel.directed and rel.is_static and rel.name == "learn"
    assert rel.edges.get_column("source").to_list() == res.edges.destination.tolist()
    assert rel.edges.get_column("target").to_list() == res.edges.origin.tolist()
    df = pd.DataFrame({"cascade_id": ["p"] * 2 + ["q"] * 2 + ["r"] * 2, "node": ["a", "b"] * 3,
                       "time": [1, 2, 5, 6, 1, 2]})
    roll = rolling_netinf(cascades_from_table(df), window=3, n_edges=1, params=1.0)
    rrel = as_relation(roll)
    assert not rrel.is_static
    assert rrel.at(3).get_column("source").to_list() == ["b"]
    assert rrel.at(5).height == 0


def test_sources_adopted_hand_example():
    rel = Relation.from_edges(pl.DataFrame({"s": ["c", "c", "b"], "t": ["a", "b", "a"]}),
                              name="n", source="s", target="t", directed=True)
    a = pd.DataFrame({"policy": ["p", "p", "p"], "unit": ["a", "b", "c"],
                      "period": [1, 3, 4]})
    out = sources_adopted(a, rel).set_index(["unit", "period"])["sources_adopted"]
    # c's sources a (adopted 1) and b (adopted 3): at t=4 both before t
    assert out[("c", 1)] == 0 and out[("c", 2)] == 1 and out[("c", 3)] == 1 and out[("c", 4)] == 2
    assert out[("b", 2)] == 1 and ("b", 4) not in out.index  # b adopted in 3
    dec = sources_adopted(a, rel, decay=0.5).set_index(["unit", "period"])["sources_adopted"]
    assert dec[("c", 4)] == pytest.approx(math.exp(-1.5) + math.exp(-0.5))


def test_sources_adopted_period_varying_relation():
    rel = Relation(name="r", directed=True, edges=pl.DataFrame(
        {"source": ["b"], "target": ["a"], "weight": [1.0], "period": [3]},
        schema={"source": pl.Utf8, "target": pl.Utf8, "weight": pl.Float64, "period": pl.Int64}))
    a = pd.DataFrame({"policy": ["p", "p"], "unit": ["a", "b"], "period": [1, 4]})
    with pytest.warns(RelationPeriodsWarning, match="only 1 of the 4 row periods 1-4"):
        out = sources_adopted(a, rel).set_index(["unit", "period"])["sources_adopted"]
    assert out[("b", 2)] == 0 and out[("b", 3)] == 1 and out[("b", 4)] == 0


def test_sources_adopted_from_study():
    st = spid_study(policies=["aborparc", "aborparn"])
    res = netinf(cascades_from_study(spid_study()), n_edges=40)
    out = sources_adopted(st, as_relation(res))
    assert set(out.columns) == {"policy", "unit", "period", "sources_adopted"}
    assert out.sources_adopted.max() >= 1
    assert out.groupby("policy").unit.nunique().eq(50).all()


def test_network_measures_and_top_sources():
    e = pd.DataFrame({"origin": ["a", "a", "b", "c"], "destination": ["b", "c", "c", "d"]})
    m = network_measures(e, nodes=["a", "b", "c", "d", "z"]).set_index("node")
    assert m.loc["a", "out_degree"] == 2 and m.loc["c", "in_degree"] == 2
    assert m.loc["z", ["in_degree", "out_degree"]].tolist() == [0, 0]
    assert m.pagerank.sum() == pytest.approx(1.0)
    assert m.loc["c", "betweenness"] > 0
    units = pd.DataFrame({"unit": list("abcdz"), "region": ["N", "S", "S", "N", "N"]})
    t = top_sources(e, units, top=1)
    assert t.set_index("region").loc["N", "node"] == "a"


def test_conforming_share(spid_frame):
    res = netinf(cascades_from_table(spid_frame, cascade_col="policy", node_col="state",
                                     time_col="adoption_year"), n_edges=50)
    cs = conforming_share(res, spid_frame, unit_col="state", time_col="adoption_year")
    assert len(cs) == spid_frame.policy.nunique()
    ok = cs.dropna()
    assert ok.share.between(0, 1).all() and ok.share.mean() > 0.5

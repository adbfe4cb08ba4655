"""Moran's I (vs spdep and brute force), follow-a-neighbour share, diffusion index."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.curves import (diffusion_index, follow_neighbor_share, moran_statistic, morans_i,
                                    weight_matrix)
from policydiffusion.curves._spatial import _moran_moments
from policydiffusion.datasets import spid_study
from policydiffusion.errors import InvalidOptionError
from policydiffusion.study import load_study

GOLDEN = json.loads((Path(__file__).parent / "golden" / "morans_i.json").read_text())
IDS = [p["policy"] for p in GOLDEN["policies"]]


@pytest.fixture(scope="module")
def spid():
    return spid_study(policies=IDS)


def test_units_in_golden_order(spid):
    assert spid.unit_ids == GOLDEN["meta"]["units"]


@pytest.mark.parametrize("style", ["W", "B"])
def test_moran_matches_spdep(spid, style):
    for ref in GOLDEN["policies"]:
        m = morans_i(spid, ref["policy"], row_standardize=style == "W", permutations=0)
        r, nrm = ref[f"{style}_randomisation"], ref[f"{style}_normal"]
        assert m.statistic == pytest.approx(r["statistic"], abs=1e-10)
        assert m.expected == pytest.approx(r["expected"], abs=1e-12)
        assert m.variance_randomization == pytest.approx(r["variance"], rel=1e-9)
        assert m.variance_normal == pytest.approx(nrm["variance"], rel=1e-9)
        assert m.p_randomization == pytest.approx(r["p_value"], rel=1e-7, abs=1e-12)
        assert m.p_normal == pytest.approx(nrm["p_value"], rel=1e-7, abs=1e-12)


def test_moran_brute_force(spid):
    W = weight_matrix(spid, "contiguity")
    for ref in GOLDEN["policies"][:3]:
        x = np.array(ref["x"], float)
        n, S0 = len(x), W.sum()
        xbar = x.mean()
        num = sum(W[i, j] * (x[i] - xbar) * (x[j] - xbar) for i in range(n) for j in range(n))
        den = sum((x[i] - xbar) ** 2 for i in range(n))
        brute = n / S0 * num / den
        assert morans_i(spid, ref["policy"], row_standardize=False, permutations=0).statistic == \
            pytest.approx(brute, rel=1e-12)


def test_randomisation_moments_equal_exact_permutation_moments():
    rng = np.random.default_rng(3)
    n = 7
    W = (rng.random((n, n)) < 0.4).astype(float)
    W = np.triu(W, 1)
    W = W + W.T
    W[0, 1] = W[1, 0] = 1.0
    x = rng.normal(size=n).round(2)
    vals = np.array([moran_statistic(x[list(perm)], W) for perm in itertools.permutations(range(n))])
    E, _, v_rand = _moran_moments(x - x.mean(), W)
    assert vals.mean() == pytest.approx(E, abs=1e-12)
    assert vals.var() == pytest.approx(v_rand, rel=1e-9)


def test_permutation_p_value_seeded(spid):
    a = morans_i(spid, "antibully", permutations=199, seed=42)
    b = morans_i(spid, "antibully", permutations=199, seed=42)
    assert a.p_permutation == b.p_permutation
    assert 1 / 200 <= a.p_permutation <= 1
    two = morans_i(spid, "antibully", permutations=199, seed=42, alternative="two-sided")
    assert two.p_permutation >= 1 / 200
    assert list(a.tidy()["term"]) == ["moran_i (normal)", "moran_i (randomization)", "moran_i (permutation)"]


def test_moran_exclude_non_adopters_and_errors(spid):
    m = morans_i(spid, "aborparc", non_adopters="exclude", permutations=0)
    assert m.n == 15
    with pytest.raises(InvalidOptionError, match="no relation"):
        morans_i(spid, "aborparc", relation="trade")


def test_follow_neighbor_share_brute_force(spid):
    f = follow_neighbor_share(spid).set_index("policy")
    edges = spid.relation("contiguity").edges
    nbrs: dict[str, set] = {}
    for s_, t_ in zip(edges["source"], edges["target"]):
        nbrs.setdefault(s_, set()).add(t_)
    for p in IDS:
        ad = dict(zip(*spid.adoptions_of(p).select("unit", "period").to_dict(as_series=False).values()))
        followers = sum(any(ad.get(j, 10**9) < t for j in nbrs.get(u, ())) for u, t in ad.items())
        assert f.loc[p, "n_followers"] == followers
        assert f.loc[p, "share"] == pytest.approx(followers / len(ad))


def test_follow_share_period_varying_relation():
    adopt = pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "time": [1, 2, 3]})
    visits = pd.DataFrame({"from": ["B", "C"], "to": ["A", "A"], "year": [1, 3]})
    from policydiffusion.study import RelationSpec

    s = load_study(adopt, granularity="period", relations={
        "visits": RelationSpec(visits, source="from", target="to", period="year", directed=True)})
    f = follow_neighbor_share(s, relation="visits")
    # B's edge is in force in period 1 only (B adopts in 2): not a follower; C's edge in 3: follower
    assert f["n_followers"].item() == 1


def test_diffusion_index_components():
    adopt = pd.DataFrame({"policy": ["p", "p", "p", "q", "q"], "unit": ["A", "B", "C", "A", "B"],
                          "time": [1, 2, 4, 2, 2], "lvl": [1, 2, 3, None, None]})
    units = pd.DataFrame({"unit": list("ABCD")})
    events = pd.DataFrame({"event": ["directive", "directive"], "time": [2, 4], "unit": [None, "C"]})
    adj = pd.DataFrame({"a": ["A", "B", "C"], "b": ["B", "C", "D"]})
    s = load_study(adopt, units=units, events=events, relations={"contiguity": adj.rename(
        columns={"a": "source", "b": "target"})}, level_col="lvl", granularity="period")
    d = diffusion_index(s).set_index("policy")
    assert d.loc["p", "breadth"] == 0.75 and d.loc["q", "breadth"] == 0.5
    assert d.loc["p", "depth"] == pytest.approx(2 / 3) and pd.isna(d.loc["q", "depth"])
    assert d.loc["p", "hierarchy"] == pytest.approx(2 / 3)  # B in 2 (all units) and C in 4 (C only)
    assert d.loc["q", "hierarchy"] == 1.0
    assert d.loc["p", "clustering"] == pytest.approx(2 / 3)  # B follows A, C follows B
    # A and B adopt together: nobody could follow anyone, so no clustering (it was 0)
    assert pd.isna(d.loc["q", "clustering"]) and d.loc["q", "components"] == "breadth,hierarchy"
    assert pd.isna(follow_neighbor_share(s).set_index("policy").loc["q", "share"])
    assert "clustering: every adoption in one period" in d.loc["q", "missing"]
    assert d.loc["p", "missing"] == "speed: fewer than two policies with a speed to rescale it against"
    assert "speed: first and last adoption" in d.loc["q", "missing"]
    assert {d.loc["p", "speed"], d.loc["q", "speed"]} <= {0.0, 1.0} or pd.isna(d.loc["q", "speed"])
    comps = ["breadth", "speed", "depth", "clustering", "hierarchy"]
    row = d.loc["p"]
    vals = [row[c] for c in comps if pd.notna(row[c])]
    assert row["index"] == pytest.approx(np.mean(vals)) and row["n_components"] == len(vals)
    w = diffusion_index(s, weights={"breadth": 2, "hierarchy": 0}).set_index("policy").loc["p"]
    used = [c for c in comps if pd.notna(row[c]) and c != "hierarchy"]
    wts = [2 if c == "breadth" else 1 for c in used]
    assert w["index"] == pytest.approx(np.average([row[c] for c in used], weights=wts))
    m = diffusion_index(s, clustering="moran").set_index("policy")
    assert 0 <= m.loc["p", "clustering"] <= 1
    assert diffusion_index(s, relation=None)["clustering"].isna().all()


def test_index_without_events_or_levels(spid):
    d = diffusion_index(spid, ["antibully", "aborparc"])
    assert d["depth"].isna().all() and d["hierarchy"].isna().all()
    assert (d["n_components"] == 3).all()


def test_isolates_are_listed_and_count_in_n(spid):
    # issue 10, item 11: the report states the isolate convention (spdep adjust.n = FALSE)
    m = morans_i(spid, "antibully", permutations=0)
    assert m.options["isolates"] == ["AK", "HI"] and m.n == 50


def test_analytic_p_withheld_when_values_are_heavy_tailed():
    """Two adopters among 50 (values: two early, 48 censored; kurtosis 23): the
    normal approximation said p = 0.0011, the exact permutation distribution (all
    1225 placements of the two adopters) says 0.031. Analytic z and p are now NaN with
    the reason; I, E[I], the variances and the permutation p-value stay."""
    p = "computer information transactions act"
    s = spid_study(policies=[p])
    m = morans_i(s, p, permutations=0)
    assert m.analytic_status == "heavy tails" and "kurtosis 23" in m.analytic_reason
    assert np.isnan(m.p_normal) and np.isnan(m.p_randomization) and np.isnan(m.z_randomization)
    assert m.statistic == pytest.approx(0.2019, abs=1e-4) and m.variance_randomization > 0
    W = weight_matrix(s, "contiguity")
    W = W / np.maximum(W.sum(axis=1, keepdims=True), 1)
    x = np.array([2018.0] * 50)
    exact = []
    for pair in itertools.combinations(range(50), 2):
        x2 = x.copy()
        x2[list(pair)] = [2001, 2000]  # the two adoption years (their order does not matter here)
        exact.append(moran_statistic(x2, W))
    p_exact = np.mean(np.array(exact) >= m.statistic - 1e-12)
    z_old = (m.statistic - m.expected) / np.sqrt(m.variance_randomization)
    from scipy.stats import norm

    assert p_exact > 0.02 and norm.sf(z_old) < 0.002  # what was printed was 20x too small
    assert m.to_dict()["p_randomization"] != m.to_dict()["p_randomization"]  # NaN (None in JSON)
    assert 0 < morans_i(s, p, permutations=99, seed=1).p_permutation <= 1
    assert not np.isnan(morans_i(s, p, permutations=0, max_kurtosis=np.inf, min_varying=0).p_randomization)


def test_golden_policies_keep_their_analytic_p(spid):
    for ref in GOLDEN["policies"]:
        m = morans_i(spid, ref["policy"], permutations=0)
        assert m.analytic_status == "ok" and m.kurtosis <= 10, ref["policy"]


def test_degenerate_variance_gives_no_p_value():
    """Every unit borders every other: I = E[I] = -1/(n-1) under every permutation, and
    the moment formulas give Var[I] = 0 up to rounding (+-1e-17): no z, no p."""
    units = list("ABCDEFG")
    adj = pd.DataFrame([(a, b) for a, b in itertools.combinations(units, 2)], columns=["source", "target"])
    adopt = pd.DataFrame({"policy": "p", "unit": units, "time": [1, 2, 2, 3, 5, 6, 6]})
    s = load_study(adopt, units=pd.DataFrame({"unit": units}), relations={"contiguity": adj},
                   granularity="period")
    m = morans_i(s, "p", permutations=19, seed=1)
    assert m.statistic == pytest.approx(-1 / 6, abs=1e-12)
    assert m.analytic_status == "degenerate variance"
    assert np.isnan(m.p_normal) and np.isnan(m.p_randomization) and np.isnan(m.z_normal)
    assert m.p_permutation == 1.0  # every permutation ties with the observed I


def _northeast(times: dict) -> tuple:
    """A study of the 10 north-eastern states with their SPID contiguity; ``times``:
    adoption period of the adopters (the rest never adopt, censored at period 9)."""
    states = ["ME", "NH", "VT", "MA", "RI", "CT", "NY", "NJ", "PA", "DE"]
    full = spid_study(policies=["antibully"])
    W = weight_matrix(full, "contiguity")
    idx = [full.unit_ids.index(u) for u in states]
    edges = pd.DataFrame([(a, b) for i, a in zip(idx, states) for j, b in zip(idx, states) if W[i, j] > 0],
                         columns=["source", "target"])
    adopt = pd.DataFrame({"policy": "p", "unit": list(times), "time": list(times.values())})
    units = pd.DataFrame({"unit": states, "period": 8})
    s = load_study(adopt, units=units.drop(columns="period"), relations={"contiguity": edges},
                   granularity="period", end=8)
    return s, states


def _exact_p(s, states, times) -> tuple[float, float]:
    """Moran's I of ``times`` and its exact permutation p-value (every placement of the
    adopters' values over the 10 states; the censored value 9 elsewhere)."""
    W = weight_matrix(s, "contiguity")
    W = W / W.sum(axis=1, keepdims=True)
    x = np.array([float(times.get(u, 9)) for u in s.unit_ids])
    vals = list(times.values())
    Is = []
    for place in itertools.permutations(range(len(states)), len(vals)):
        y = np.full(len(states), 9.0)
        y[list(place)] = vals
        Is.append(moran_statistic(y, W))
    obs = moran_statistic(x, W)
    return obs, float(np.mean(np.array(Is) >= obs - 1e-12))


def test_analytic_p_withheld_with_few_varying_units_below_the_kurtosis_reach():
    """Two neighbouring adopters (NJ, then DE) among 10 states: the kurtosis (3.3)
    cannot reach 10 on 10 values, so the analytic p was given: 0.023, "significant",
    where the exact permutation p (all 90 placements) is 0.089. Over all 90 placements
    the analytic p is off by up to 0.18. Now withheld as "few units"."""
    times = {"NJ": 1, "DE": 2}
    s, states = _northeast(times)
    m = morans_i(s, "p", permutations=0)
    obs, p_exact = _exact_p(s, states, times)
    assert m.statistic == pytest.approx(obs, abs=1e-12) and m.kurtosis < 5
    assert m.analytic_status == "few units" and np.isnan(m.p_randomization) and np.isnan(m.z_normal)
    assert m.analytic_reason.startswith("only 2 of 10 units differ from the most common value (fewer than 4)")
    old = morans_i(s, "p", permutations=0, min_varying=0)
    assert old.analytic_status == "ok"
    assert round(old.p_randomization, 3) == 0.023 and round(p_exact, 4) == 0.0889  # 8 of 90 placements


def test_analytic_p_kept_with_enough_varying_units():
    """Five adopters among the same 10 states: the analytic p stays, within 0.08 of the
    exact one (all 30240 placements), the accuracy accepted at b2 <= 10 on SPID."""
    times = {"NY": 1, "NJ": 2, "PA": 2, "CT": 3, "ME": 5}
    s, states = _northeast(times)
    m = morans_i(s, "p", permutations=0)
    _, p_exact = _exact_p(s, states, times)
    assert m.analytic_status == "ok"
    assert abs(m.p_randomization - p_exact) < 0.08


def test_methods_state_the_few_units_rule_in_both_languages():
    from policydiffusion.pipeline.methods import methods_paragraphs

    paras = methods_paragraphs(designs=[], models=[], time=[], moderation=[], heterogeneity=[],
                               network=None, describe=True, simulated=False)
    text = {lang: " ".join(p[lang] for p in paras) for lang in ("en", "zh")}
    assert "fewer than four units' adoption times differ from the most common one" in text["en"]
    assert "采纳时间不同于最常见值的单位少于四个、单位总数少于七个时" in text["zh"]

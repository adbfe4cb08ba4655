"""Units at several levels: validation, at_levels, pilots, level terms and level risk sets.

The toy tree, worked by hand:

    C (central)            adopts p in 2003
    +- P1 (province)       adopts p in 2002
    |  +- A (prefecture)   adopts p in 2001
    |  +- B (prefecture)   never
    +- P2 (province)       never
       +- D (prefecture)   adopts p in 2004; designated a pilot in 2002
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError, StudyDataError
from policydiffusion.riskset import monadic_riskset
from policydiffusion.study import at_levels, hierarchy, load_study, read_pilots

UNITS = pd.DataFrame({"unit": ["C", "P1", "P2", "A", "B", "D"],
                      "level": ["central", "province", "province", "prefecture", "prefecture",
                                "prefecture"],
                      "parent": [None, "C", "C", "P1", "P1", "P2"]})
ADOPT = pd.DataFrame({"policy": ["p"] * 4, "unit": ["C", "P1", "A", "D"],
                      "time": [2003, 2002, 2001, 2004]})


def toy(units=UNITS, adopt=ADOPT):
    return load_study(adopt, units=units, end=2005)


def col(rs, name):
    return {(u, t): v for u, t, v in rs.data.select("unit", "period", name).rows()}


def test_level_riskset_hand_worked():
    s = toy()
    pilots = read_pilots(pd.DataFrame({"policy": ["p"], "unit": ["D"], "time": [2002]}), s)
    rs = monadic_riskset(s, policy="p", level="prefecture", terms=[
        T.ancestor_adopted(), T.ancestor_adopted(level="province"), T.central_signal(),
        T.peer_share_within_parent(), T.pilot_designated(pilots)])
    assert sorted(set(rs.data.get_column("unit"))) == ["A", "B", "D"]
    assert rs.data.height == 1 + 5 + 4
    anc = col(rs, "ancestor_adopted_l1")
    assert [anc[("B", t)] for t in range(2001, 2006)] == [0, 0, 1, 1, 1]   # P1 2002
    assert [anc[("D", t)] for t in range(2001, 2005)] == [0, 0, 0, 1]      # C 2003
    prov = col(rs, "province_adopted_l1")
    assert [prov[("D", t)] for t in range(2001, 2005)] == [0, 0, 0, 0]     # P2 never
    cen = col(rs, "central_signal_l1")
    assert [cen[("B", t)] for t in range(2001, 2006)] == [0, 0, 0, 1, 1]
    peer = col(rs, "peer_share_within_parent_l1")
    assert [peer[("B", t)] for t in (2001, 2002)] == [0.0, 1.0]            # A adopted 2001
    assert peer[("D", 2003)] == 0.0                                        # alone under P2
    pil = col(rs, "pilot_designated_l1")
    assert [pil[("D", t)] for t in range(2001, 2005)] == [0, 0, 1, 1]
    ex = rs.exclusions
    assert ex.loc[ex["reason"].str.startswith("unit at another level"), "count"].item() == 3


def test_central_signal_from_an_event():
    s = load_study(ADOPT, units=UNITS, end=2005,
                   events=pd.DataFrame({"event": ["guideline"], "start": [2002]}))  # in force from 2002
    rs = monadic_riskset(s, policy="p", level="prefecture",
                         terms=[T.central_signal(event="guideline")])
    assert [col(rs, "central_signal_l1")[("B", t)] for t in range(2001, 2006)] == [0, 0, 1, 1, 1]


def test_unknown_level_for_riskset():
    with pytest.raises(InvalidOptionError, match="no unit is at level 'county'"):
        monadic_riskset(toy(), policy="p", level="county")


def test_hierarchy_order_inferred_and_explicit():
    assert hierarchy(toy()).levels == ("central", "province", "prefecture")
    with pytest.raises(StudyDataError, match="is at a lower level"):
        hierarchy(toy(), levels=["prefecture", "province", "central"])


@pytest.mark.parametrize("change, message", [
    ({"parent": [None, "C", "C", "P1", "A", "P2"]}, "is at the same level"),
    ({"parent": [None, "C", "C", "P1", "P9", "P2"]}, "parent of 'B' is not a unit"),
    ({"parent": ["A", "C", "C", "P1", "P1", "P2"]}, "parents form a cycle"),
    ({"level": ["central", "province", None, "prefecture", "prefecture", "prefecture"]},
     "unit 'P2' has no level"),
])
def test_hierarchy_problems(change, message):
    units = UNITS.assign(**change)
    with pytest.raises(StudyDataError, match=message) as err:
        hierarchy(toy(units))
    assert "units (DataFrame) row" in str(err.value) and "column" in str(err.value)


def test_level_not_listed_names_the_row(tmp_path):
    path = tmp_path / "units.csv"
    UNITS.assign(level=["central", "province", "province", "county", "prefecture",
                        "prefecture"]).to_csv(path, index=False)
    s = load_study(ADOPT, units=path, end=2005)
    with pytest.raises(StudyDataError, match=r"units.csv row 5, column 'level': 'county'"):
        hierarchy(s, levels=["central", "province", "prefecture"])


def test_at_levels_counts_adoptions_of_excluded_levels_and_reparents():
    s = at_levels(toy(), ["central", "prefecture"])
    assert s.unit_ids == ["C", "A", "B", "D"]
    assert s.units.get_column("parent").to_list() == [None, "C", "C", "C"]
    ex = s.exclusions
    assert ex["count"].tolist() == [1] and "('province')" in ex["reason"].item()


def test_pilots_validation():
    bad = pd.DataFrame({"policy": ["p", "zz", "p", "p"], "unit": ["D", "A", "Q", "D"],
                        "time": [2002, 2002, 2002, 2003]})
    with pytest.raises(StudyDataError) as err:
        read_pilots(bad, toy())
    text = str(err.value)
    assert "4 problems" not in text and "3 problems" in text
    assert "'zz': not a policy" in text and "'Q': not a unit" in text
    assert "designated twice" in text


# ------------------------------------------------------------------ invariants
@st.composite
def trees(draw):
    n_prov = draw(st.integers(1, 3))
    n_pref = draw(st.integers(1, 6))
    provs = [f"P{i}" for i in range(n_prov)]
    prefs = [f"X{i}" for i in range(n_pref)]
    parents = [draw(st.sampled_from(provs)) for _ in prefs]
    units = pd.DataFrame({"unit": ["C", *provs, *prefs],
                          "level": ["central"] + ["province"] * n_prov + ["prefecture"] * n_pref,
                          "parent": [None] + ["C"] * n_prov + parents})
    times = {u: draw(st.one_of(st.none(), st.integers(2000, 2006))) for u in units["unit"]}
    if all(v is None for v in times.values()):
        times["C"] = 2003
    adopt = pd.DataFrame([("p", u, t) for u, t in times.items() if t is not None],
                         columns=["policy", "unit", "time"])
    return units, adopt, times


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_ancestor_terms_equal_brute_force_and_no_row_after_adoption(tree):
    units, adopt, times = tree
    s = load_study(adopt, units=units, end=2006)
    rs = monadic_riskset(s, policy="p", level="prefecture", terms=[
        T.ancestor_adopted(), T.ancestor_adopted(level="province"), T.central_signal(),
        T.peer_share_within_parent()])
    parent = dict(zip(units["unit"], units["parent"]))
    level = dict(zip(units["unit"], units["level"]))

    def adopted_by(u, t):
        return times[u] is not None and times[u] <= t

    for u, t, adopt_, anc, prov, cen, peer in rs.data.select(
            "unit", "period", "adopt", "ancestor_adopted_l1", "province_adopted_l1",
            "central_signal_l1", "peer_share_within_parent_l1").rows():
        assert level[u] == "prefecture"
        assert times[u] is None or t <= times[u]          # never at risk after adopting
        assert adopt_ == int(times[u] == t)
        assert anc == int(adopted_by(parent[u], t - 1) or adopted_by("C", t - 1))
        assert prov == int(adopted_by(parent[u], t - 1))
        assert cen == int(adopted_by("C", t - 1))
        peers = [v for v in units["unit"] if v != u and parent[v] == parent[u]]
        want = sum(adopted_by(v, t - 1) for v in peers) / len(peers) if peers else 0.0
        assert abs(peer - want) < 1e-12


def test_the_ancestor_table_is_built_once_per_risk_set(tmp_path, monkeypatch):
    from policydiffusion.terms import _levels

    adopt = pd.concat([ADOPT.assign(policy=p) for p in ("p", "q", "r")], ignore_index=True)
    s = load_study(adopt, units=UNITS, end=2005)
    terms = [T.ancestor_adopted(), T.ancestor_adopted(level="province"), T.central_signal()]
    eager = monadic_riskset(s, policies=["p", "q", "r"], level="prefecture", terms=terms)
    calls = []
    real = _levels.ancestor_table
    monkeypatch.setattr(_levels, "ancestor_table", lambda *a: calls.append(1) or real(*a))
    rs = monadic_riskset(s, policies=["p", "q", "r"], level="prefecture", terms=terms,
                         lazy=True)
    rs.sink_parquet_dataset(tmp_path / "rs", policies_per_file=1)   # three batches
    assert len(calls) == 3                                   # one per term, not per batch
    back = pl.read_parquet(tmp_path / "rs" / "*.parquet").sort("policy", "unit", "period")
    assert back.equals(eager.data.sort("policy", "unit", "period"))

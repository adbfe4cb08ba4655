"""Walker and Boehmke-Skinner innovativeness against brute-force loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.curves import dynamic_innovativeness, walker_scores
from policydiffusion.datasets import load_dataset, spid_study
from policydiffusion.errors import InvalidOptionError
from policydiffusion.study import load_study

POLICIES = ["aborparc", "aborparn", "aboldeapen", "aborpreroe", "antibully", "termlim", "smokeban"]


@pytest.fixture(scope="module")
def spid():
    meta = load_dataset("spid_metadata")
    ids = [p for p in POLICIES if p in set(meta["policy"])]
    assert ids == POLICIES
    return spid_study(policies=ids), ids


def test_walker_brute_force(spid):
    s, ids = spid
    raw = load_dataset("spid_adoptions")
    names = dict(zip(load_dataset("us_state_regions")["state_name"], load_dataset("us_state_regions")["state_abb"]))
    raw = raw[raw["policy"].isin(ids)].assign(unit=lambda d: d["state"].map(names))
    for mode in ("exclude", "zero"):
        got = walker_scores(s, non_adopters=mode).set_index("unit")
        for unit in ["CA", "NY", "WY"]:
            vals = []
            for p in ids:
                d = raw[raw["policy"] == p]
                first, last = d["adoption_year"].min(), d["adoption_year"].max()
                if first == last:
                    continue
                mine = d.loc[d["unit"] == unit, "adoption_year"]
                if len(mine):
                    vals.append(1 - (mine.item() - first) / (last - first))
                elif mode == "zero":
                    vals.append(0.0)
            assert got.loc[unit, "score"] == pytest.approx(np.mean(vals))
            assert got.loc[unit, "n_policies"] == len(vals)


def test_dynamic_brute_force_with_window(spid):
    s, ids = spid
    for window in (1, 3):
        got = dynamic_innovativeness(s, window=window).set_index(["unit", "period"])
        adopt = {(r["policy"], r["unit"]): r["period"] for r in s.adoptions.iter_rows(named=True)}
        first = s.adoptions.group_by("policy").agg(__import__("polars").col("period").min())
        first = dict(zip(first["policy"], first["period"]))
        for unit in ["CA", "TX"]:
            for t in [1975, 1981, 1990, 2000]:
                num = den = 0
                for tt in range(t - window + 1, t + 1):
                    for p in ids:
                        a = adopt.get((p, unit))
                        if first[p] <= tt <= s.end and (a is None or a >= tt):
                            den += 1
                            num += a == tt
                if den:
                    r = got.loc[(unit, t)]
                    assert (r["adopted"], r["available"]) == (num, den)
                    assert r["score"] == pytest.approx(num / den)
                else:
                    assert (unit, t) not in got.index


def test_dynamic_respects_entry_and_exit():
    adopt = pd.DataFrame({"policy": ["p", "q"], "unit": ["A", "A"], "time": [1, 3]})
    units = pd.DataFrame({"unit": ["A", "B"], "entry": [None, 2], "exit": [None, 2]})
    s = load_study(adopt, units=units, granularity="period")
    d = dynamic_innovativeness(s).set_index(["unit", "period"])
    # B exists only in period 2: p (open from 1) and q (open from 3) -> only p available
    assert d.loc[("B", 2), "available"] == 1
    assert ("B", 3) not in d.index
    with pytest.raises(InvalidOptionError):
        dynamic_innovativeness(s, window=0)


def test_walker_excluded_policies_are_exposed():
    a = pd.DataFrame({"policy": ["p", "p", "q"], "unit": ["A", "B", "A"], "period": [1, 1, 2]})
    w = walker_scores(a)
    assert list(w.attrs["excluded"].values())[0] == ["p", "q"]
    assert w["score"].isna().all()


def test_walker_zero_skips_units_that_did_not_exist():
    """B leaves after period 2; policy q opens in 3: B could not adopt q, so under
    non_adopters="zero" q does not count for B (it counted as a 0: score 0.5, now 1)."""
    adopt = pd.DataFrame({"policy": ["p", "p", "q", "q"], "unit": ["B", "A", "A", "C"],
                          "time": [1, 2, 3, 4]})
    units = pd.DataFrame({"unit": ["A", "B", "C"], "entry": [None, None, None], "exit": [None, 2, None]})
    s = load_study(adopt, units=units, granularity="period")
    w = walker_scores(s, non_adopters="zero").set_index("unit")
    assert (w.loc["B", "score"], w.loc["B", "n_policies"]) == (1.0, 1)
    assert (w.loc["C", "score"], w.loc["C", "n_policies"]) == (0.0, 2)  # C existed for p: a 0


def test_dynamic_standard_error_not_zero_at_zero_or_one(spid):
    s, _ = spid
    d = dynamic_innovativeness(s)
    edge = d["score"].isin([0.0, 1.0])
    assert edge.any() and d.loc[edge, "std_error"].isna().all()  # was 0.0: false certainty
    inner = d.loc[~edge]
    assert inner["std_error"].to_numpy() == pytest.approx(
        np.sqrt(inner["score"] * (1 - inner["score"]) / inner["available"]).to_numpy())

"""Adoption curves, hazards, take-off and adopter categories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policydiffusion.curves import adopter_categories, adoption_curve, pooled_adoption_curve, takeoff
from policydiffusion.datasets import load_dataset, spid_study
from policydiffusion.errors import InvalidOptionError
from policydiffusion.study import load_study


def test_late_entry_and_exit_change_the_denominator():
    adopt = pd.DataFrame({"policy": "p", "unit": ["A", "B", "D"], "time": [2001, 2003, 2003]})
    # C exits after 2001 without adopting; D enters in 2002
    units = pd.DataFrame({"unit": ["A", "B", "C", "D"], "entry": [None, None, None, 2002],
                          "exit": [None, None, 2001, None]})
    s = load_study(adopt, units=units, start=2001, end=2004)
    c = adoption_curve(s, "p")
    assert c["period"].tolist() == [2001, 2002, 2003, 2004]
    assert c["n_existing"].tolist() == [3, 3, 3, 3]  # A B C | A B D | A B D | A B D
    assert c["at_risk"].tolist() == [3, 2, 2, 0]     # 2002: B, D (C gone, A adopted)
    assert c["new"].tolist() == [1, 0, 2, 0]
    assert c["hazard"].iloc[:3].tolist() == pytest.approx([1 / 3, 0.0, 1.0])
    assert np.isnan(c["hazard"].iloc[3])
    assert c["cumulative_share"].tolist() == pytest.approx([1 / 3, 1 / 3, 1.0, 1.0])
    assert c["t"].tolist() == [1, 2, 3, 4]


def test_spid_curve_matches_direct_count():
    s = spid_study(policies=["aborparc"])
    c = adoption_curve(s, "aborparc")
    raw = load_dataset("spid_adoptions")
    years = raw.loc[raw["policy"] == "aborparc", "adoption_year"]
    assert c["period"].iloc[0] == years.min() and c["period"].iloc[-1] == 2017
    for _, r in c.iterrows():
        assert r["cumulative"] == (years <= r["period"]).sum()
        assert r["at_risk"] == 50 - (years < r["period"]).sum()
    assert c["adopter_share"].iloc[-1] == 1.0
    assert c["cumulative_share"].iloc[-1] == pytest.approx(len(years) / 50)


def test_pooled_curve_sums_counts():
    s = spid_study(policies=["aborparc", "aborparn"])
    each = adoption_curve(s)
    pooled = pooled_adoption_curve(s)
    t1 = each[each["t"] == 1]
    assert pooled.loc[pooled["t"] == 1, "at_risk"].item() == t1["at_risk"].sum()
    assert pooled["new"].sum() == each["new"].sum()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(1, 12)), min_size=1, max_size=20,
                unique_by=lambda x: x[0]),
       st.integers(8, 15))
def test_curve_invariants(adoptions, n_units):
    df = pd.DataFrame({"policy": "p", "unit": [f"u{u}" for u, _ in adoptions],
                       "period": [t for _, t in adoptions]})
    before = pd.util.hash_pandas_object(df).sum()
    c = adoption_curve(df, units=[f"u{i}" for i in range(n_units)])
    assert pd.util.hash_pandas_object(df).sum() == before
    assert c["new"].sum() == len(adoptions)
    assert (c["cumulative"].diff().fillna(c["new"].iloc[0]) == c["new"]).all()
    h = c["hazard"].dropna()
    assert ((h >= 0) & (h <= 1)).all()
    assert (c["cumulative_share"] <= 1).all()
    # at risk falls by exactly the previous period's adopters
    assert (c["at_risk"].iloc[1:].to_numpy() == (c["at_risk"] - c["new"]).iloc[:-1].to_numpy()).all()


def test_plain_table_needs_enough_units():
    df = pd.DataFrame({"policy": "p", "unit": ["A", "B"], "period": [1, 2]})
    with pytest.raises(InvalidOptionError, match="units=1"):
        adoption_curve(df, units=1)


def test_takeoff_spid():
    s = spid_study(policies=["aborparc"])
    tk = takeoff(s, "aborparc", fit=None)
    c = adoption_curve(s, "aborparc")
    exp10 = c.loc[c["cumulative_share"] >= 0.10, "period"].min()
    exp25 = c.loc[c["cumulative_share"] >= 0.25, "period"].min()
    assert tk["takeoff_period"].item() == exp10 and tk["period_25"].item() == exp25
    tk_a = takeoff(s, "aborparc", basis="adopters", fit=None)
    # 2 of the 15 adopters (13%) in the first year: no take-off on this basis
    assert tk_a["status"].item() == "at first adoption" and pd.isna(tk_a["takeoff_period"].item())
    assert tk_a["period_25"].item() <= tk["period_25"].item()


def test_takeoff_threshold_never_reached_is_missing():
    df = pd.DataFrame({"policy": "p", "unit": ["A"], "period": [3]})
    tk = takeoff(df, units=20, fit=None)
    assert tk["takeoff_period"].isna().item() and tk["period_25"].isna().item()


def test_categories_boundaries_are_inclusive_below():
    # times 0 x4, 10 x4 and 5 -> m = 5, s = 5: T = m - s = 0, T = m and T = m + s = 10
    # all sit exactly on a boundary and fall in the upper class
    df = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGHI"),
                       "period": [0, 0, 0, 0, 10, 10, 10, 10, 5]})
    cats = adopter_categories(df, units=10).set_index("unit")["category"]
    assert cats["I"] == "late majority"
    assert cats["A"] == "early majority" and cats["E"] == "laggards"
    assert cats["_unit_1"] == "non-adopter"


def test_categories_against_formula_on_spid():
    s = spid_study(policies=["aborparn"])
    cats = adopter_categories(s, "aborparn")
    ad = cats.dropna(subset=["period"])
    m, sd = ad["period"].mean(), ad["period"].std(ddof=1)
    for _, r in ad.iterrows():
        T = r["period"]
        expected = ("innovators" if T < m - 2 * sd else "early adopters" if T < m - sd else
                    "early majority" if T < m else "late majority" if T < m + sd else "laggards")
        assert r["category"] == expected
    assert (cats["category"] == "non-adopter").sum() == 50 - len(ad)


def test_categories_single_period_undetermined():
    df = pd.DataFrame({"policy": "p", "unit": ["A", "B"], "period": [4, 4]})
    assert set(adopter_categories(df, units=3)["category"]) == {"undetermined", "non-adopter"}

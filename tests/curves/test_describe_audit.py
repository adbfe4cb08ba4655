"""Trust audit of describe's non-curve measures: take-off, adopter categories, the
summary's speed line (each value is shown as what it is, never a number no estimator
stands behind)."""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.curves import adopter_categories, describe_policies, takeoff
from policydiffusion.datasets import spid_study


def test_takeoff_at_first_adoption_is_not_a_takeoff():
    # q jumps from 0 to 30% in its first period: no slow start, so no take-off (it was 1)
    a = pd.DataFrame({"policy": ["q"] * 6 + ["p"] * 5, "unit": list("ABCDEF") + list("ABCDE"),
                      "period": [1] * 6 + [1, 2, 3, 3, 5]})
    tk = takeoff(a, units=20, fit=None).set_index("policy")
    assert tk.loc["q", "status"] == "at first adoption" and pd.isna(tk.loc["q", "takeoff_period"])
    assert tk.loc["q", "period_25"] == 1  # the 25% crossing is still a fact
    assert tk.loc["p", "status"] == "ok" and tk.loc["p", "takeoff_period"] == 2  # 1 of 20, then 2


@pytest.mark.parametrize("threshold", [0.1, 0.1 * 3 / 3, 0.3 / 3])
def test_takeoff_share_exactly_at_the_threshold(threshold):
    # 5 of 50 in period 3 is exactly 10%, however the threshold was computed
    a = pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 2, 3, 3, 3]})
    tk = takeoff(a, units=50, fit=None, thresholds=(threshold, 0.25))
    assert tk["takeoff_period"].item() == 3 and tk["status"].item() == "ok"


def test_takeoff_three_tenths_at_a_threshold_with_rounding():
    a = pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 2, 2]})
    assert 0.1 * 3 > 3 / 10  # the threshold carries rounding noise above the share
    tk = takeoff(a, units=10, fit=None, thresholds=(0.1 * 3, 0.5))
    assert tk["takeoff_period"].item() == 2


def test_categories_ties_go_by_value_not_row_order():
    # periods 1, 2, 3: m = 2 and s = 1 exactly, so T = 1 sits on m - s (early majority:
    # lower bounds inclusive), T = 2 on m (late majority), T = 3 on m + s (laggards)
    a = pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [3, 1, 2]})
    c = adopter_categories(a, units=3).set_index("unit")["category"]
    assert c.to_dict() == {"A": "laggards", "B": "early majority", "C": "late majority"}
    # tied units share a class whatever their row order
    a = pd.DataFrame({"policy": "p", "unit": list("ABCDEF"), "period": [3, 1, 2, 1, 3, 2]})
    c = adopter_categories(a, units=6).set_index("unit")["category"]
    assert c["A"] == c["E"] == "laggards" and c["B"] == c["D"] == "early adopters"
    assert c["C"] == c["F"] == "late majority"


def test_summary_says_why_a_measure_is_missing():
    p = "commercial real estate receivership act"  # one adopter, in 2017
    d, = describe_policies(spid_study(policies=[p, "adc"]), [p], permutations=0)
    text = d.summary()
    assert "nan" not in text.lower()  # the Weibull intercept was printed as nan
    assert "no Weibull speed: first and last adoption in the same period" in text
    assert ("speed measures undefined: gini, periods_to_half, nc_fast: every adoption in one period"
            in text)
    assert pd.isna(d.speed["gini"]) and pd.isna(d.speed["nc_fast"])  # not 0 and 1 by construction
    assert "take-off none (10% never reached)" in text
    assert "no analytic p: values heavy-tailed (kurtosis 48.0 > 10)" in text
    adc, = describe_policies(spid_study(policies=[p, "adc"]), ["adc"], permutations=0)
    assert "take-off none (10% reached in the first adoption period, 1936" in adc.summary()
    assert adc.to_dict()["takeoff"]["status"] == "at first adoption"
    both = describe_policies(spid_study(policies=["antibully", "smokeban"]), permutations=0)
    for d in both:  # no policy excluded from the speed table: its column is all NaN
        assert "Weibull speed intercept" in d.summary() and "no Weibull speed" not in d.summary()


def test_two_adopters_have_no_categories():
    # any two distinct times gave early majority and late majority (z = -+0.71) by arithmetic
    for periods in ([1, 2], [1, 40]):
        a = pd.DataFrame({"policy": "p", "unit": ["A", "B"], "period": periods})
        for ddof in (0, 1):
            c = adopter_categories(a, units=5, ddof=ddof)
            assert c["category"].tolist() == ["undetermined"] * 2 + ["non-adopter"] * 3
            assert c["z"].isna().all()
    a = pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 2, 2]})
    assert adopter_categories(a, units=3)["category"].tolist() == [
        "early adopters", "late majority", "late majority"]  # three: the data decide

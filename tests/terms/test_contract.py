"""One contract over every term: past information only, inputs untouched, unique names,
deterministic, described in column_meta."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from toy import toy_frames, toy_study

from policydiffusion import terms as T
from policydiffusion.riskset import dyadic_riskset, monadic_riskset

ALL_TERMS = [
    T.neighbors_adopted(), T.neighbors_adopted(kind="count"), T.neighbors_adopted(kind="any"),
    T.neighbors_adopted("visits", weighted=True), T.region_share(), T.national_share(),
    T.region_count(), T.national_count(), T.neighbors_adopted("visits", relation_lag=2),
    T.leaders_adopted(["A", "C"]), T.leaders_adopted(["A", "C"], by_region=True),
    T.leaders_adopted("most_innovative", k=2, name="leaders_innovative_l1"),
    T.event_in_force(), T.parent_adopted(), T.exposure(attribute="perf"),
    T.exposure("contiguity", attribute="gdp"), T.covariate("gdp"), T.covariate("gdp", lag=1),
    T.relation_count("visits"), T.relation_count("visits", window="cumulative"),
    T.source_time_since_adoption(), T.attribute_difference("perf"), T.same_group("region"),
    T.contiguous(), T.duration(), T.duration_poly(), T.duration_spline(knots=[2, 3]),
    T.period_dummies(), T.ancestor_adopted(), T.central_signal(), T.peer_share_within_parent(),
]
LAGGED = [t for t in ALL_TERMS if t.lag >= 1]
LEAKY = [T.national_share(lag=0), T.neighbors_adopted(lag=0), T.national_count(lag=0),
         T.neighbors_adopted(relation_lag=1, adoption_lag=0)]


def build(study, term):
    if term.design == "dyadic":
        return dyadic_riskset(study, policy="p", terms=[term], conditional=False)
    return monadic_riskset(study, policy="p", terms=[term])


def test_every_builder_is_covered():
    made = {type(t).__name__ for t in ALL_TERMS}
    assert len(made) == len(T.BUILDERS)


def test_names_are_unique():
    names = [t.name for t in ALL_TERMS]
    assert len(names) == len(set(names))


def _values_before_and_after_new_2003_adoptions(term):
    frames = toy_frames()
    changed = dict(frames)
    changed["adoptions"] = pd.concat([frames["adoptions"], pd.DataFrame(
        {"policy": ["p", "p"], "unit": ["D", "E"], "time": [2003, 2003]})], ignore_index=True)
    before, after = build(toy_study(frames), term), build(toy_study(changed), term)
    keys = ["policy", "unit", "period"] + (["source"] if term.design == "dyadic" else [])
    cols = [c for c in before.column_meta if c in before.data.columns and c not in keys
            and c not in ("duration", "adopt", "adopt_after_source", "source_adopted")]
    a = before.data.filter(pl.col("period") <= 2003).select(keys + cols)
    b = after.data.filter(pl.col("period") <= 2003).select(keys + cols)
    assert all(before.column_meta[c]["lag"] == term.lag for c in cols)
    return a.join(b, on=keys, how="inner", suffix="_after"), cols


@pytest.mark.parametrize("term", LAGGED, ids=lambda t: t.name)
def test_lagged_terms_use_only_past_information(term):
    """Adding adoptions in period 2003 (D, E adopt p) leaves every value at t <= 2003 as is."""
    joined, cols = _values_before_and_after_new_2003_adoptions(term)
    assert joined.height > 0 and cols
    for c in cols:
        assert joined[c].equals(joined[c + "_after"], check_names=False), c


def test_the_contract_catches_same_period_information():
    changed = 0
    for term in LEAKY:
        joined, cols = _values_before_and_after_new_2003_adoptions(term)
        changed += sum(not joined[c].equals(joined[c + "_after"], check_names=False)
                       for c in cols)
    assert changed >= 4


@pytest.mark.parametrize("term", ALL_TERMS, ids=lambda t: t.name)
def test_inputs_unchanged_deterministic_and_described(term):
    frames = toy_frames()
    snapshot = {k: v.copy(deep=True) for k, v in frames.items()}
    study = toy_study(frames)
    adoptions = study.adoptions.clone()
    one, two = build(study, term), build(study, term)
    for k, v in frames.items():
        pd.testing.assert_frame_equal(v, snapshot[k])
    assert study.adoptions.equals(adoptions)
    assert one.data.equals(two.data)
    added = [c for c in one.data.columns if c not in ("policy", "unit", "source", "period",
                                                      "duration", "adopt",
                                                      "adopt_after_source", "source_adopted")]
    assert added or term.name == "duration"
    for c in added + [term.name] * (term.name == "duration"):
        assert one.column_meta[c]["description"]
        assert one.column_meta[c]["lag"] == term.lag

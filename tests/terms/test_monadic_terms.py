"""Each monadic term against values worked out by hand on the toy study (see conftest)."""

from __future__ import annotations

import pytest
from toy import value

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import monadic_riskset


def build(study, *terms, policy="p"):
    return monadic_riskset(study, policy=policy, terms=list(terms)).data


def test_neighbors_share_count_any_and_isolates(toy):
    df = build(toy, T.neighbors_adopted(), T.neighbors_adopted(kind="count"),
               T.neighbors_adopted(kind="any"), T.neighbors_adopted(lag=0, name="nb0"))
    share, count, any_ = "neighbors_adopted_l1", "neighbors_adopted_count_l1", \
        "neighbors_adopted_any_l1"
    assert value(df, share, "B", 2001) == 0.0  # A adopts in 2001: not yet seen at lag 1
    assert value(df, share, "B", 2002) == 0.5  # neighbours A (adopted), C
    assert value(df, "nb0", "B", 2001) == 0.5  # lag 0 sees the same-period adoption
    assert value(df, share, "C", 2003) == 0.5 and value(df, count, "C", 2003) == 1
    assert value(df, share, "D", 2004) == 0.0 and value(df, share, "D", 2005) == 1.0
    assert value(df, any_, "D", 2005) == 1
    assert value(df, share, "E", 2003) == 0.0
    assert value(df, share + "_isolate", "E", 2003) == 1
    assert value(df, share + "_isolate", "D", 2003) == 0


def test_weighted_neighbours_on_a_period_varying_relation(toy):
    df = build(toy, T.neighbors_adopted("visits", kind="count", weighted=True),
               T.neighbors_adopted("visits"))
    # D -> A edges: weight 2 dated 2001, weight 1 dated 2003; A adopted in 2001
    assert value(df, "neighbors_adopted_visits_count_w_l1", "D", 2002) == 2.0
    assert value(df, "neighbors_adopted_visits_count_w_l1", "D", 2003) == 0.0
    assert value(df, "neighbors_adopted_visits_count_w_l1", "D", 2004) == 1.0
    assert value(df, "neighbors_adopted_visits_l1", "E", 2003) == 1.0  # E -> B (2002), B 2002
    assert value(df, "neighbors_adopted_visits_l1_isolate", "E", 2004) == 1


def test_national_and_region_share(toy):
    df = build(toy, T.national_share(), T.region_share(), T.national_share(lag=0))
    assert value(df, "national_share_l1", "B", 2002) == 1 / 4
    assert value(df, "national_share_l1", "D", 2003) == 2 / 4
    assert value(df, "national_share_l1", "D", 2005) == 3 / 4
    assert value(df, "national_share_l0", "B", 2002) == 1 / 4  # own adoption never counts
    assert value(df, "national_share_l0", "D", 2002) == 2 / 4
    assert value(df, "region_share_l1", "E", 2002) == 0.5  # N: A (adopted), B
    assert value(df, "region_share_l1", "E", 2003) == 1.0
    assert value(df, "region_share_l1", "D", 2004) == 0.0  # S: C adopts in 2004
    assert value(df, "region_share_l1", "D", 2005) == 1.0


def test_leaders_fixed_regional_and_most_innovative(toy):
    df = build(toy, T.leaders_adopted(["A"]),
               T.leaders_adopted(["A", "C"], by_region=True),
               T.leaders_adopted("most_innovative", k=1, name="inno"))
    assert value(df, "leaders_adopted_l1", "A", 2001) == 0  # a leader is not its own leader
    assert value(df, "leaders_adopted_l1", "B", 2001) == 0
    assert value(df, "leaders_adopted_l1", "B", 2002) == 1
    assert value(df, "leaders_adopted_region_l1", "D", 2004) == 0
    assert value(df, "leaders_adopted_region_l1", "D", 2005) == 1
    assert value(df, "leaders_adopted_region_l1", "E", 2002) == 1
    # from policy q only, B is the most innovative (first adopter); B adopts p in 2002
    assert value(df, "inno", "C", 2002) == 0 and value(df, "inno", "C", 2003) == 1
    q = build(toy, T.leaders_adopted("most_innovative", k=1), policy="q")
    assert q["leaders_adopted_l1"].sum() == 0  # from p, A leads; A never adopts q
    with pytest.raises(InvalidOptionError, match="not units"):
        build(toy, T.leaders_adopted(["ZZ"]))


def test_event_in_force_and_parent_adopted(toy):
    df = build(toy, T.event_in_force(), T.event_in_force(lag=0), T.parent_adopted())
    assert value(df, "directive_in_force_l1", "E", 2004) == 1.0
    assert value(df, "directive_in_force_l1", "E", 2003) == 0.0
    assert value(df, "directive_in_force_l1", "D", 2003) == 5.0  # D's own directive of 2002
    assert value(df, "directive_in_force_l0", "D", 2002) == 5.0
    assert value(df, "directive_in_force_l0", "C", 2003) == 1.0
    assert value(df, "parent_adopted_l1", "E", 2001) == 0
    assert value(df, "parent_adopted_l1", "E", 2002) == 1  # parent A adopted in 2001
    assert value(df, "parent_adopted_l1", "D", 2005) == 0
    with pytest.raises(InvalidOptionError, match="no event"):
        build(toy, T.event_in_force("mandate"))


def test_exposure_and_covariates(toy):
    df = build(toy, T.exposure(attribute="perf"), T.exposure(attribute="gdp"),
               T.exposure("contiguity", attribute="perf"), T.exposure(),
               T.covariate("gdp", lag=1), T.covariate("perf"), T.national_share())
    assert value(df, "exposure_perf_l1", "B", 2002) == pytest.approx(1 / 13)
    assert value(df, "exposure_gdp_l1", "D", 2003) == pytest.approx((12 + 22) / (12 + 22 + 32 + 52))
    assert value(df, "exposure_contiguity_perf_l1", "C", 2003) == pytest.approx(2 / 6)
    assert df["exposure_l1"].to_list() == pytest.approx(df["national_share_l1"].to_list())
    assert value(df, "gdp_l1", "D", 2003) == 42.0
    assert value(df, "perf", "D", 2003) == 4.0
    with pytest.raises(InvalidOptionError, match="neither a covariate"):
        build(toy, T.covariate("nope"))


def test_bad_term_options():
    with pytest.raises(InvalidOptionError, match="kind"):
        T.neighbors_adopted(kind="mean")
    with pytest.raises(InvalidOptionError, match="lag"):
        T.national_share(lag=-1)
    with pytest.raises(InvalidOptionError, match="leaders"):
        T.leaders_adopted("biggest")


def test_duplicate_column_names_are_refused(toy):
    with pytest.raises(InvalidOptionError, match="alias"):
        build(toy, T.national_share(), T.national_share())
    with pytest.raises(InvalidOptionError, match="dyadic"):
        build(toy, T.contiguous())

"""Dyadic terms against hand-worked values on the toy study."""

from __future__ import annotations

import pytest
from toy import value

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset


def build(study, *terms, conditional=True):
    return dyadic_riskset(study, policy="p", terms=list(terms), conditional=conditional).data


def test_relation_count_windows(toy):
    df = build(toy, T.relation_count("visits"), T.relation_count("visits", window=2),
               T.relation_count("visits", window="cumulative"))
    w1, w2, cum = "visits_count_w1", "visits_count_w2", "visits_count_cum"
    # D -> A visits: weight 2 in 2001, weight 1 in 2003
    assert [value(df, w1, "D", t, "A") for t in (2002, 2003, 2004, 2005)] == [2, 0, 1, 0]
    assert [value(df, w2, "D", t, "A") for t in (2002, 2003, 2004, 2005)] == [2, 2, 1, 1]
    assert [value(df, cum, "D", t, "A") for t in (2002, 2003, 2004, 2005)] == [2, 2, 3, 3]
    assert value(df, w1, "E", 2003, "B") == 3 and value(df, w1, "E", 2003, "A") == 0
    with pytest.raises(InvalidOptionError, match="period-varying"):
        build(toy, T.relation_count("contiguity"))


def test_source_timing_differences_groups_and_ties(toy):
    df = build(toy, T.source_time_since_adoption(), T.attribute_difference("perf"),
               T.attribute_difference("perf", kind="signed"),
               T.attribute_difference("gdp", kind="signed", lag=1), T.same_group("region"),
               T.contiguous(), T.national_share())
    assert value(df, "source_time_since_adoption", "D", 2003, "A") == 2
    assert value(df, "perf_absdiff", "D", 2003, "A") == 3.0
    assert value(df, "perf_diff", "D", 2003, "A") == -3.0  # x_j - x_i
    assert value(df, "gdp_diff_l1", "D", 2003, "B") == (22.0 - 42.0)
    assert value(df, "same_region", "E", 2003, "A") == 1
    assert value(df, "same_region", "D", 2003, "A") == 0
    assert value(df, "contiguous", "B", 2002, "A") == 1
    assert value(df, "contiguous", "D", 2005, "C") == 1
    assert value(df, "contiguous", "D", 2005, "A") == 0
    assert value(df, "national_share_l1", "D", 2005, "B") == 3 / 4  # monadic term copied


def test_full_dyadic_outcomes_and_source_adoption(toy):
    df = build(toy, T.source_time_since_adoption(), conditional=False)
    assert value(df, "source_adopted", "B", 2002, "A") == 1
    assert value(df, "adopt_after_source", "B", 2002, "A") == 1
    assert value(df, "adopt_after_source", "B", 2002, "C") == 0  # C had not adopted
    assert value(df, "adopt", "B", 2002, "C") == 1
    assert value(df, "source_time_since_adoption", "B", 2002, "C") is None
    assert value(df, "source_adopted", "D", 2004, "C") == 0  # same-period adoption
    assert df.columns[:8] == ["policy", "unit", "source", "period", "duration", "adopt",
                              "adopt_after_source", "source_adopted"]

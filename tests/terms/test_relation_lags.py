"""relation_lag / adoption_lag of the relation terms, and the national / region counts,
against brute-force loops on random small studies with a year-varying directed network."""

from __future__ import annotations

import warnings

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.networks import sources_adopted
from policydiffusion.riskset import monadic_riskset
from policydiffusion.study import RelationSpec, load_study

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = 2000


@st.composite
def studies(draw):
    n = draw(st.integers(2, 5))
    units = [f"U{k}" for k in range(n)]
    end = START + draw(st.integers(1, 6))
    adopt = {u: draw(st.one_of(st.none(), st.integers(START, end))) for u in units}
    if all(v is None for v in adopt.values()):
        adopt[units[0]] = START
    edges = [(a, b, t) for a in units for b in units if a != b
             for t in range(START - 1, end + 1) if draw(st.integers(0, 3)) == 0]
    edges = edges or [(units[0], units[1], START)]
    region = {u: draw(st.sampled_from(["N", "S"])) for u in units}
    return units, adopt, edges, end, region


def to_study(units, adopt, edges, end, region):
    a = pd.DataFrame([("p", u, t) for u, t in adopt.items() if t is not None],
                     columns=["policy", "unit", "time"])
    e = pd.DataFrame(edges, columns=["i", "j", "year"])
    return load_study(a, units=pd.DataFrame({"unit": units, "region": [region[u] for u in units]}),
                      relations={"net": RelationSpec(e, source="i", target="j", period="year",
                                                     directed=True)},
                      start=START, end=end)


@SETTINGS
@given(studies(), st.integers(0, 2), st.integers(0, 2))
def test_relation_and_adoption_lags_match_loops(data, r_lag, a_lag):
    units, adopt, edges, end, region = data
    study = to_study(*data)
    term = T.neighbors_adopted("net", kind="count", relation_lag=r_lag, adoption_lag=a_lag)
    terms = [term, T.national_count(lag=a_lag), T.region_count(lag=a_lag)]
    first = min(t for t in adopt.values() if t is not None)
    last = max(end if t is None else t for t in adopt.values())
    if not any(first <= y + r_lag <= last for _, _, y in edges):  # the network never meets the rows
        with pytest.raises(InvalidOptionError, match="never meet"):
            monadic_riskset(study, policy="p", terms=terms)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PolicyDiffusionWarning)  # sparse networks warn
        df = monadic_riskset(study, policy="p", terms=terms).data
    assert df.height > 0
    for u, t, got, nat, reg in df.select("unit", "period", term.name, f"national_count_l{a_lag}",
                                         f"region_count_l{a_lag}").rows():
        def adopted(j):
            return adopt[j] is not None and adopt[j] <= t - a_lag
        want = sum(adopted(j) for i, j, y in edges if i == u and y == t - r_lag)
        assert got == want, (u, t)
        assert nat == sum(adopted(j) for j in units if j != u)
        assert reg == sum(adopted(j) for j in units if j != u and region[j] == region[u])
    # the networks-stage helper counts exactly the same sources
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PolicyDiffusionWarning)
        src = sources_adopted(study, study.relation("net"), relation_lag=r_lag,
                              adoption_lag=a_lag)
    merged = df.join(pl.from_pandas(src).with_columns(pl.col("period").cast(pl.Int32)),
                     on=["policy", "unit", "period"], how="left")
    assert merged.get_column("sources_adopted").null_count() == 0
    assert (merged.get_column("sources_adopted") == merged.get_column(term.name)).all()


def test_defaults_keep_todays_behaviour():
    assert T.neighbors_adopted() == T.neighbors_adopted(relation_lag=1, adoption_lag=1)
    assert T.neighbors_adopted(lag=2).relation_lag == 2
    assert T.neighbors_adopted(lag=2).adoption_lag == 2


def test_simultaneity_is_named_in_the_description():
    d = T.neighbors_adopted("netinf", kind="count", relation_lag=0, adoption_lag=0).description
    assert "same-period adopters included" in d and "simultaneous" in d
    assert "simultaneous" not in T.neighbors_adopted().description


def test_published_source_adoption_timing():
    """DHB's source.adopt: sources in year t's network that adopted up to and including t."""
    a = pd.DataFrame({"policy": ["p"] * 3, "unit": ["A", "B", "C"], "time": [2001, 2002, 2003]})
    e = pd.DataFrame({"i": ["C", "C", "C"], "j": ["A", "B", "A"], "year": [2002, 2002, 2003]})
    study = load_study(a, relations={"net": RelationSpec(e, source="i", target="j",
                                                         period="year", directed=True)})
    got = {}
    for r, al in [(0, 0), (0, 1), (1, 1)]:
        term = T.neighbors_adopted("net", kind="count", relation_lag=r, adoption_lag=al)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PolicyDiffusionWarning)
            df = monadic_riskset(study, policy="p", terms=[term]).data
        # lagged one year, the 2002-03 networks serve only 2003 of 2001-03: a warning
        assert len(caught) == (r == 1)
        got[(r, al)] = df.filter(pl.col("unit") == "C").get_column(term.name).to_list()
    # C at risk 2001-2003; network 2002: C<-A, C<-B; network 2003: C<-A
    assert got[(0, 0)] == [0, 2, 1]
    assert got[(0, 1)] == [0, 1, 1]
    assert got[(1, 1)] == [0, 0, 2]


@pytest.mark.parametrize("opt", ["relation_lag", "adoption_lag"])
def test_bad_lags_are_refused(opt):
    with pytest.raises(InvalidOptionError, match=opt):
        T.neighbors_adopted(**{opt: -1})
    with pytest.raises(InvalidOptionError, match=opt):
        sources_adopted(pd.DataFrame({"policy": ["p"], "unit": ["A"], "period": [1]}),
                        None, **{opt: 1.5})

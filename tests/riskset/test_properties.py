"""Risk-set invariants on random small studies, checked against brute-force loops."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from studygen import raw_studies, to_study

from policydiffusion import terms as T
from policydiffusion.riskset import dyadic_riskset, monadic_riskset

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _rows(df: pl.DataFrame, *cols: str) -> list[tuple]:
    return sorted(df.select(cols).rows())


@SETTINGS
@given(raw_studies())
def test_monadic_rows_are_exactly_the_periods_at_risk(raw):
    study = to_study(raw)
    rs = monadic_riskset(study, policies=raw.policies,
                         terms=[T.neighbors_adopted(kind="count"), T.national_share()])
    df = rs.data
    expected, nbr, nat = [], {}, {}
    for p in raw.policies:
        for u, (first, last, event) in raw.spells(p).items():
            for t in range(first, last + 1):
                expected.append((p, u, t, t - first + 1, int(event and t == last)))
                nbr[(p, u, t)] = sum(raw.adopted_by(p, j, t - 1) for j in raw.neighbours(u))
                others = [j for j in raw.units if j != u and raw.exists(j, t)]
                k = sum(raw.adopted_by(p, j, t - 1) for j in others)
                nat[(p, u, t)] = k / len(others) if others else 0.0
    assert _rows(df, "policy", "unit", "period", "duration", "adopt") == sorted(expected)
    assert df.height == len(expected)  # row count = sum of at-risk periods
    got_n = {(p, u, t): v for p, u, t, v in df.select("policy", "unit", "period",
                                                        "neighbors_adopted_count_l1").rows()}
    assert got_n == nbr
    for p, u, t, v in df.select("policy", "unit", "period", "national_share_l1").rows():
        assert abs(v - nat[(p, u, t)]) < 1e-12


@SETTINGS
@given(raw_studies())
def test_no_row_after_adoption_and_adopters_end_on_their_event(raw):
    df = monadic_riskset(to_study(raw), policies=raw.policies).data
    last = df.group_by("policy", "unit").agg(pl.col("period").max().alias("last"),
                                             pl.col("adopt").sum().alias("events"))
    for p, u, lastp, events in last.rows():
        T_ = raw.adopt.get((p, u))
        assert events <= 1
        if T_ is not None:
            assert lastp <= T_  # never a row after adoption
            assert events == int(lastp == T_)
    ev = df.filter(pl.col("adopt") == 1)
    assert all(raw.adopt[(p, u)] == t for p, u, t in ev.select("policy", "unit", "period").rows())


@SETTINGS
@given(raw_studies())
def test_every_policy_unit_pair_is_at_risk_or_counted_as_excluded(raw):
    rs = monadic_riskset(to_study(raw), policies=raw.policies)
    at_risk = rs.data.select("policy", "unit").unique().height
    excluded = int(rs.exclusions.loc[~rs.exclusions["reason"].str.startswith("adoption after"),
                                     "count"].sum())
    assert at_risk + excluded == len(raw.policies) * len(raw.units)


@SETTINGS
@given(raw_studies(max_units=5, max_periods=6))
def test_dyadic_row_counts(raw):
    study = to_study(raw)
    cond = dyadic_riskset(study, policies=raw.policies, conditional=True).data
    full = dyadic_riskset(study, policies=raw.policies, conditional=False).data
    n_cond = n_full = 0
    for p in raw.policies:
        for u, (first, last, _) in raw.spells(p).items():
            for t in range(first, last + 1):
                others = [j for j in raw.units if j != u and raw.exists(j, t)]
                n_full += len(others)
                n_cond += sum(raw.adopted_by(p, j, t - 1) for j in others)
    assert cond.height == n_cond
    assert full.height == n_full
    # conditional rows are the full rows whose source had adopted before t
    assert _rows(full.filter(pl.col("source_adopted") == 1), "policy", "unit", "source", "period") \
        == _rows(cond, "policy", "unit", "source", "period")
    assert (cond["adopt_after_source"] == cond["adopt"]).all()
    assert (full["adopt_after_source"] == full["adopt"] * full["source_adopted"]).all()
    assert (full["unit"] != full["source"]).all()


@SETTINGS
@given(raw_studies(max_units=5, max_periods=5))
def test_lazy_and_collected_builds_agree(raw):
    study = to_study(raw)
    terms = [T.neighbors_adopted(), T.region_share(), T.duration_poly()]
    a = monadic_riskset(study, policies=raw.policies, terms=terms).data
    b = monadic_riskset(study, policies=raw.policies, terms=terms, lazy=True).plan.collect()
    assert a.equals(b)


@SETTINGS
@given(raw_studies(max_units=5, max_periods=6))
def test_every_pair_has_a_conditional_dyad_or_is_counted_as_excluded(raw):
    # issue 10, item 7: first adopters cannot enter a conditional dyadic risk set and
    # were dropped without a word
    rs = dyadic_riskset(to_study(raw), policies=raw.policies, conditional=True)
    with_rows = rs.data.select("policy", "unit").unique().height
    excluded = int(rs.exclusions.loc[~rs.exclusions["reason"].str.startswith("adoption after"),
                                     "count"].sum())
    assert with_rows + excluded == len(raw.policies) * len(raw.units)

"""Monadic hazard DGP: the DGP's covariates are the risk-set builder's columns."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset, monadic_riskset
from policydiffusion.simulate.designs import synthetic_study
from policydiffusion.simulate.hazard import simulate_hazard

TERMS = [T.national_share(), T.region_share(), T.neighbors_adopted(),
         T.neighbors_adopted(kind="count"), T.neighbors_adopted(kind="any", lag=2),
         T.event_in_force("mandate"), T.covariate("z", lag=1), T.exposure(attribute="x"),
         T.exposure("contiguity", attribute="x"), T.duration()]
COEFS = {"Intercept": -3.0, "national_share_l1": 2.0, "neighbors_adopted_l1": 1.0, "z_l1": 0.3,
         "x": 0.4, "mandate_in_force_l1": 0.5}


@pytest.fixture(scope="module")
def study():
    return synthetic_study(40, 12, seed=3)


def _compare(sim, rs: pl.DataFrame) -> None:
    mine = sim.riskset
    j = mine.join(rs, on=["unit", "period"], how="full", suffix="_b", coalesce=True)
    assert j.height == mine.height == rs.height
    for c in mine.columns:
        if c in ("policy", "unit", "period") or c not in rs.columns:
            continue
        a = j.get_column(c).cast(pl.Float64).to_numpy()
        b = j.get_column(c + "_b").cast(pl.Float64).to_numpy()
        # equal up to summation order (polars sums in parallel): 1e-12 relative
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=c)


@pytest.mark.parametrize("seed", [4, 5])
def test_dgp_covariates_equal_the_riskset_builder_columns(study, seed) -> None:
    sim = simulate_hazard(study, coefs=COEFS, terms=TERMS, start=2, seed=seed)
    assert sim.provenance["terms_by_builder"] == []  # all evaluated by the fast path
    assert 5 < sim.adoptions.height < 40
    rs = monadic_riskset(sim.study, policy="simulated", terms=TERMS, start=2).data
    _compare(sim, rs)


def test_other_terms_go_through_the_builder_exactly(study) -> None:
    terms = [T.period_dummies(), T.national_share()]
    coefs = {"Intercept": -2.5, "period_5": 1.0, "national_share_l1": 0.8}
    sim = simulate_hazard(study, coefs=coefs, terms=terms, initial=["u000"], seed=2)
    assert sim.provenance["terms_by_builder"] == ["period"]
    rs = monadic_riskset(sim.study, policy="simulated", terms=terms, start=study.start).data
    _compare(sim, rs)


def test_same_seed_same_data(study) -> None:
    a = simulate_hazard(study, coefs=COEFS, terms=TERMS, start=2, seed=9)
    b = simulate_hazard(study, coefs=COEFS, terms=TERMS, start=2, seed=9)
    c = simulate_hazard(study, coefs=COEFS, terms=TERMS, start=2, seed=10)
    assert a.riskset.equals(b.riskset) and not a.riskset.equals(c.riskset)


def test_errors_name_the_problem(study) -> None:
    with pytest.raises(InvalidOptionError, match="lag >= 1"):
        simulate_hazard(study, coefs={"national_share_l0": 1.0}, terms=[T.national_share(lag=0)], seed=1)
    with pytest.raises(InvalidOptionError, match="missing in period 1"):
        simulate_hazard(study, coefs={"z_l1": 1.0}, terms=[T.covariate("z", lag=1)], seed=1)
    with pytest.raises(InvalidOptionError, match="neither a covariate"):
        simulate_hazard(study, coefs={"nope": 1.0}, seed=1)
    with pytest.raises(InvalidOptionError, match="initial"):
        simulate_hazard(study, coefs={"x": 1.0}, initial=["zz"], seed=1)


def test_initial_adopters_feed_the_terms(study) -> None:
    sim = simulate_hazard(study, coefs={"Intercept": -5.0}, terms=[T.national_share()],
                          initial=["u000", "u001"], seed=1)
    first = sim.riskset.filter(pl.col("period") == study.start)
    assert first.height == 38
    np.testing.assert_allclose(first["national_share_l1"].to_numpy(), 2 / 39)
    assert sim.cumulative()["adopters"][0] >= 2


def test_china_dyadic_dgp_covariates_equal_the_dyadic_builder_columns() -> None:
    """The china_mobile_gov DGP's dyadic covariates, recomputed by dyadic_riskset."""
    from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study
    from policydiffusion.simulate import china_mobile_gov as gen

    study = china_mobile_gov_study()
    terms = [T.relation_count("visits", window=1), T.covariate("coercive", lag=1),
             T.covariate("normative", lag=1), T.national_share(),
             T.attribute_difference("egov_score", kind="signed", lag=1),
             T.same_group("agglomeration")]
    rs = dyadic_riskset(study, policy="mobile_gov", terms=terms).data
    rs = rs.with_columns(
        (pl.col("egov_score_diff_l1") >= gen.GAP_THRESHOLD - 1e-9).cast(pl.Float64).alias("large_gap"),
        pl.col("same_agglomeration").fill_null(0).cast(pl.Float64))
    mine = pl.from_pandas(gen.generate_china_mobile_gov(gen.SEED)["dyads"]).rename({"province": "unit"})
    j = mine.join(rs, on=["unit", "source", "period"], how="inner")
    assert j.height == mine.height == rs.height
    pairs = {"visits": "visits_count_w1", "coercive": "coercive_l1", "normative": "normative_l1",
             "national_share": "national_share_l1", "large_gap": "large_gap",
             "same_agglomeration": "same_agglomeration_right",
             "adopt_after_source": "adopt_after_source_right"}
    for mine_col, b in pairs.items():
        np.testing.assert_allclose(j[mine_col].cast(pl.Float64).to_numpy(),
                                   j[b].cast(pl.Float64).to_numpy(), atol=1e-12, err_msg=mine_col)


def test_every_term_reading_others_adoptions_needs_lag_1(study) -> None:
    """The lag check is the term's own (reads_same_period_adoptions), not a list of class
    names: counts, ancestors and same-parent peers are refused at lag 0 too, while a
    relation in force at t with adoptions up to t-1 is fine."""
    for term in (T.national_count(lag=0), T.region_count(lag=0), T.ancestor_adopted(lag=0),
                 T.peer_share_within_parent(lag=0), T.neighbors_adopted(adoption_lag=0)):
        with pytest.raises(InvalidOptionError, match="lag >= 1"):
            simulate_hazard(study, coefs={"Intercept": -2.0}, terms=[term], seed=1)
    ok = T.neighbors_adopted(kind="count", relation_lag=0, adoption_lag=1)
    sim = simulate_hazard(study, coefs={"Intercept": -2.0, ok.name: 0.5}, terms=[ok], seed=1)
    assert sim.provenance["terms_by_builder"] == []


def test_simulated_adoptions_are_validated_by_the_study_loader(study) -> None:
    from policydiffusion.errors import StudyDataError
    from policydiffusion.simulate.hazard import _with_adoptions

    units = study.unit_ids[:2] + ["nowhere"]
    with pytest.raises(StudyDataError, match="nowhere.*unknown unit"):
        _with_adoptions(study, "simulated", units, np.array([3, 99, 4]), 10)
    s = _with_adoptions(study, "simulated", units[:2], np.array([3, 99]), 10)
    assert s.adoptions.rows() == [("simulated", "u000", 3, "3", None)]
    assert s.exclusion_log == study.exclusion_log


def test_builder_route_when_every_unit_has_adopted(study) -> None:
    """All units adopt early; later periods have no rows (this raised KeyError)."""
    terms = [T.period_dummies()]
    sim = simulate_hazard(study, coefs={"Intercept": 3.0, "period_2": 1.0}, terms=terms,
                          seed=1)
    assert sim.adoptions.height == study.n_units
    assert sim.riskset.get_column("period").max() < study.end
    assert sim.provenance["terms_by_builder"] == ["period"]

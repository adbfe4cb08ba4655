"""Streamed sampling of non-event dyads (``sample_method="bernoulli"``): each non-event
kept with the stated probability by a seeded hash, no ranking within strata (its rate
on synthetic rows: tests/riskset/test_sample.py)."""

from __future__ import annotations

import math

import polars as pl
import pytest

from policydiffusion.datasets import spid_study
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset

KEYS = ["policy", "unit", "source", "period"]
POLICIES = ["aborparc", "absvot"]


@pytest.fixture(scope="module")
def study():
    return spid_study(policies=POLICIES)


def test_bernoulli_plan_has_no_ranking_within_strata(study):
    def plan(method):
        return dyadic_riskset(study, policies=POLICIES, sample_nonevents=0.2, seed=1,
                              sample_method=method, lazy=True).plan.explain(engine="streaming")

    # a window over (policy, period) holds the batch; the streamed draw has none
    assert ".over(" in plan("systematic") and ".over(" not in plan("bernoulli")


def test_bernoulli_sample_of_a_risk_set(study):
    full = dyadic_riskset(study, policies=POLICIES).data
    kw = dict(policies=POLICIES, sample_nonevents=0.2, seed=5)
    got = dyadic_riskset(study, **kw, sample_method="bernoulli")
    assert got.options["sample_method"] == "bernoulli"
    data = got.data
    assert data.filter(pl.col("adopt") == 1).select(KEYS).equals(
        full.filter(pl.col("adopt") == 1).select(KEYS))
    assert set(data.select(KEYS).rows()) <= set(full.select(KEYS).rows())
    n0 = full.filter(pl.col("adopt") == 0).height
    k0 = data.filter(pl.col("adopt") == 0).height
    assert abs(k0 - 0.2 * n0) <= 3 * math.sqrt(n0 * 0.2 * 0.8)
    # a lazy build batched per policy draws the same dyads
    lazy = dyadic_riskset(study, **kw, sample_method="bernoulli", lazy=True)
    assert lazy.data.sort(KEYS).equals(data.sort(KEYS))
    systematic = dyadic_riskset(study, **kw).data
    assert not systematic.select(KEYS).equals(data.select(KEYS))
    with pytest.raises(InvalidOptionError, match="sample_method must be one of"):
        dyadic_riskset(study, **kw, sample_method="poisson")


def test_bernoulli_sample_on_dask_is_the_local_sample(study, client):
    kw = dict(policies=POLICIES, sample_nonevents=0.2, seed=5, sample_method="bernoulli")
    local = dyadic_riskset(study, **kw)
    drs = dyadic_riskset(study, **kw, engine="dask", partition_periods=4)
    assert drs.to_riskset().data.sort(KEYS).equals(local.data.sort(KEYS))

"""Sampled non-event dyads: every event kept, non-events at the stated rate per stratum."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from studygen import raw_studies, to_study

from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset
from policydiffusion.riskset._sample import sample_nonevents

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KEYS = ["policy", "unit", "source", "period"]


@SETTINGS
@given(raw_studies(), st.floats(0.05, 1.0), st.integers(0, 2**31), st.booleans())
def test_every_event_kept_and_each_stratum_sampled_at_the_rate(raw, f, seed, conditional):
    study = to_study(raw)
    full = dyadic_riskset(study, policies=raw.policies, conditional=conditional).data
    got = dyadic_riskset(study, policies=raw.policies, conditional=conditional,
                         sample_nonevents=f, seed=seed).data
    events = full.filter(pl.col("adopt") == 1)
    assert sorted(got.filter(pl.col("adopt") == 1).select(KEYS).rows()) == \
        sorted(events.select(KEYS).rows())
    assert set(got.select(KEYS).rows()) <= set(full.select(KEYS).rows())
    assert got.columns == [*full.columns, "sample_weight"]
    w = got.select(pl.col("sample_weight").unique().sort()).to_series().to_list()
    assert set(w) <= {1.0, 1.0 / f}
    n_full = full.filter(pl.col("adopt") == 0).group_by("policy", "period").len()
    n_got = got.filter(pl.col("adopt") == 0).group_by("policy", "period").len()
    kept = dict(((p, t), k) for p, t, k in n_got.rows())
    for p, t, n in n_full.rows():  # systematic sampling: floor or ceil of f * n per stratum
        assert math.floor(f * n - 1e-9) <= kept.get((p, t), 0) <= math.ceil(f * n + 1e-9)


@pytest.mark.parametrize("method", ["systematic", "bernoulli"])
@pytest.mark.parametrize("f", [0.01, 0.1, 0.5])
def test_nonevents_sampled_at_the_rate_within_binomial_error(f, method):
    rng = np.random.default_rng(1)
    n = 100_000
    rows = pl.LazyFrame({"policy": rng.integers(0, 40, n).astype(str),
                         "unit": rng.integers(0, 500, n).astype(str),
                         "source": np.arange(n).astype(str),
                         "period": rng.integers(1990, 1996, n),
                         "adopt": (rng.random(n) < 0.02).astype(np.int8)})
    out = sample_nonevents(rows, f, seed=11, method=method).collect()
    full = rows.collect()
    n0 = int((full["adopt"] == 0).sum())
    k0 = int((out["adopt"] == 0).sum())
    assert abs(k0 - f * n0) <= 3 * math.sqrt(n0 * f * (1 - f))
    assert int(out["adopt"].sum()) == int(full["adopt"].sum())
    assert set(out["sample_weight"].unique()) == {1.0, 1.0 / f}
    again = sample_nonevents(rows, f, seed=11, method=method).collect()
    other = sample_nonevents(rows, f, seed=12, method=method).collect()
    assert again.equals(out) and not other.equals(out)
    # the draw is the rows' own: shuffled rows give the same sample
    shuffled = full.sample(fraction=1.0, shuffle=True, seed=2).lazy()
    assert sample_nonevents(shuffled, f, seed=11, method=method).collect().sort(KEYS).equals(
        out.sort(KEYS))


def test_sampling_needs_a_seed_and_a_share():
    from policydiffusion.datasets import spid_study

    study = spid_study(policies=["aborparc"])
    with pytest.raises(InvalidOptionError, match="seed"):
        dyadic_riskset(study, policy="aborparc", sample_nonevents=0.1)
    with pytest.raises(InvalidOptionError, match=r"share in \(0, 1\]"):
        dyadic_riskset(study, policy="aborparc", sample_nonevents=1.5, seed=1)
    rs = dyadic_riskset(study, policy="aborparc", sample_nonevents=0.2, seed=1)
    assert rs.options["sample_nonevents"] == 0.2 and rs.options["seed"] == 1
    assert "sample_weight" in rs.column_meta

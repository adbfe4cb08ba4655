"""Streamed dyadic builds: unsorted lazy plans that hash the small side of every join,
written to Parquet with the same rows as the sorted in-memory build."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset
from policydiffusion.study import RelationSpec, load_study

KEYS = ["policy", "unit", "period", "source"]


@pytest.fixture(scope="module")
def study():
    """30 units on a ring, 12 years, 2 policies, a dated ``visits`` relation (seeded)."""
    rng = np.random.default_rng(7)
    n, years = 30, np.arange(2000, 2012)
    ids = np.array([f"u{k:02d}" for k in range(n)])
    adopt = [(p, u, int(t)) for p in ("p", "q") for u, t in
             zip(ids, rng.choice(np.append(years, [0] * 8), n)) if t]
    visits = pd.DataFrame({"source": np.repeat(ids, 2 * len(years)),
                           "target": ids[rng.integers(0, n, 2 * n * len(years))],
                           "year": np.tile(np.repeat(years, 2), n)})
    visits = visits[visits["source"] != visits["target"]].drop_duplicates()
    return load_study(
        pd.DataFrame(adopt, columns=["policy", "unit", "time"]),
        units=pd.DataFrame({"unit": ids, "x": rng.normal(size=n),
                            "region": rng.choice(["a", "b", "c"], n)}),
        relations={"contiguity": pd.DataFrame({"source": ids, "target": np.roll(ids, 1)}),
                   "visits": RelationSpec(visits, period="year", directed=True)},
        start=int(years[0]), end=int(years[-1]))


TERMS = [T.neighbors_adopted(), T.national_share(), T.contiguous(), T.relation_count("visits"),
         T.attribute_difference("x"), T.same_group("region")]


def test_lazy_plan_is_unsorted_and_hashes_the_small_side_of_each_dyadic_join(study):
    lazy = dyadic_riskset(study, policies=["p", "q"], terms=TERMS, lazy=True)
    plan = lazy.plan.explain()
    # a sort (or hashing the dyad side of a join) holds every row of a batch in memory
    assert "SORT BY" not in plan
    # contiguous, relation_count, attribute_difference and same_group: 2 + 1 + 2 + 2 joins
    assert plan.count("BUILD SIDE: ForceRight") == 7
    assert lazy.options["sort"] is False
    eager = dyadic_riskset(study, policies=["p", "q"], terms=TERMS)
    assert "SORT BY" in dyadic_riskset(study, policies=["p", "q"], lazy=True,
                                       sort=True).plan.explain()
    assert eager.options["sort"] is True


@pytest.mark.parametrize("conditional", [True, False])
@pytest.mark.parametrize("sample", [None, 0.3])
def test_streamed_dataset_has_the_rows_of_the_sorted_build(study, tmp_path, conditional,
                                                            sample):
    kw = dict(policies=["p", "q"], conditional=conditional, terms=TERMS,
              unit_attributes=["x"], sample_nonevents=sample, seed=None if sample is None else 5)
    sorted_rows = dyadic_riskset(study, **kw).data
    folder = dyadic_riskset(study, lazy=True, **kw).sink_parquet_dataset(
        tmp_path / "ds", policies_per_file=1)
    back = pl.scan_parquet(folder / "*.parquet").collect()
    assert back.height == sorted_rows.height > 100
    assert back.schema == sorted_rows.schema
    # the same multiset of rows: equal row hashes, and equal once sorted
    assert back.hash_rows().sort().equals(sorted_rows.hash_rows().sort())
    assert back.sort(KEYS).equals(sorted_rows)
    unsorted = dyadic_riskset(study, sort=False, **kw).data
    assert unsorted.sort(KEYS).equals(sorted_rows)


def test_sort_must_be_true_false_or_none(study):
    with pytest.raises(InvalidOptionError, match="sort must be"):
        dyadic_riskset(study, policy="p", sort="yes")


@pytest.mark.parametrize("vcov", [{"dyadic": ["unit", "source"]}, {"cluster": "unit"}])
def test_fits_do_not_need_the_sorted_order(study, tmp_path, vcov):
    """Cluster and dyadic score sums group rows by their codes, not by their order."""
    from policydiffusion.estimate import fit_hazard

    kw = dict(policies=["p", "q"], conditional=False, terms=TERMS[2:4], unit_attributes=["x"])
    formula = "adopt ~ contiguous + visits_count_w1 + source_adopted + x"
    ref = fit_hazard(dyadic_riskset(study, **kw), formula, vcov=vcov)
    folder = dyadic_riskset(study, lazy=True, **kw).sink_parquet_dataset(tmp_path / "ds")
    shuffled = pl.scan_parquet(folder / "*.parquet").collect().sample(fraction=1.0, shuffle=True,
                                                                      seed=3)
    for data in (str(folder), shuffled):
        res = fit_hazard(data, formula, vcov=vcov, chunk_rows=997)
        np.testing.assert_allclose(res.params, ref.params, rtol=1e-10)
        np.testing.assert_allclose(res.cov.to_numpy(), ref.cov.to_numpy(), rtol=1e-9)


def test_dyadic_sinks_stream_in_small_morsels(study, tmp_path, monkeypatch):
    """Memory of a streamed dyadic build grows with polars' morsel size (0.83 GB at the
    default, 0.45 GB at 25,000 rows for 23 million county dyads); the setting is undone."""
    import os

    from policydiffusion.riskset._riskset import DYAD_MORSEL_ROWS

    seen = []
    real = pl.LazyFrame.sink_parquet

    def spy(self, *args, **kwargs):
        seen.append((os.environ.get("POLARS_IDEAL_MORSEL_SIZE"), kwargs.get("engine")))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "sink_parquet", spy)
    before = os.environ.get("POLARS_IDEAL_MORSEL_SIZE")
    lazy = dyadic_riskset(study, policies=["p", "q"], terms=TERMS[2:3], lazy=True)
    lazy.sink_parquet_dataset(tmp_path / "ds", policies_per_file=1)
    lazy.sink_parquet(tmp_path / "one.parquet")
    assert seen == [(str(DYAD_MORSEL_ROWS), "streaming")] * 3
    assert os.environ.get("POLARS_IDEAL_MORSEL_SIZE") == before


def test_cli_writes_sorted_csv_and_the_same_rows_unsorted_to_parquet(tmp_path):
    from policydiffusion.cli import run

    args = ["riskset", "dyadic", "--dataset", "spid", "--policy", "aborparc", "--policy",
            "absvot", "--full", "--term", "contiguous"]
    assert run([*args, "-o", str(tmp_path / "dy.csv")]) == 0
    assert run([*args, "-o", str(tmp_path / "dy")]) == 0
    csv = pl.read_csv(tmp_path / "dy.csv", schema_overrides={"period": pl.Int32})
    assert csv.height > 10_000 and csv.equals(csv.sort(KEYS))
    back = pl.read_parquet(tmp_path / "dy" / "*.parquet").select(csv.columns)
    assert back.sort(KEYS).cast(csv.schema).equals(csv)

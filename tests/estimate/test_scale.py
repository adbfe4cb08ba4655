"""Linear passes: Arrow-backed sources encode cluster and fixed-effect columns once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.estimate._data import as_source


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["a", "b", "c", "d"], n),
                       "state": rng.choice([f"s{i:02d}" for i in range(30)], n),
                       "year": rng.integers(1990, 2000, n)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(2 - 0.5 * df.x))).astype(int)
    df.loc[[3, 30, 300], "state"] = None
    return df


def test_arrow_sources_yield_categoricals_on_the_levels(frame):
    levels = np.array(["s00", "s01", "zz"], dtype=object)
    src = as_source(pl.from_pandas(frame))
    chunk = next(iter(src.chunks(["state", "x", "year"], chunk_rows=500,
                                 encode={"state": levels, "year": np.array([1990, 1995])})))
    assert list(chunk.columns) == ["state", "x", "year"]
    assert isinstance(chunk["state"].dtype, pd.CategoricalDtype)
    expect = pd.Index(levels).get_indexer(frame["state"].head(500))
    np.testing.assert_array_equal(chunk["state"].cat.codes, expect)
    assert (expect >= 0).any() and (expect < 0).any()
    assert set(chunk["year"].dropna()) <= {1990, 1995}


@pytest.mark.parametrize("kind", ["polars", "lazy", "parquet"])
def test_arrow_sources_give_the_pandas_fit(frame, kind, tmp_path):
    data = {"polars": pl.from_pandas(frame), "lazy": pl.from_pandas(frame).lazy()}.get(kind)
    if kind == "parquet":
        data = tmp_path / "d.parquet"
        frame.to_parquet(data)
    kw = dict(fixed_effects="g", vcov={"cluster": ["state", "year"]}, chunk_rows=700)
    ref = fit_hazard(frame, "y ~ x", **kw)
    res = fit_hazard(data, "y ~ x", **kw)
    assert res.nobs == ref.nobs == 2997 and res.n_dropped_missing == 3
    assert res.n_clusters == ref.n_clusters
    np.testing.assert_allclose(res.params, ref.params, rtol=1e-10)
    np.testing.assert_allclose(res.std_errors, ref.std_errors, rtol=1e-9)


def test_pandas_chunks_never_copy_whole_columns():
    """Each chunk allocates at most its own rows (pandas 2 copied every column at full
    length per chunk when the frame itself was sliced)."""
    import tracemalloc

    n = 1_000_000
    df = pd.DataFrame({"a": np.arange(n, dtype=float), "b": np.ones(n), "c": np.zeros(n),
                       "g": np.arange(n) % 7})
    src = as_source(df)
    tracemalloc.start()
    try:
        total = 0
        for chunk in src.chunks(["c", "a", "g"], chunk_rows=50_000):
            total += float(chunk["a"].to_numpy()[-1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == sum(range(49_999, n, 50_000))
    assert peak < 4 * 50_000 * 8 * 3, peak   # a few chunks' worth, not 24 MB per chunk


def test_dask_engine_without_dask_is_a_clear_error(frame, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were missing
    with pytest.raises(InvalidOptionError, match=r'pip install "policydiffusion\[dask\]"'):
        fit_hazard(frame, "y ~ x", engine="dask")

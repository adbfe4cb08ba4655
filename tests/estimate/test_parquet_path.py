"""Fits read straight from Parquet: chunks as pandas reads them; prepared chunks small enough
to stay cached across passes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from policydiffusion.estimate._data import as_source


def test_parquet_chunks_have_the_rows_and_types_of_pandas(tmp_path):
    rng = np.random.default_rng(2)
    n = 2_345
    df = pd.DataFrame({"x": rng.normal(size=n), "k": rng.integers(0, 9, n),
                       "b": rng.random(n) < 0.5, "s": rng.choice(["a", "b"], n)})
    df["xn"] = np.where(rng.random(n) < 0.1, np.nan, df["x"])
    df["kn"] = pd.array(np.where(rng.random(n) < 0.1, None, df["k"]), dtype="Int64")
    path = tmp_path / "d.parquet"
    df.to_parquet(path, row_group_size=300)
    cols = ["x", "k", "b", "s", "xn", "kn"]
    chunks = list(as_source(str(path)).chunks(cols, chunk_rows=700))
    assert [len(c) for c in chunks] == [700, 700, 700, 245]
    got = pd.concat(chunks, ignore_index=True)
    want = pq.read_table(path, columns=cols).to_pandas()
    assert got.dtypes.to_dict() == want.dtypes.to_dict()
    pd.testing.assert_frame_equal(got, want)


def test_integer_columns_stay_narrow_in_prepared_chunks_with_the_same_fit():
    """A 0/1 flag costs one byte a row in the cache of prepared chunks, not eight
    (SPID's full dyadic risk set then fits the cache and is read once, not every pass)."""
    from policydiffusion.estimate import fit_hazard
    from policydiffusion.estimate._design import build_design

    rng = np.random.default_rng(5)
    n = 4_000
    df = pd.DataFrame({"flag": (rng.random(n) < 0.3).astype(np.int8),
                       "big": rng.integers(-40_000, 40_000, n).astype(np.int64),
                       "b": rng.random(n) < 0.5, "x": rng.normal(size=n)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(2 - df.flag - 0.5 * df.x))).astype(np.int8)
    formula = "y ~ flag + flag:big + b + x"
    design = build_design(formula, df, levels={})
    prep = design.prepare(df)
    assert {v: a.dtype.kind for v, a in prep.cols.items()} == {"flag": "i", "big": "i",
                                                               "b": "b", "x": "f"}
    assert prep.cols["flag"].dtype == np.int8
    as_float = df.astype({"flag": float, "big": float, "b": float})
    np.testing.assert_array_equal(design.block(prep, 0, n),
                                  design.block(design.prepare(as_float), 0, n))
    res, ref = fit_hazard(df, formula, vcov="hc1"), fit_hazard(as_float, formula, vcov="hc1")
    np.testing.assert_array_equal(res.params, ref.params)
    np.testing.assert_array_equal(res.std_errors, ref.std_errors)

"""A fitted result is a value: later changes to the caller's data never change it
(issue 10, item 8)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion.errors import DataChangedError, VarianceCorrectionWarning
from policydiffusion.estimate import fit_hazard


@pytest.fixture()
def df() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 400
    d = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 20, n),
                      "h": rng.integers(0, 8, n)})
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(1 - d.x))).astype(int)
    return d


def test_changing_the_cluster_column_after_the_fit_changes_nothing(df):
    res = fit_hazard(df, "y ~ x", vcov={"cluster": "g"})
    before = res.with_vcov({"cluster": "g"}).std_errors.to_numpy()
    with pytest.warns(VarianceCorrectionWarning, match="cluster covariance is not positive"):
        two_way = res.with_vcov({"cluster": ["g", "h"]}).std_errors.to_numpy()  # 20 x 8
    df["g"] = np.arange(len(df)) % 3            # the caller reuses the column
    df.loc[0:50, "h"] = 99
    df.loc[0:20, "y"] = 1 - df.loc[0:20, "y"]
    np.testing.assert_array_equal(res.with_vcov({"cluster": "g"}).std_errors.to_numpy(), before)
    with pytest.warns(VarianceCorrectionWarning, match="cluster covariance is not positive"):
        again = res.with_vcov({"cluster": ["g", "h"]}).std_errors.to_numpy()
    np.testing.assert_array_equal(again, two_way)


def test_polars_frame_is_a_snapshot_too(df):
    pdf = pl.from_pandas(df)
    res = fit_hazard(pdf, "y ~ x", vcov={"cluster": "g"})
    before = res.with_vcov({"cluster": "g"}).std_errors.to_numpy()
    pdf[0, "g"] = 999
    np.testing.assert_array_equal(res.with_vcov({"cluster": "g"}).std_errors.to_numpy(), before)


def test_deleted_or_rewritten_file_is_a_clear_error(df, tmp_path):
    path = tmp_path / "rs.parquet"
    df.to_parquet(path)
    res = fit_hazard(str(path), "y ~ x")
    assert res.with_vcov({"cluster": "g"}).n_clusters == (20,)
    df.assign(g=df.g % 2).to_parquet(path)
    os.utime(path, ns=(1, 1))                     # a rewrite, whatever its timestamp
    with pytest.raises(DataChangedError, match="rs.parquet.* changed after the model was fit"):
        res.with_vcov({"cluster": "g"})
    path.unlink()
    with pytest.raises(DataChangedError, match="rs.parquet.* no longer exists"):
        res.with_vcov({"cluster": "g"})
    # the estimation rows passed explicitly still work
    assert res.with_vcov({"cluster": "g"}, data=df).n_clusters == (20,)


def test_lazy_scan_of_a_deleted_file_is_a_clear_error(df, tmp_path):
    path = tmp_path / "lz.parquet"
    df.to_parquet(path)
    res = fit_hazard(pl.scan_parquet(path), "y ~ x")
    path.unlink()
    with pytest.raises(DataChangedError, match="no longer exists"):
        res.with_vcov({"cluster": "g"})

"""The chunked engine: same numbers from every data source; missing rows counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import SolverOptions, fit_hazard

FORMULA = "adopt ~ x1 * d + x2 + np.log(x3) + region"
VCOV = {"cluster": ["state", "year"]}


@pytest.fixture(scope="module")
def reference(panel):
    return fit_hazard(panel, FORMULA, link="cloglog", vcov=VCOV)


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(a.params, b.params, rtol=tol, atol=1e-13)
    np.testing.assert_allclose(a.cov.to_numpy(), b.cov.to_numpy(), rtol=tol, atol=1e-15)
    assert a.nobs == b.nobs and a.n_dropped_missing == b.n_dropped_missing
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_parquet_glob_lazy_and_csv_equal_in_memory(reference, panel, tmp_path):
    parts = np.array_split(np.arange(len(panel)), 3)
    for i, idx in enumerate(parts):
        panel.iloc[idx].to_parquet(tmp_path / f"part{i}.parquet", row_group_size=400)
    small = SolverOptions(block_rows=257, cache_bytes=0)  # stream every pass, odd blocks
    globbed = fit_hazard(str(tmp_path / "*.parquet"), FORMULA, link="cloglog", vcov=VCOV,
                         chunk_rows=500, solver=small)
    _close(globbed, reference)
    lazy = fit_hazard(pl.from_pandas(panel).lazy(), FORMULA, link="cloglog", vcov=VCOV,
                      chunk_rows=700)
    _close(lazy, reference)
    eager = fit_hazard(pl.from_pandas(panel), FORMULA, link="cloglog", vcov=VCOV,
                       chunk_rows=999)
    _close(eager, reference)
    panel.to_csv(tmp_path / "panel.csv", index=False)
    csv = fit_hazard(str(tmp_path / "panel.csv"), FORMULA, link="cloglog", vcov=VCOV,
                     chunk_rows=1000)
    _close(csv, reference)


def test_categorical_level_only_in_a_later_chunk(tmp_path):
    rng = np.random.default_rng(3)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n), "g": np.where(np.arange(n) < 2000, "a",
                                                              rng.choice(["b", "c"], n))})
    df["g"] = np.where(np.arange(n) < 1000, "a", np.where(np.arange(n) < 2000, "b", df.g))
    df["y"] = (rng.random(n) < 0.3).astype(int)
    full = fit_hazard(df, "y ~ x + g")
    chunked = fit_hazard(pl.from_pandas(df).lazy(), "y ~ x + g", chunk_rows=900)
    assert list(chunked.params.index) == ["Intercept", "x", "g[T.b]", "g[T.c]"]
    np.testing.assert_allclose(chunked.params, full.params, rtol=1e-10)


def test_missing_rows_are_dropped_and_counted(panel):
    df = panel.copy()
    df.loc[[1, 2], "state"] = None          # missing cluster id
    df.loc[[3], "adopt"] = np.nan           # missing outcome
    df.loc[[4], "x3"] = -1.0                # log(-1) is not finite
    before = pd.util.hash_pandas_object(df).sum()
    res = fit_hazard(df, FORMULA, vcov={"cluster": "state"})
    assert pd.util.hash_pandas_object(df).sum() == before  # caller's data untouched
    n_miss_x2 = int(df["x2"].isna().sum()) - int(df.loc[[1, 2, 3, 4], "x2"].isna().sum())
    assert res.n_dropped_missing == n_miss_x2 + 4
    assert res.nobs == len(df) - res.n_dropped_missing


def test_bad_inputs_give_clear_errors(panel):
    with pytest.raises(InvalidOptionError, match="must be one of"):
        fit_hazard(panel, "adopt ~ x1", link="tobit")
    with pytest.raises(InvalidOptionError, match="not found"):
        fit_hazard(panel, "adopt ~ nope")
    with pytest.raises(InvalidOptionError, match="0/1"):
        fit_hazard(panel, "x1 ~ x2")
    with pytest.raises(InvalidOptionError, match="collinear"):
        fit_hazard(panel.assign(x4=panel.x1 * 2), "adopt ~ x1 + x4")
    with pytest.raises(InvalidOptionError, match="needs its columns"):
        fit_hazard(panel, "adopt ~ x1", vcov="cluster")
    with pytest.raises(InvalidOptionError, match="exactly two"):
        fit_hazard(panel, "adopt ~ x1", vcov={"dyadic": ["state"]})


def test_predict_matches_fitted_hazards(panel):
    res = fit_hazard(panel, FORMULA, link="probit")
    p = res.predict(panel)
    assert p.shape == (len(panel),)
    assert np.isnan(p[panel.x2.isna().to_numpy()]).all()
    ok = ~np.isnan(p)
    from scipy.stats import norm
    X = res.design.matrix(res.design._typed(panel[ok]))
    np.testing.assert_allclose(p[ok], norm.cdf(X @ res.params.to_numpy()), rtol=1e-12)


def test_parameter_recovery_on_simulated_data():
    rng = np.random.default_rng(20240607)
    n = 200_000
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    d = (rng.random(n) < 0.5).astype(float)
    truth = {"Intercept": -3.0, "x1": 0.5, "x2": -0.3, "d": 0.4, "x1:d": 0.25}
    eta = -3.0 + 0.5 * x1 - 0.3 * x2 + 0.4 * d + 0.25 * x1 * d
    df = pd.DataFrame({"x1": x1, "x2": x2, "d": d})
    for link, F in (("logit", lambda e: 1 / (1 + np.exp(-e))),
                    ("cloglog", lambda e: 1 - np.exp(-np.exp(e)))):
        df["y"] = (rng.random(n) < F(eta)).astype(int)
        t = fit_hazard(df, "y ~ x1 * d + x2", link=link).tidy().set_index("term")
        true = pd.Series(truth)[t.index]
        z = (t["estimate"] - true) / t["std_error"]
        assert (z.abs() < 4).all(), (link, z)
        assert ((t["conf_low"] < true) | (z.abs() > 1.96)).all()


def test_sample_columns_are_what_the_fit_reads(monkeypatch):
    """One list of the columns that decide the estimation sample, on plain and absorbed
    engines; the passes read exactly these columns (lr_test's row check relies on it)."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=300), "w": rng.uniform(0.5, 2, 300),
                       "g": rng.integers(0, 6, 300), "fe": rng.integers(0, 5, 300),
                       "unused": 1.0})
    df["y"] = (rng.random(300) < 0.3).astype(int)
    plain = fit_hazard(df, "y ~ x", weights="w", vcov={"cluster": "g"})._engine
    assert plain.sample_columns == ["y", "x", "w", "g"]
    absorbed = fit_hazard(df, "y ~ x", weights="w", vcov={"cluster": "g"},
                          fixed_effects="fe")._engine
    assert absorbed.sample_columns == ["y", "x", "w", "fe", "g"]
    read: list[list[str]] = []
    kind = type(absorbed.source)
    chunks = kind.chunks
    monkeypatch.setattr(kind, "chunks",
                        lambda self, cols, **kw: read.append(list(cols)) or chunks(self, cols, **kw))
    absorbed.release()
    list(absorbed.prepared())
    assert read == [absorbed.sample_columns]

"""Variance specs: parsing, labels, and the dyadic estimator against a brute-force sum."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from policydiffusion.errors import InvalidOptionError, VarianceCorrectionWarning
from policydiffusion.estimate import VcovSpec, fit_hazard
from policydiffusion.estimate._vcov import psd_correct


def test_parse_forms_and_labels():
    assert VcovSpec.parse("HC1").kind == "hc1"
    assert VcovSpec.parse({"cluster": "state"}).columns == ("state",)
    assert VcovSpec.parse({"cluster-regress": "state"}).label([50]) == (
        "cluster-robust by state (G=50), regress-style small-sample factor G/(G-1)*(n-1)/(n-k)")
    assert VcovSpec.parse({"cluster": "state"}).label([50]) == (
        "cluster-robust by state (G=50), Stata small-sample factor G/(G-1)")
    spec = VcovSpec.parse({"dyadic": ("unit", "source")})
    assert VcovSpec.parse(spec.to_json()) == spec
    for bad in ("robust", {"cluster": []}, {"hc1": "x"}, 3, {"cluster": ["a", "a"]}):
        with pytest.raises(InvalidOptionError):
            VcovSpec.parse(bad)


def _dyads(seed: int, n_units: int, n_years: int, self_rows: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i, j in itertools.permutations(range(n_units), 2)]
    pairs += [(i, i) for i in range(self_rows)]
    rows = [(f"u{i}", f"u{j}", t) for (i, j) in pairs for t in range(n_years)]
    df = pd.DataFrame(rows, columns=["unit", "source", "year"])
    eff = rng.normal(size=n_units)
    idx_u = df.unit.str[1:].astype(int).to_numpy()
    idx_s = df.source.str[1:].astype(int).to_numpy()
    df["x"] = rng.normal(size=len(df)) + eff[idx_u] - eff[idx_s]
    df["z"] = rng.normal(size=len(df))
    eta = -1.5 + 0.6 * df.x - 0.2 * df.z + eff[idx_u] + eff[idx_s]
    df["y"] = (rng.random(len(df)) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


def _brute_force_dyadic(res, df) -> np.ndarray:
    X = res.design.matrix(res.design._typed(df))
    b = res.params.to_numpy()
    p = 1 / (1 + np.exp(-(X @ b)))
    S = X * (df.y.to_numpy() - p)[:, None]
    info = X.T @ (X * (p * (1 - p))[:, None])
    units = list(zip(df.unit, df.source))
    meat = np.zeros((X.shape[1], X.shape[1]))
    for r in range(len(df)):            # O(N^2): every pair of rows sharing a unit
        for s in range(len(df)):
            if set(units[r]) & set(units[s]):
                meat += np.outer(S[r], S[s])
    binv = np.linalg.inv(info)
    return binv @ meat @ binv


@pytest.mark.parametrize("self_rows", [0, 2])
def test_dyadic_equals_brute_force_double_sum(self_rows):
    df = _dyads(11, n_units=7, n_years=4, self_rows=self_rows)
    # so few units leave the sandwich indefinite: compare after the CGM correction
    with pytest.warns(VarianceCorrectionWarning, match="dyadic covariance is not positive"):
        res = fit_hazard(df, "y ~ x + z", vcov={"dyadic": ["unit", "source"]})
    with pytest.warns(VarianceCorrectionWarning, match="dyadic covariance is not positive"):
        again = res.with_vcov({"dyadic": ["unit", "source"]})   # scores at the final estimates
    brute = _brute_force_dyadic(res, df)
    brute = psd_correct(brute, list(res.params.index))[0]
    np.testing.assert_allclose(again.cov.to_numpy(), brute, rtol=1e-10)
    np.testing.assert_allclose(res.cov.to_numpy(), brute, rtol=1e-7)
    assert res.n_clusters == (7,)
    assert "dyadic-robust by unit and source (N units=7)" in res.vcov_label


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_dyadic_vcov_is_symmetric_in_matrix_and_in_its_two_columns(seed):
    df = _dyads(seed, n_units=5, n_years=3)
    assume(0 < df["y"].sum() < len(df))  # some seeds draw no event: nothing to fit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_hazard(df, "y ~ x", vcov={"dyadic": ["unit", "source"]})
        cov = res.with_vcov({"dyadic": ["unit", "source"]}).cov.to_numpy()
        ab = res.with_vcov({"dyadic": ["source", "unit"]}).cov.to_numpy()
    # 5 units often leave the sandwich indefinite: then, and only then, all three say so
    corrected = [w for w in caught if issubclass(w.category, VarianceCorrectionWarning)]
    assert len(corrected) == (3 if res.vcov_correction is not None else 0)
    np.testing.assert_allclose(cov, cov.T, rtol=0, atol=1e-14)
    np.testing.assert_allclose(ab, cov, rtol=1e-12)   # symmetric in the two columns

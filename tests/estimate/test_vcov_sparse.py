"""Cluster sums of absorbed fixed-effect scores stay sparse when groups are many."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.estimate import _absorb, _vcov, fit_hazard

SPECS = [{"cluster": ["unit", "year"]}, {"cluster": "unit"}, {"dyadic": ["unit", "source"]}]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 6000
    df = pd.DataFrame({"policy": rng.integers(0, 150, n), "unit": rng.integers(0, 400, n),
                       "year": rng.integers(0, 25, n), "x": rng.normal(size=n)})
    df["source"] = (df.unit + rng.integers(1, 399, n)) % 400
    eta = -2 + 0.5 * df.x + rng.normal(0, 0.5, 150)[df.policy]
    df["adopt"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


@pytest.fixture(scope="module")
def res(data):
    return fit_hazard(data, "adopt ~ x", fixed_effects="policy")


@pytest.fixture(scope="module")
def dense(res):
    return {str(s): res.with_vcov(s).cov.to_numpy() for s in SPECS}


@pytest.mark.filterwarnings("ignore::policydiffusion.errors.VarianceCorrectionWarning")
@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_sparse_group_sums_never_densify_the_fixed_effect_scores(res, dense, spec,
                                                                 monkeypatch):
    assert res.provenance["absorbed_fixed_effect"] == "policy"
    k = res.k                                   # Intercept, x and 149 policy dummies
    monkeypatch.setattr(_vcov, "_DENSE_LIMIT", 0)  # every group sum in sparse mode

    def no_dense(self):
        raise AssertionError("a block of fixed-effect scores was made dense")

    monkeypatch.setattr(_absorb.FEScores, "toarray", no_dense)
    parts = []
    real = getattr(_vcov, "_sparse_part", None)

    def seen(codes, S):
        out = real(codes, S)
        parts.append((len(codes), out[1]))
        return out

    monkeypatch.setattr(_vcov, "_sparse_part", seen, raising=False)
    cov = res.with_vcov(spec).cov.to_numpy()
    np.testing.assert_allclose(cov, dense[str(spec)], rtol=1e-10, atol=1e-14)
    assert parts
    # x per group, then one value per (group, level) with rows: not the rows x k toarray
    for rows, part in parts:
        assert part.shape[1] == k and part.nnz <= part.shape[0] + rows < rows * k

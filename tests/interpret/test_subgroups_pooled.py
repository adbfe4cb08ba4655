"""The subgroup difference test when units appear in several subgroups (issue 10, item 3).

Golden values: tests/interpret/golden/pooled_dyadic.R (R glm, the dyadic-robust variance
by its pairwise definition, then the Cameron-Gelbach-Miller correction) on the shipped
China example's risk set (make_china_gap.py).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.interpret import fit_subgroups

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMULA = "adopt ~ visits + perf_gap + duration"


@pytest.fixture(scope="module")
def gap():
    data = pd.read_csv(GOLDEN / "china_gap.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sg = fit_subgroups(data, FORMULA, by="large", key="visits",
                           vcov={"dyadic": ["unit", "source"]})
    return sg, json.loads((GOLDEN / "pooled_dyadic.json").read_text())


def test_shared_provinces_give_the_pooled_dyadic_test_r_agrees(gap):
    sg, r = gap
    assert sg.test == "pooled" and sg.shared_units > 0 and "pooled model" in str(sg)
    assert sg.difference == pytest.approx(r["difference"], rel=1e-8)
    assert sg.difference == pytest.approx(1.569, abs=5e-4)
    assert sg.difference_se == pytest.approx(r["difference_se"], rel=1e-6)
    assert sg.difference_se == pytest.approx(0.389, abs=5e-4)
    assert sg.statistic == pytest.approx((sg.difference / sg.difference_se) ** 2, rel=1e-10)
    # the subgroup point estimates are those of the separate fits (and of R's)
    t = sg.tidy().set_index("group")
    assert t.loc[0, "estimate"] == pytest.approx(r["visits_small"], rel=1e-7)
    assert t.loc[1, "estimate"] == pytest.approx(r["visits_large"], rel=1e-7)


def test_pooled_model_covariance_equals_r(gap):
    sg, r = gap
    ours = {"g0": "_sg0", "g1": "_sg1"}

    def name(t: str) -> str:
        parts = t.split(":")
        g = next(p for p in parts if p in ours)
        rest = [p for p in parts if p != g]
        return ours[g] + "".join(":" + p for p in rest)

    names = [name(t) for t in r["terms"]]
    np.testing.assert_allclose(sg.pooled.params[names].to_numpy(), r["coef"], rtol=1e-7)
    np.testing.assert_allclose(sg.pooled.cov.loc[names, names].to_numpy(), r["vcov"],
                               rtol=1e-6, atol=1e-12)
    assert sg.pooled.vcov_correction is not None      # R's raw V has a negative eigenvalue
    assert np.min(r["negative_eigenvalues"]) < 0


def test_independent_test_only_when_no_unit_is_shared():
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame({"x": rng.normal(size=n), "state": rng.integers(0, 30, n)})
    df["g"] = (df.state < 15).astype(int)           # states nested in groups
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    nested = fit_subgroups(df, "y ~ x", by="g", key="x", vcov={"cluster": "state"})
    assert nested.test == "independent" and nested.pooled is None
    crossed = fit_subgroups(df.assign(g=df.index % 2), "y ~ x", by="g", key="x",
                            vcov={"cluster": "state"})
    assert crossed.test == "pooled" and crossed.shared_units == 30


def test_separated_subgroup_is_not_estimable_or_refitted_with_firth():
    """The shipped China data split by shared agglomeration: 11 rows, 10 events, separated."""
    data = pd.read_csv(GOLDEN / "china_gap.csv")
    opts = dict(by="same_agglomeration", key="visits", vcov={"dyadic": ["unit", "source"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        marked = fit_subgroups(data, FORMULA, **opts)
        firth = fit_subgroups(data, FORMULA, on_separation="firth", **opts)
    t = marked.tidy().set_index("group")
    assert t.loc[1, "not_estimable"] == "(quasi-)complete separation"
    assert t.loc[1, ["estimate", "std_error", "p_value"]].isna().all()   # was 37.544 (1.627)
    assert np.isnan(marked.p_value) and marked.test == "none" and "not estimable" in str(marked)
    assert firth.estimator == "firth" and firth.firth_reason == (1,)
    f = firth.tidy().set_index("group")
    assert f.loc[1, "estimate"] == pytest.approx(0.466, abs=5e-4)
    assert all(r.estimator == "firth" for r in firth.results.values())
    # the pooled Firth model's penalty is the sum of the subgroups': the same estimates
    assert firth.test == "pooled"
    np.testing.assert_allclose(firth.pooled.params[["_sg0:visits", "_sg1:visits"]],
                               f["estimate"].to_numpy(), rtol=1e-6)

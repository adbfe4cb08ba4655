"""Cox models with covariates nested in the clusters: estimates kept, robust SEs marked.

A Cox score residual is not ``x_i psi_i`` (risk-set means enter every row's), so the
cluster meat of a cluster dummy is small (about 1e-3 of the row-wise meat) but not zero:
nesting is read from the design. Goldens: R survival::coxph(cluster=), see
golden/cox_nested_golden.R.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from policydiffusion.estimate import fit_cox, fit_hazard
from policydiffusion.estimate._vcov import design_nested_terms
from policydiffusion.report.tables import regression_table
from conftest import GOLDEN
from test_glm_golden import r_name

SURV = "Surv(start, stop, event) ~ "
CASES = {  # golden key: formula, strata, terms whose SE is not identified
    "dummies": ("x + C(g)", None, [f"C(g)[T.{i}]" for i in range(1, 8)]),
    "dummies_strata": ("x + C(g)", "stratum", [f"C(g)[T.{i}]" for i in range(1, 8)]),
    "cluster_level": ("x + z", None, []),          # constant within clusters: identified
    "region": ("x + C(region)", None, []),         # clusters nested in regions
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "cox_nested_data.csv")


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((GOLDEN / "cox_nested_golden.json").read_text())


@pytest.mark.parametrize("key", list(CASES))
def test_cox_cluster_dummies_are_marked_and_the_rest_matches_coxph(data, golden, key):
    formula, strata, nested = CASES[key]
    ref = golden[key]
    res = fit_cox(data, SURV + formula, strata=strata, vcov={"cluster": "g"})
    names = list(res.params.index)
    assert [r_name(t) for t in names] == ref["terms"]
    np.testing.assert_allclose(res.params.to_numpy(), ref["estimate"], rtol=1e-6, atol=1e-9)
    # coxph's numbers, kept in cov; for the dummies they are 0.005-0.04 with |z| up to 107
    np.testing.assert_allclose(res.std_errors.to_numpy(), ref["se"], rtol=1e-6)
    assert sorted(res.se_not_identified) == sorted(nested)
    assert all(w.clusters == ("g",) for w in res.se_not_identified.values())
    t = res.tidy().set_index("term")
    kept = [n for n in names if n not in nested]
    np.testing.assert_allclose(t.loc[kept, "std_error"],
                               np.array(ref["se"])[[names.index(n) for n in kept]], rtol=1e-6)
    assert t.loc[nested, ["std_error", "statistic", "p_value", "conf_low"]].isna().all().all()
    assert t.loc[kept, "p_value"].notna().all()


def test_cox_marking_follows_the_variance(data):
    res = fit_cox(data, SURV + "x + C(g)")
    assert res.se_not_identified == {}
    assert res.with_vcov("hc0").se_not_identified == {}
    by_g = res.with_vcov({"cluster": "g"})
    assert len(by_g.se_not_identified) == 7
    d = json.loads(json.dumps(by_g.to_dict()))
    first = d["coefficients"][1]
    assert first["term"] == "C(g)[T.1]" and first["std_error"] is None
    assert d["se_not_identified"]["C(g)[T.1]"] == "nested in the clusters by g"
    assert d["se_not_identified_clusters"]["C(g)[T.1]"] == ["g"]
    assert any("standard error not identified (nested in the clusters by g)" in n
               for n in by_g.summary().notes)
    table = regression_table({"M": by_g})
    assert "(not identified)" in table and "(0.035)" in table


def test_design_rule_agrees_with_the_glm_score_rule(data):
    # on a logit fit the score itself shows nesting (cluster meat ~1e-20 of HC0); the
    # design rule Cox uses must mark the same terms there, and nothing for region/state
    glm = pd.read_csv(GOLDEN / "nested_data.csv")
    for formula, col in (("adopt ~ x1 + x2 + C(policy)", "policy"),
                         ("adopt ~ x1 + x2 + C(region)", "state")):
        res = fit_hazard(glm, formula, vcov={"cluster": col})
        X = np.column_stack([np.ones(len(glm)), glm.x1, glm.x2,
                             pd.get_dummies(glm[formula[-7:-1]], drop_first=True, dtype=float)])
        names = list(res.params.index)
        got = design_nested_terms(X, {col: glm[col].to_numpy()}, names)
        assert got == dict(res.se_not_identified)

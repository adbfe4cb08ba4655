"""Absorbed fixed effects: the same numbers as dummy columns (and R glm), without them."""

from __future__ import annotations

import json
import warnings
from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError, VarianceCorrectionWarning
from policydiffusion.estimate import fit_hazard
from conftest import GOLDEN
from test_glm_golden import SPECS as GLM_SPECS
from test_glm_golden import r_name

FORMULA = "adopt ~ x1 + x2"
SPECS = {k: v for k, v in GLM_SPECS.items() if k != "se_cluster_regress_state_year"}
ALL_KINDS = [*SPECS.values(), {"cluster-regress": ["state", "year"]},
             {"dyadic": ["state", "source"]}]


@pytest.fixture(scope="module")
def fe_data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "fe_data.csv")


@pytest.fixture(scope="module")
def fe_golden() -> dict:
    return json.loads((GOLDEN / "fe_golden.json").read_text())


@pytest.fixture(scope="module")
def fits(fe_data):
    return {lk: fit_hazard(fe_data, FORMULA, link=lk, fixed_effects="policy")
            for lk in ("logit", "probit", "cloglog")}


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_absorbed_fit_matches_r_glm_with_factor_dummies(fits, fe_golden, link):
    res, ref = fits[link], fe_golden[link]
    assert res.provenance["absorbed_fixed_effect"] == "policy"
    assert [r_name(t) for t in res.params.index] == ref["terms"]
    np.testing.assert_allclose(res.params.to_numpy(), ref["estimate"], rtol=1e-6, atol=1e-9)
    assert res.nobs == ref["nobs"] and res.n_dropped_missing == 5
    np.testing.assert_allclose(res.loglik, ref["loglik"], rtol=1e-10)
    for key, spec in SPECS.items():
        # an indefinite two-way sandwich gets the Cameron-Gelbach-Miller eigenvalue fix,
        # as R's vcovCL(fix = TRUE) does
        want = ref.get(key + "_fix", ref[key])
        with pytest.warns(VarianceCorrectionWarning, match="cluster covariance is not positive") \
                if key + "_fix" in ref else nullcontext():
            se = res.with_vcov(spec).std_errors.to_numpy()
        np.testing.assert_allclose(se, want, rtol=1e-6, err_msg=f"{link} {key}")


def test_a_pass_builds_no_dummy_columns(fits):
    engine = fits["logit"]._engine
    assert engine.design.k == 27          # Intercept, x1, x2 and 24 policy dummies
    assert engine.pass_design.k == 3      # what a pass builds: Intercept, x1, x2
    assert list(engine.jx) == [1, 2]      # the intercept column is absorbed too


@pytest.mark.parametrize("link, fe", [("logit", "policy"), ("cloglog", "policy"),
                                      ("logit", ["policy", "year"])])
def test_every_variance_equals_the_dummy_variable_fit(fe_data, link, fe):
    absorbed = fit_hazard(fe_data, FORMULA, link=link, fixed_effects=fe)
    dummies = fit_hazard(fe_data, FORMULA, link=link, fixed_effects=fe, absorb=False)
    assert "absorbed_fixed_effect" not in dummies.provenance
    assert list(absorbed.params.index) == list(dummies.params.index)
    np.testing.assert_allclose(absorbed.params, dummies.params, rtol=0, atol=1e-10)
    assert absorbed.loglik == pytest.approx(dummies.loglik, rel=1e-13)
    kinds = ALL_KINDS if isinstance(fe, str) else [  # two-way: the dummy passes are slow
        "hc1", {"cluster": ["state", "year"]}, {"dyadic": ["state", "source"]}]
    for spec in kinds:
        (a, wa), (d, wd) = _cov_and_warnings(absorbed, spec), _cov_and_warnings(dummies, spec)
        assert wa == wd, spec  # an indefinite sandwich is corrected in the same terms
        scale = np.sqrt(np.abs(np.outer(np.diag(d), np.diag(d))))
        assert np.max(np.abs(a - d) / scale) < 1e-8, spec


def _cov_and_warnings(res, spec) -> tuple[np.ndarray, list]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cov = res.with_vcov(spec).cov.to_numpy()
    return cov, [(type(w.message), getattr(w.message, "fields", {}).get("terms")) for w in caught]


def test_fit_time_variance_weights_and_predictions_equal_dummies(fe_data):
    df = fe_data.assign(w=1 + (fe_data.year % 3))
    kw = dict(fixed_effects="policy", weights="w", vcov={"dyadic": ["state", "source"]})
    with pytest.warns(VarianceCorrectionWarning, match="dyadic covariance is not positive"):
        absorbed = fit_hazard(df, FORMULA, **kw)
    with pytest.warns(VarianceCorrectionWarning, match="dyadic covariance is not positive"):
        dummies = fit_hazard(df, FORMULA, absorb=False, **kw)
    np.testing.assert_allclose(absorbed.std_errors, dummies.std_errors, rtol=1e-8)
    assert absorbed.vcov_label == dummies.vcov_label
    np.testing.assert_allclose(absorbed.predict(df), dummies.predict(df), rtol=1e-10)


def test_covariate_constant_within_levels_is_named(fe_data):
    df = fe_data.assign(z=fe_data.policy.str[1:].astype(float).fillna(0) % 2)
    with pytest.raises(InvalidOptionError,
                       match=r"\['z'\] do not vary within levels of the fixed effect 'policy'"):
        fit_hazard(df, "adopt ~ x1 + z", fixed_effects="policy")


def test_interacted_fixed_effect_falls_back_to_dummies(fe_data):
    from policydiffusion.estimate._absorb import absorb_fixed_effects
    from policydiffusion.estimate._data import as_source
    from policydiffusion.estimate._glm import Engine, SolverOptions

    def engine(formula):
        return Engine.setup(as_source(fe_data), formula + " + C(policy)", weights=None,
                            cluster_columns=(), dyadic=False, chunk_rows=10_000,
                            solver=SolverOptions())

    ok = absorb_fixed_effects(engine("adopt ~ x1 + x2:C(year)"), "adopt ~ x1 + x2:C(year)",
                              ["policy"])
    assert ok is not None and ok.fe == "policy"
    assert absorb_fixed_effects(engine("adopt ~ x1 + x2:C(policy)"),
                                "adopt ~ x1 + x2:C(policy)", ["policy"]) is None


def test_a_level_without_events_is_named_as_by_the_dummy_fit(fe_data):
    from policydiffusion.errors import SeparationError

    df = fe_data.assign(adopt=fe_data.adopt.where(fe_data.policy != "p05", 0))
    for absorb in (True, False):  # the LP runs on the absorbed engine's dummy design too
        with pytest.raises(SeparationError, match=r"'C\(policy\)\[T\.p05\]'"):
            fit_hazard(df, FORMULA, fixed_effects="policy", absorb=absorb,
                       separation="raise")


def test_c_terms_in_the_formula_are_absorbed_too(fe_data):
    res = fit_hazard(fe_data, "adopt ~ x1 + C(policy) + x2")
    ref = fit_hazard(fe_data, FORMULA, fixed_effects="policy", absorb=False)
    assert res.provenance["absorbed_fixed_effect"] == "policy"
    assert sorted(res.params.index) == sorted(ref.params.index)
    np.testing.assert_allclose(res.params[ref.params.index], ref.params, atol=1e-10)
    np.testing.assert_allclose(res.std_errors[ref.params.index], ref.std_errors, rtol=1e-8)

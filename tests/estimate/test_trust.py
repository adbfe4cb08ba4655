"""Numbers the estimator cannot stand behind are never reported as ordinary estimates
(issue 10): separation and non-convergence, indefinite sandwiches, zero standard errors,
fitted probabilities at 0 or 1, warnings as data."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import (ConvergenceWarning, FittedProbabilityWarning,
                                    SeparationWarning, VarianceCorrectionWarning)
from policydiffusion.estimate import SolverOptions, fit_hazard
from policydiffusion.estimate._summary import tidy_frame
from policydiffusion.estimate._vcov import psd_correct
from policydiffusion.report.tables import regression_table

GOLDEN = Path(__file__).resolve().parent / "golden"


def _fit(*args, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_hazard(*args, **kw)
    return res, [w.message for w in caught]


def _dyads(seed: int, n_units: int = 5, n_years: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pairs = [(i, j) for i in range(n_units) for j in range(n_units) if i != j]
    df = pd.DataFrame([(f"u{i}", f"u{j}", t) for (i, j) in pairs for t in range(n_years)],
                      columns=["unit", "source", "year"])
    df["x"] = rng.normal(size=len(df))
    df["y"] = (rng.random(len(df)) < 1 / (1 + np.exp(1 - 0.5 * df.x))).astype(int)
    return df


@pytest.fixture(scope="module")
def separated() -> pd.DataFrame:
    """``z`` = 1 only where the outcome is 1: quasi-complete separation."""
    rng = np.random.default_rng(3)
    n = 200
    df = pd.DataFrame({"x": rng.normal(size=n), "z": (np.arange(n) % 10 == 0).astype(int)})
    df["y"] = ((rng.random(n) < 0.3) | (df.z == 1)).astype(int)
    return df


# ---------------------------------------------------------------- item 1: separation
def test_separated_term_is_not_estimable_in_tidy_tables_and_json(separated):
    res, ws = _fit(separated, "y ~ x + z")
    sep = [w for w in ws if isinstance(w, SeparationWarning)]
    assert sep and sep[0].fields["terms"] == ("z",)
    # the separating term, and (the fit diverging) every other coefficient of the fit
    assert res.not_estimable["z"] == "(quasi-)complete separation"
    assert set(res.not_estimable) == {"Intercept", "x", "z"}
    assert res.params["z"] > 10                           # the raw diverging value is kept
    t = res.tidy()
    assert t[["estimate", "std_error", "p_value", "conf_low"]].isna().all(axis=None)
    coef = {c["term"]: c for c in res.to_dict()["coefficients"]}
    assert coef["z"]["estimate"] is None and coef["z"]["not_estimable"]
    json.dumps(res.to_dict())
    table = regression_table({"(1)": res}, labels={"z": "Pilot"})
    assert "not estimable" in table and "| Pilot | not estimable |" in table
    assert "not estimable ((quasi-)complete separation): z" in str(res.summary())
    assert "Not estimable ((quasi-)complete separation): (1): Pilot." in table
    zh = regression_table({"(1)": res}, labels={"z": "试点"}, lang="zh")
    assert "| 试点 | 无法估计 |" in zh and "无法估计（（准）完全分离）：(1)：试点。" in zh


def test_on_separation_firth_refits_and_labels(separated):
    res, ws = _fit(separated, "y ~ x + z", on_separation="firth")
    firth, _ = _fit(separated, "y ~ x + z", firth=True)
    assert res.estimator == "firth" and not res.not_estimable
    np.testing.assert_allclose(res.params, firth.params, rtol=1e-10)
    assert res.provenance["separation_refit"]["terms"] == ["z"]
    assert any(isinstance(w, SeparationWarning) for w in res.warnings)
    assert "(1) (Firth)" in regression_table({"(1)": res})
    assert "refitted with Firth" in str(res.summary())


def test_no_convergence_makes_every_term_not_estimable(separated):
    res, ws = _fit(separated, "y ~ x", solver=SolverOptions(max_iter=1))
    conv = [w for w in ws if isinstance(w, ConvergenceWarning)]
    assert conv and conv[0].fields == {"link": "logit", "iterations": 1, "tolerance": 1e-10}
    assert set(res.not_estimable) == {"Intercept", "x"}
    assert res.tidy()["p_value"].isna().all()
    assert conv[0] in res.warnings                        # the warning stays with the fit


# ----------------------------------------------------------- item 2: variance matrices
def test_indefinite_dyadic_sandwich_gets_the_eigenvalue_correction():
    df = _dyads(2)   # 5 units: the raw dyadic sandwich has a negative variance for x
    res, ws = _fit(df, "y ~ x", vcov={"dyadic": ["unit", "source"]})
    corr = res.vcov_correction
    assert corr is not None and corr["negative_variances"] == ["x"]
    assert min(corr["eigenvalues"]) < 0
    assert np.linalg.eigvalsh(res.cov.to_numpy()).min() > -1e-12
    vc = [w for w in ws if isinstance(w, VarianceCorrectionWarning)]
    assert vc and "x" in vc[0].fields["terms"] and "'x'" in str(vc[0])
    assert any(isinstance(w, VarianceCorrectionWarning) for w in res.warnings)
    t = res.tidy().set_index("term")
    assert t.loc["x", "std_error"] > 0 and np.isfinite(t.loc["x", "statistic"])
    # the record survives a new variance of the same kind and goes with a classical one
    with pytest.warns(VarianceCorrectionWarning, match="the variances of 'Intercept', 'x'"):
        assert res.with_vcov({"dyadic": ["unit", "source"]}).vcov_correction is not None
    assert res.with_vcov("classical").vcov_correction is None
    assert "not positive semi-definite" in regression_table({"(1)": res})
    assert res.to_dict()["vcov"]["psd_correction"]["terms"] == corr["terms"]


def test_psd_correction_equals_spectral_clipping():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    v = A @ np.diag([3.0, 1.0, -0.5, 0.2]) @ A.T
    fixed, info = psd_correct(v, list("abcd"))
    lam, U = np.linalg.eigh(v)
    np.testing.assert_allclose(fixed, U @ np.diag(np.clip(lam, 0, None)) @ U.T, atol=1e-12)
    assert len(info["eigenvalues"]) == 1


def test_zero_standard_error_has_no_test_or_interval():
    t = tidy_frame(pd.Series([1.5, 0.2], index=["a", "b"]),
                   pd.DataFrame([[0.0, 0.0], [0.0, -0.01]], index=["a", "b"],
                                columns=["a", "b"]))
    assert t.loc[0, "std_error"] == 0.0
    assert t.loc[[0], ["statistic", "p_value", "conf_low", "conf_high"]].isna().all(axis=None)
    assert np.isnan(t.loc[1, "std_error"])               # a negative variance is never clipped


# -------------------------------------------------- item 10: fitted probabilities 0 or 1
def test_fitted_probabilities_notice_as_r_glm():
    golden = json.loads((GOLDEN / "fitted_extreme.json").read_text())
    df = pd.read_csv(GOLDEN / "fitted_extreme.csv")
    res, ws = _fit(df, "y ~ x")
    np.testing.assert_allclose(res.params.to_numpy(), golden["all"]["coef"], atol=1e-8)
    notes = [w for w in ws if isinstance(w, FittedProbabilityWarning)]
    assert "numerically 0 or 1" in golden["all"]["warnings"]
    assert notes and notes[0].fields["rows"] == golden["all"]["n_boundary"] == 2
    assert notes[0] in res.warnings
    assert "fitted probabilities numerically 0 or 1 occurred" in str(res.summary())
    assert res.to_dict()["warnings"][0]["fields"]["rows"] == 2
    quiet, ws = _fit(df[df.x < 10], "y ~ x")
    assert golden["without_outliers"]["warnings"] == []
    assert not any(isinstance(w, FittedProbabilityWarning) for w in ws)


# ------------------------------------------------------------------------ command line
def test_cli_fit_on_separation_and_notices(separated, tmp_path, capsys):
    from policydiffusion.cli import run

    csv = tmp_path / "sep.csv"
    separated.to_csv(csv, index=False)
    assert run(["fit", str(csv), "--formula", "y ~ x + z", "--json", str(tmp_path / "a.json")]) == 0
    out = capsys.readouterr().out
    assert "not estimable ((quasi-)complete separation): z" in out
    got = json.loads((tmp_path / "a.json").read_text())
    assert got["not_estimable"]["z"] and got["warnings"][0]["kind"] == "separation"
    assert run(["fit", str(csv), "--formula", "y ~ x + z", "--on-separation", "firth"]) == 0
    out = capsys.readouterr().out
    assert "Firth penalised logit" in out and "refitted with Firth" in out
    golden = GOLDEN / "fitted_extreme.csv"
    assert run(["fit", str(golden), "--formula", "y ~ x"]) == 0
    assert "fitted probabilities numerically 0 or 1 occurred (2 row(s))" in capsys.readouterr().out


def test_indefinite_two_way_cluster_sandwich_is_corrected_too():
    rng = np.random.default_rng(0)
    n = 60
    df = pd.DataFrame({"x": rng.normal(size=n), "a": rng.integers(0, 4, n),
                       "b": rng.integers(0, 4, n)})
    df["y"] = (rng.random(n) < 0.4).astype(int)
    res, ws = _fit(df, "y ~ x", vcov={"cluster": ["a", "b"]})
    # the raw two-way sandwich gives the intercept a negative variance
    assert res.vcov_correction["negative_variances"] == ["Intercept"]
    assert any(isinstance(w, VarianceCorrectionWarning) for w in ws)
    assert (np.diag(res.cov.to_numpy()) >= 0).all()
    assert np.isfinite(res.tidy()["std_error"]).all()


def test_simulating_from_a_fit_with_terms_not_estimable_is_refused(separated):
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.simulate import simulate_from_fit
    from policydiffusion.simulate.from_fit import fit_from_json

    res, _ = _fit(separated, "y ~ x + z")
    with pytest.raises(InvalidOptionError, match="not estimable: .*z \\(\\(quasi-\\)complete"):
        fit_from_json(res.to_dict())
    with pytest.raises(InvalidOptionError, match="on_separation='firth'"):
        simulate_from_fit(res, None, policy="p", seed=1)


def test_large_converged_fit_with_extreme_hazards_is_warned_not_blanked(monkeypatch):
    """Above the exact (LP) check's size only diverging estimates are flagged: a converged
    fit keeps its estimates (the cubic-duration case of long spells), with the warning."""
    import policydiffusion.estimate._hazard as H

    monkeypatch.setattr(H, "_LP_LIMIT", 0)
    df = pd.read_csv(GOLDEN / "fitted_extreme.csv")
    res, ws = _fit(df, "y ~ x")
    sep = [w for w in ws if isinstance(w, SeparationWarning)]
    assert res.converged and sep and sep[0].fields["detected_by"] == "diverging estimates"
    assert not res.not_estimable and np.isfinite(res.tidy()["p_value"]).all()

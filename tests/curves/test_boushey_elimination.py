"""Boushey's dynamics (and the best curve) are never decided by elimination.

Where the logistic and Bass families have no certified optimum for a reason other than
the ridge toward the exponential (not identified, a step over one or two periods, not
converged), only the exponential was left and the label was "external": on 17 SPID
policies, 14 of them with the dropped families' supremum log-likelihood above the
exponential's. Those are now undetermined (``dynamics`` None, ``best`` "undetermined",
``dynamics_note`` says why). A ridge's supremum is the exponential's own fit, so
there the label stands.
"""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from policydiffusion.curves import fit_curves


def _two_periods() -> pd.DataFrame:
    # p: 1 of 10 adopts in period 1, 5 of the 9 left in period 2, nobody in 3-4 (q keeps
    # the study open): the logistic/Bass step split over periods 1-2 reaches the
    # saturated likelihood, far above the exponential's optimum
    return pd.DataFrame({"policy": ["p"] * 6 + ["q"], "unit": list("ABCDEF") + ["A"],
                         "period": [1, 2, 2, 2, 2, 2, 4]})


def _ridge() -> pd.DataFrame:
    # declining hazard: 4 of 10 in period 1, then one in period 5
    return pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 1, 1, 1, 5]})


def test_two_periods_leave_the_dynamics_undetermined_not_external():
    fits = fit_curves(_two_periods(), "p", units=10)
    for m in ("logistic", "gompertz", "bass"):
        assert (fits[m].status, fits[m].reason) == ("no_finite_optimum", "two_periods")
    expo = fits["exponential"]
    assert expo.has_optimum and fits["bass"].loglik > expo.loglik + 4  # -9.433 vs -13.934
    # was "external" and "exponential" (the only family with an optimum)
    assert fits.dynamics is None
    assert fits.best == "undetermined" and fits.best_models == ()
    assert not fits.comparison()["best"].any()
    note = fits.dynamics_note
    assert note.startswith("undetermined: logistic, bass: no finite optimum: all adoptions in two")
    assert "no label is chosen by elimination" in note
    assert f"Boushey dynamics: {note}" in fits.summary()
    out = json.loads(json.dumps(fits.to_dict()))
    assert out["dynamics"] is None and out["dynamics_note"] == note and out["best"] == "undetermined"


def test_ridge_toward_the_fitted_exponential_is_still_classified():
    fits = fit_curves(_ridge(), "p", units=10)
    assert {fits[m].reason for m in ("logistic", "gompertz")} == {"ridge"}
    assert fits.dynamics == "external" and fits.dynamics_note == "" and fits.best == "exponential"
    assert fits.to_dict()["dynamics_note"] is None
    # without the exponential and Bass the ridge's supremum is compared with nothing
    alone = fit_curves(_ridge(), "p", units=10, models=("logistic", "gompertz"))
    assert alone.dynamics is None and "logistic: no finite optimum: the likelihood rises" in alone.dynamics_note


def test_a_family_that_did_not_converge_leaves_the_dynamics_undetermined():
    a = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGH"), "period": [1, 2, 3, 3, 4, 4, 4, 5]})
    fits = fit_curves(a, units=10)
    assert fits.dynamics is not None and fits.best_models
    failed = dataclasses.replace(fits["bass"], status="not_converged", reason="check_failed",
                                 failed=("gradient",))
    broken = dataclasses.replace(fits, fits={**fits.fits, "bass": failed})
    assert broken.dynamics is None and broken.best == "undetermined"
    assert broken.dynamics_note.startswith("undetermined: bass: not converged")
    # a Gompertz failure does not touch Boushey's label (Gompertz is none of its curves)
    # but the best curve is then undetermined
    g = dataclasses.replace(fits["gompertz"], status="not_converged", reason="check_failed")
    only_g = dataclasses.replace(fits, fits={**fits.fits, "gompertz": g})
    assert only_g.dynamics == fits.dynamics and only_g.dynamics_note == ""
    assert only_g.best == "undetermined"


def test_spid_compact_for_a_balanced_budget_is_no_longer_external():
    """SPID "compact for a balanced budget": all adoptions in two consecutive years;
    the logistic/Bass supremum -16.711 is above the exponential's optimum -17.699,
    yet the dynamics were "external" by elimination."""
    from policydiffusion.curves import fit_curves_many
    from policydiffusion.datasets import spid_study

    p = "compact for a balanced budget"
    fits = fit_curves_many(spid_study(policies=[p]), [p])[p]
    assert fits["bass"].reason == "two_periods"
    assert round(fits["bass"].loglik, 3) == -16.711 and round(fits["exponential"].loglik, 3) == -17.699
    assert fits.dynamics is None and fits.best == "undetermined"
    assert "two consecutive periods" in fits.dynamics_note


def test_certified_multistart_fallback_keeps_newtons_hessian(monkeypatch):
    """_certify dropped the Hessian Newton had just computed at the point it certified,
    and _fit_one computed it again: the same numbers, to the bit."""
    import numpy as np

    import policydiffusion.curves._fit as fit_module
    from policydiffusion.curves import MODELS
    from policydiffusion.curves._fit import _cov_from_hessian, _fit_data
    from policydiffusion.curves._newton import negll_hessian

    a = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGH"), "period": [1, 2, 3, 3, 4, 4, 4, 5]})
    monkeypatch.setattr(fit_module, "negll_hessian", lambda *args: pytest.fail("Hessian recomputed"))
    fits = fit_curves(a, units=10, optimizer="multistart")
    _, d = _fit_data(a, "p", 10)
    for m, f in fits.fits.items():
        assert f.has_optimum, m
        free = [p not in f.at_bound for p in f.params]
        H = negll_hessian(MODELS[m], d.t, d.at_risk, d.new, f.estimate)[np.ix_(free, free)]
        want = np.full_like(f.cov, np.nan)
        want[np.ix_(free, free)] = _cov_from_hessian(H)
        assert [v.hex() for v in f.cov.ravel()] == [float(v).hex() for v in want.ravel()], m


def test_converged_is_derived_from_has_optimum_not_stored():
    """``converged`` was a constructor field checked against ``status``: stored state
    that can be derived. It is now a property, so it follows the status."""
    from policydiffusion.curves import CurveFit

    fits = fit_curves(_two_periods(), "p", units=10)
    for f in fits.fits.values():
        assert f.converged == f.has_optimum and f.to_dict()["converged"] == f.has_optimum
    assert "converged" not in {f.name for f in dataclasses.fields(CurveFit)}
    failed = dataclasses.replace(fits["exponential"], status="not_converged", reason="check_failed")
    assert failed.converged is False and failed.to_dict()["converged"] is False
    assert fits["exponential"].converged is True


def test_undetermined_best_puts_no_family_at_delta_aic_zero():
    """delta_aic was measured from the lowest AIC with an optimum even when ``best`` was
    "undetermined": the exponential got 0.0 (in describe's ``fit_comparison`` and
    summary's "dAIC 0.000") as if it were best. With no best there is no reference."""
    import math

    from policydiffusion.curves import describe_policy

    a = pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 1, 1, 2, 2]})
    fits = fit_curves(a, units=10)
    assert fits.best == "undetermined" and fits["exponential"].has_optimum
    assert all(math.isnan(r["delta_aic"]) for r in fits.comparison_records())
    assert fits.comparison()["delta_aic"].isna().all()
    assert "dAIC      nan" in fits.summary() and "dAIC    0.000" not in fits.summary()
    desc = describe_policy(a, "p", relation=None, curve_fits={"p": fits})
    out = json.loads(json.dumps(desc.to_dict(), allow_nan=False))
    assert [r["delta_aic"] for r in out["fit_comparison"]] == [None] * len(fits.fits)
    # where a best exists the numbers are those from the lowest AIC, as before
    b = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGH"), "period": [1, 2, 3, 3, 4, 4, 4, 5]})
    decided = fit_curves(b, units=10)
    ref = min(f.aic for f in decided.fits.values())
    assert decided.best_models
    for r in decided.comparison_records():
        assert r["delta_aic"] == decided[r["model"]].aic - ref
        assert (r["delta_aic"] == 0) == (r["model"] == decided.best_models[0])

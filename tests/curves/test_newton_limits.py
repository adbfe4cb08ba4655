"""Curve fits of SPID policies that used to fall back to the multistart optimiser
(issue 16, item 19): all adoptions in two consecutive periods have no finite optimum
(the curve tends to a step split over them) and are reported with the saturated
supremum instead of where SLSQP stopped."""

from __future__ import annotations

import math

import numpy as np
import pytest

import policydiffusion.curves._fit as fit_module
from policydiffusion.curves import MODELS, fit_curves
from policydiffusion.curves._optimum import two_period_limit
from policydiffusion.datasets import spid_study

_SPLIT = ("logistic", "gompertz", "bass")


def test_two_period_condition():
    t = np.array([1.0, 2.0, 3.0, 4.0])
    r, n = np.array([50.0, 29, 28, 28]), np.array([21.0, 1, 0, 0])  # SPID estate_ta
    for m in _SPLIT:
        lim = two_period_limit(MODELS[m], t, r, n)
        a, b = 21 / 50, 1 / 29
        assert lim.reason == "two_periods" and lim.estimate[0] == pytest.approx(1 - (1 - a) * (1 - b))
        assert lim.loglik == pytest.approx(21 * math.log(a) + 29 * math.log(1 - a) + math.log(b)
                                           + 28 * math.log(1 - b), rel=1e-14)
        assert np.isnan(lim.estimate[1:]).all()
    assert two_period_limit(MODELS["exponential"], t, r, n) is None  # steps only at t = 0
    logistic = MODELS["logistic"]
    # not consecutive, three periods with adoptions, one period: not this limit
    assert two_period_limit(logistic, t, r, np.array([21.0, 0, 1, 0])) is None
    assert two_period_limit(logistic, t, r, np.array([21.0, 1, 1, 0])) is None
    assert two_period_limit(logistic, t, r, np.array([21.0, 0, 0, 0])) is None
    # only the two periods at risk: three parameters reach the two hazards
    assert two_period_limit(logistic, t, np.array([50.0, 29, 0, 0]), n) is None
    # ... unless everybody left adopts in the second (a hazard of 1 is not reached)
    assert two_period_limit(logistic, t, np.array([50.0, 29, 0, 0]), np.array([21.0, 29, 0, 0])) is not None
    # everybody adopts in the first period: no split step (entrants adopt later)
    assert two_period_limit(logistic, t, np.array([50.0, 3, 3, 3]), np.array([50.0, 1, 0, 0])) is None


def test_the_split_step_reaches_the_supremum():
    """The logistic along r -> inf with r (1 - t0) = logit(a / K) rises to the bound."""
    t, r, n = np.array([1.0, 2.0, 3.0, 4.0]), np.array([50.0, 29, 28, 28]), np.array([21.0, 1, 0, 0])
    model = MODELS["logistic"]
    lim = two_period_limit(model, t, r, n)
    K = lim.estimate[0]
    c = math.log((21 / 50 / K) / (1 - 21 / 50 / K))
    nll = fit_module.NegLogLik(model, t=t, at_risk=r, new=n)
    lls = [-nll(np.array([K, rate, 1 - c / rate])) for rate in (5.0, 10.0, 20.0, 30.0)]
    assert all(a < b for a, b in zip(lls, lls[1:])) and lls[-1] <= lim.loglik
    assert lim.loglik - lls[-1] < 1e-9


@pytest.mark.parametrize("policy", ["estate_ta", "sundayban"])
def test_spid_two_period_policies_have_no_finite_optimum(policy, monkeypatch):
    """These fell back to the multistart optimiser (0.6 s each): its fit is below the
    supremum, which is where it was heading."""
    study = spid_study(policies=[policy])
    fits = fit_curves(study, policy)
    for m in _SPLIT:
        assert (fits[m].status, fits[m].reason) == ("no_finite_optimum", "two_periods")
    assert fits["exponential"].has_optimum
    monkeypatch.setattr(fit_module, "two_period_limit", lambda *a: None)
    old = fit_curves(study, policy, models=("logistic",), optimizer="multistart")["logistic"]
    sup = fits["logistic"].loglik
    assert sup - 1e-5 * abs(sup) < old.loglik <= sup + 1e-8 * abs(sup)


# SPID fits that fell back to the multistart optimiser before (0.6 s each), by kind:
# two consecutive periods; the logistic ridge crawled with a finite-difference Hessian;
# a Gompertz ceiling K = 1 and a Bass q = 0 on their bounds that the finite-difference
# stencil (moved inside the box) could not certify.
_FELL_BACK = {
    "estate_ta": ("logistic", "gompertz", "bass"),
    "workcom": ("logistic",),
    "fetaldispos": ("logistic",),
    "childabuse": ("gompertz",),
    "compcrime": ("gompertz",),
    "mlda21": ("gompertz",),
    "wildlife violator compact": ("bass",),
    "management of institutional funds act": ("bass",),
    "interstate compact for mutual military aid in an emergency": ("bass",),
}


def test_former_fallbacks_are_certified_or_have_no_optimum(monkeypatch):
    """None of these reaches the multistart optimiser now; where the optimum exists
    (on a bound) it is the multistart's to 1e-8, where not, the old fit lies below the
    supremum."""
    from policydiffusion.curves import fit_curves_many

    study = spid_study(policies=list(_FELL_BACK))
    calls = []
    multistart = fit_module._multistart
    monkeypatch.setattr(fit_module, "_multistart",
                        lambda model, d, method, policy: calls.append((policy, model.name))
                        or multistart(model, d, method, policy))
    many = fit_curves_many(study, list(_FELL_BACK))
    assert [c for c in calls if c[1] in _FELL_BACK[c[0]]] == []
    assert many["workcom"]["logistic"].reason == "ridge"
    for policy, model in (("childabuse", "gompertz"), ("wildlife violator compact", "bass")):
        new = many[policy][model]
        assert new.has_optimum and new.at_bound == (("K",) if model == "gompertz" else ("q",))
        old = multistart(MODELS[model], fit_module._fit_data(study, policy, None)[1], "mle", policy)
        assert -old[1] - new.loglik <= 1e-8 * abs(new.loglik)

"""Curve comparison without labels chosen by rounding noise (issue 10 item 4)."""

import numpy as np
import pytest
from scipy import stats

from policydiffusion.curves import fit_curves
from policydiffusion.curves._fit import LL_TIE_RTOL, _fit_data, _negll
from policydiffusion.curves._models import MODELS
from policydiffusion.datasets import spid_study

from test_fit import simulate


@pytest.fixture(scope="module")
def logistic_data():
    return simulate("logistic", (0.8, 0.45, 12.0), n=600, periods=30, seed=3).drop(columns="units")


@pytest.fixture(scope="module")
def logistic_fits(logistic_data):
    return fit_curves(logistic_data, units=600)


def test_logistic_and_bass_are_the_same_hazard_model(logistic_data, logistic_fits):
    """The reparameterisation K' = K(1+c)/(c+K), r = p+q, c = q/p gives the same
    likelihood, so the fitted optima agree and are reported as indistinguishable."""
    _, d = _fit_data(logistic_data, None, 600)
    fits = logistic_fits
    Kl, r, t0 = fits["logistic"].estimate
    c = np.exp(r * t0)
    K = Kl * c / (1 + c - Kl)
    bass = np.array([K, r / (1 + c), r * c / (1 + c)])
    assert _negll(bass, MODELS["bass"], d) == pytest.approx(
        _negll(fits["logistic"].estimate, MODELS["logistic"], d), abs=1e-9)
    gap = abs(fits["logistic"].loglik - fits["bass"].loglik)
    assert gap <= LL_TIE_RTOL * abs(fits["bass"].loglik)
    assert fits.tied("logistic", "bass") and not fits.tied("logistic", "gompertz")
    comp = fits.comparison().set_index("model")
    assert comp.loc["logistic", "tied_with"] == "bass" and comp.loc["bass", "tied_with"] == "logistic"
    assert comp.loc["logistic", "best"] == comp.loc["bass", "best"]
    assert fits.dynamics == "internal or mixed"


def test_spid_best_curve_is_not_decided_by_rounding():
    """advertban: logistic and Bass log-likelihoods differ by ~1e-12; the old code called
    the logistic best and the dynamics 'internal' on that difference."""
    fits = fit_curves(spid_study(policies=["advertban"]), "advertban")
    assert abs(fits["logistic"].loglik - fits["bass"].loglik) < 1e-9
    assert set(fits.best_models) == {"logistic", "bass"}
    assert fits.best == "logistic = bass"
    assert fits.dynamics == "internal or mixed"
    d = fits.to_dict()
    assert d["best_models"] == ["logistic", "bass"] and d["tie_rtol"] == LL_TIE_RTOL


def test_exponential_against_bass_by_likelihood_ratio(logistic_fits):
    fits = logistic_fits
    t = fits.lr_tests().iloc[0]
    lr = 2 * (fits["bass"].loglik - fits["exponential"].loglik)
    assert (t["restricted"], t["full"], t["df"]) == ("exponential", "bass", 1)
    assert t["statistic"] == pytest.approx(lr, rel=1e-12)
    assert t["p_value"] == pytest.approx(0.5 * stats.chi2.sf(lr, 1))
    assert t["p_value"] < 0.05
    ext = simulate("exponential", (0.6, 0.15), n=600, periods=30, seed=5).drop(columns="units")
    efits = fit_curves(ext, units=600, models=("logistic", "bass", "exponential"))
    assert efits.lr_tests()["p_value"].iloc[0] >= 0.05
    assert efits.dynamics == "external"
    assert "LR test exponential vs bass" in efits.summary()

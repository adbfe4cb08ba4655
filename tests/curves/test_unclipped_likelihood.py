"""The curve likelihood is the model's own, never clipped: no optimum exists only because
a hazard of 1e-24 was counted as 1e-15; standard errors from the exact Hessian."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from policydiffusion.curves import MODELS, fit_curves
from policydiffusion.curves._fit import _fit_data
from policydiffusion.curves._objective import NegLogLik
from policydiffusion.datasets import spid_study


def _textbook_loglik(model, d, x) -> float:
    """The log-likelihood by its formula in plain floating point (no clip, no log-space
    rewriting): accurate wherever no hazard is within rounding of 0 or 1; an adoption
    at hazard 0 gives -inf."""
    F1, F0 = model.cdf(d.t, *x), model.cdf(d.t - 1, *x)
    keep = d.at_risk > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        h = ((F1 - F0) / (1.0 - F0))[keep]
        n, m = d.new[keep], d.at_risk[keep] - d.new[keep]
        terms = np.where(n > 0, n * np.log(h), 0.0) + np.where(m > 0, m * np.log1p(-h), 0.0)
    return float(np.sum(terms))


def _exponential_loglik_decimal(d, x) -> float:
    """The modified exponential's log-likelihood in 100-digit decimal arithmetic (the
    standard library's): the textbook formula without its rounding, where hazards near 1
    leave 1 - F(t-1) below double precision."""
    from decimal import Decimal, getcontext

    getcontext().prec = 100
    K, a = (Decimal(float(v)) for v in x)
    total = Decimal(0)
    for t, r, n in zip(d.t, d.at_risk, d.new):
        if r <= 0:
            continue
        F0, F1 = (K * (1 - (-a * Decimal(float(s))).exp()) for s in (t - 1, t))
        h = (F1 - F0) / (1 - F0)
        total += (Decimal(float(n)) * h.ln() if n > 0 else 0) + (Decimal(float(r - n)) * (1 - h).ln()
                                                               if r > n else 0)
    return float(total)


@pytest.fixture(scope="module")
def bangag():
    study = spid_study(policies=["bangag"])
    return study, _fit_data(study, "bangag", None)[1]


@pytest.mark.parametrize("optimizer", ["newton", "multistart"])
def test_bangag_reports_the_models_own_optimum(bangag, optimizer):
    """SPID bangag: the clipped likelihood had a higher point (-99.80 logistic, where
    period 1's hazard is 1.4e-24: -120.18 unclipped; Gompertz b 5.4e6, -inf unclipped)
    that the multistart optimiser reported. Every family's reported log-likelihood must
    be the textbook likelihood at its parameters, and the logistic's must be a maximum
    of it: a local optimiser on the textbook formula, started there, finds nothing higher."""
    study, d = bangag
    fits = fit_curves(study, "bangag", optimizer=optimizer)
    for m, f in fits.fits.items():
        assert f.has_optimum, m
        assert f.loglik == pytest.approx(_textbook_loglik(MODELS[m], d, f.estimate), rel=1e-10), m
    lg = fits["logistic"]
    assert -103.215 < lg.loglik < -103.213
    model = MODELS["logistic"]
    r = optimize.minimize(lambda x: -_textbook_loglik(model, d, x), lg.estimate, method="Nelder-Mead",
                          bounds=list(zip(model.lower, model.upper)),
                          options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    assert -r.fun <= lg.loglik + 1e-6 * abs(lg.loglik)
    assert -r.fun == pytest.approx(lg.loglik, rel=1e-6)


def test_likelihood_counts_a_hazard_of_1e24_as_it_is():
    """An adoption the model gives probability 1e-24 contributes log(1e-24), not log(1e-15);
    in log space even e^-800 (below the smallest double) counts as -800."""
    model = MODELS["exponential"]
    a = 24 * np.log(10)  # F(1) = 1 - 1e-24 ... with K = 1: period 2's hazard is 1 - e^{-a}
    t, at_risk, new = np.array([1.0, 2.0]), np.array([10.0, 1.0]), np.array([9.0, 1.0])
    nll = NegLogLik(model, t=t, at_risk=at_risk, new=new)
    # period 1: 9 of 10 adopt with hazard 1 - 1e-24 and one does not (probability 1e-24)
    want = -(9 * np.log1p(-1e-24) + np.log(1e-24) + np.log1p(-1e-24))
    assert nll(np.array([1.0, a])) == pytest.approx(want, rel=1e-13)
    # the non-adopter of period 1 at e^-800; period 2's hazard is then 1 - e^-800
    assert nll(np.array([1.0, 800.0])) == pytest.approx(800.0, rel=1e-15)


def test_step_like_data_do_not_stop_the_exponential_on_the_floor():
    """Synthetic step: 49 of 50 units adopt in the first period, the last in period 60.
    Under the clip the multistart and Newton fits stopped at K = 0.98, a = 21.47 (LL
    -39.44): period 60's hazard, e^-1267, counted as 1e-15, and any larger a was as
    good. The model's likelihood falls without end as a grows (-59 a from that
    adoption), so its optimum is inside (K = 1, a = 0.61, LL -75.18) and no hazard of
    a period with adoptions is anywhere near the old floor."""
    import pandas as pd

    units = [f"u{i}" for i in range(50)]
    a = pd.DataFrame({"policy": "p", "unit": units, "period": [1] * 49 + [60]})
    _, d = _fit_data(a, "p", units)
    model = MODELS["exponential"]
    for optimizer in ("newton", "multistart"):
        fit = fit_curves(a, "p", units=units, models=("exponential",), optimizer=optimizer)["exponential"]
        assert fit.has_optimum and fit.value("a") < 1, optimizer
        assert fit.loglik == pytest.approx(_exponential_loglik_decimal(d, fit.estimate), rel=1e-12)
        assert fit.loglik == pytest.approx(-75.181, abs=1e-3)
        with np.errstate(divide="ignore"):  # log(1 - K) at K = 1
            log_d, log_s0, _ = model.log_parts(d.t, *fit.estimate)
        assert np.all((log_d - log_s0)[d.new > 0] > np.log(1e-15))


def _richardson_hessian(f, x, rel_step):
    """Central second differences at steps h and h/2, Richardson-combined (error O(h^4))."""
    k = x.size

    def central(h):
        H = np.zeros((k, k))
        for i in range(k):
            for j in range(k):
                ei, ej = np.zeros(k), np.zeros(k)
                ei[i], ej[j] = h[i], h[j]
                H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
        return H

    h = rel_step * np.abs(x)
    return (4 * central(h / 2) - central(h)) / 3


def test_standard_errors_are_the_exact_hessians():
    """SPID ausbalsys Bass (140 periods, tails of e^-30): the finite-difference Hessian
    the SEs came from moved the SE of p from 0.003835 to 0.003731 when x moved by 7e-6.
    The closed-form one matches a careful (Richardson) difference of the likelihood."""
    study = spid_study(policies=["ausbalsys"])
    fit = fit_curves(study, "ausbalsys", models=("bass",))["bass"]
    _, d = _fit_data(study, "ausbalsys", None)
    assert fit.has_optimum and not fit.at_bound
    nll = NegLogLik(MODELS["bass"], t=d.t, at_risk=d.at_risk, new=d.new)
    se = np.sqrt(np.diag(np.linalg.inv(_richardson_hessian(nll, fit.estimate, 1e-3))))
    np.testing.assert_allclose(fit.std_error, se, rtol=2e-6)
    assert fit.std_error[1] == pytest.approx(0.0037755, abs=5e-8)


def test_log_survival_keeps_its_digits_below_the_smallest_normal_double():
    # exp(-735) is subnormal: log((1 - K) + K exp(x)) lost digits (3e-5 at -735, 0.25 at -744)
    from policydiffusion.curves._models import _log_survival

    x = np.array([-735.0, -744.0, -800.0])
    with np.errstate(divide="ignore"):  # as under period_loglik: log(0) = -inf is meant
        at_one, at_half = _log_survival(np.ones(3), x), _log_survival(np.full(3, 0.5), x)
    np.testing.assert_allclose(at_one, x, rtol=1e-15)
    np.testing.assert_allclose(at_half, np.log(0.5), rtol=1e-15)  # 1 - K dominates

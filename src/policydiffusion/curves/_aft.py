"""Intercept-only accelerated-failure-time models (as R's ``survreg(Surv(T, d) ~ 1)``).

``log T = mu + sigma * W`` with ``W`` standard extreme-value (Weibull), logistic
(log-logistic) or normal (log-normal); the exponential is the Weibull with
``sigma = 1``. Fitted by Newton's method on (mu, log sigma) with analytic
derivatives, to a gradient of 1e-10, so estimates agree with survreg to ~1e-8.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from policydiffusion.errors import ConvergenceError, check_choice

__all__ = ["AFTFit", "fit_aft", "AFT_DISTRIBUTIONS"]

AFT_DISTRIBUTIONS = ("weibull", "exponential", "lognormal", "loglogistic")
_NORM_LOG_C = float(np.log(np.sqrt(2 * np.pi)))


@dataclass(frozen=True)
class AFTFit:
    """Intercept, log(scale) and their standard errors (log_scale 0 / SE NaN: exponential)."""

    dist: str
    intercept: float
    log_scale: float
    intercept_se: float
    log_scale_se: float
    loglik: float
    n: int
    n_events: int
    iterations: int


def _g(dist: str, z: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log-density/survival of W at z, and its first and second z-derivatives."""
    if dist in ("weibull", "exponential"):
        ez = np.exp(z)
        ll = np.where(event, z - ez, -ez)
        g = np.where(event, 1 - ez, -ez)
        gp = -ez
    elif dist == "loglogistic":
        F = special.expit(z)
        ll = np.where(event, z - 2 * np.logaddexp(0, z), -np.logaddexp(0, z))
        g = np.where(event, 1 - 2 * F, -F)
        gp = np.where(event, -2 * F * (1 - F), -F * (1 - F))
    else:  # lognormal
        # scipy.stats.norm's own formulas without its per-call argument checks
        # (2,900 small fits describe all SPID policies)
        logS = special.log_ndtr(-z)
        lam = np.exp(-z**2 / 2.0 - _NORM_LOG_C - logS)
        ll = np.where(event, -0.5 * z * z - 0.5 * math.log(2 * math.pi), logS)
        g = np.where(event, -z, -lam)
        gp = np.where(event, -1.0, -lam * (lam - z))
    return ll, g, gp


def _loglik(dist: str, y: np.ndarray, event: np.ndarray, mu: float, s: float):
    sigma = math.exp(s)
    z = (y - mu) / sigma
    with np.errstate(over="ignore", invalid="ignore"):
        ll, g, gp = _g(dist, z, event)
    # one reduction for the six sums (rows: log-likelihood, with - log sigma - log t for
    # events on the time scale; the two gradient terms; the three Hessian terms)
    total, d_mu, d_s, h_mumu, h_mus, h_ss = np.stack([
        ll - event * (s + y), -g / sigma, -z * g - event, gp / sigma**2, (gp * z + g) / sigma,
        z * g + z * z * gp]).sum(axis=1).tolist()
    return total, np.array([d_mu, d_s]), np.array([[h_mumu, h_mus], [h_mus, h_ss]])


def fit_aft(time: np.ndarray, event: np.ndarray, *, dist: str = "weibull",
            max_iter: int = 100, tol: float = 1e-10) -> AFTFit:
    """Fit ``survreg(Surv(time, event) ~ 1, dist=dist)`` by Newton's method.

    Examples
    --------
    >>> import numpy as np
    >>> f = fit_aft(np.array([1.0, 2, 3, 4, 4]), np.array([1, 1, 1, 0, 0]), dist="exponential")
    >>> round(f.intercept, 6), round(float(np.log(14 / 3)), 6)  # closed form: log(sum T / events)
    (1.540445, 1.540445)
    """
    check_choice("dist", dist, AFT_DISTRIBUTIONS)
    y = np.log(np.asarray(time, float))
    ev = np.asarray(event, float)
    if ev.sum() == 0:
        raise ConvergenceError("no events: the AFT intercept is not identified.")
    fixed = dist == "exponential"
    mu = float(np.log(np.sum(np.exp(y)) / ev.sum())) if fixed else float(np.mean(y))
    s = 0.0 if fixed else float(np.log(max(np.std(y), 0.1)))
    ll, grad, H = _loglik(dist, y, ev, mu, s)
    it = 0
    for it in range(1, max_iter + 1):
        if fixed:
            step = np.array([-grad[0] / H[0, 0], 0.0])
        else:
            try:
                step = -np.linalg.solve(H, grad)
            except np.linalg.LinAlgError:
                step = grad * 0.1
            if grad @ step <= 0:  # not an ascent direction: fall back to gradient ascent
                step = grad / max(np.abs(np.diag(H)).max(), 1.0)
        lam = 1.0
        while lam > 1e-10:
            new = _loglik(dist, y, ev, mu + lam * step[0], s + lam * step[1])
            if np.isfinite(new[0]) and new[0] >= ll - 1e-12:
                break
            lam /= 2
        mu, s = mu + lam * step[0], s + lam * step[1]
        ll, grad, H = new
        if np.max(np.abs(grad if not fixed else grad[:1])) < tol:
            break
    else:
        raise ConvergenceError(f"the {dist} AFT model did not converge in {max_iter} iterations.")
    if fixed:
        cov = np.array([[-1.0 / H[0, 0], np.nan], [np.nan, np.nan]])
    else:
        cov = np.linalg.inv(-H)
    return AFTFit(dist, float(mu), float(s), float(np.sqrt(cov[0, 0])), float(np.sqrt(cov[1, 1])) if not fixed else np.nan,
                  float(ll), int(y.size), int(ev.sum()), it)

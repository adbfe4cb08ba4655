"""Links for binary hazard models: logit, probit and complementary log-log.

Each link gives, for a block of linear predictors, the log-likelihood terms, the
score weight ``u`` (so the score is ``X' (w * u)``) and the Fisher weight ``W``
(so the expected information is ``X' diag(w * W) X``), computed stably in logs.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.special import expit, log_ndtr, ndtr

__all__ = ["Link", "LINKS", "block_terms", "cdf", "pdf", "dpdf"]

Link = Literal["logit", "probit", "cloglog"]
LINKS: tuple[str, ...] = ("logit", "probit", "cloglog")
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def block_terms(link: str, eta: np.ndarray, y: np.ndarray):
    """Return ``(loglik_terms, u, W, mu)`` for one block."""
    if link == "logit":
        e = np.exp(-np.abs(eta))             # one exp: stable for any eta
        inv = 1.0 / (1.0 + e)
        mu = np.where(eta >= 0, inv, e * inv)
        ll = y * eta - np.maximum(eta, 0.0) - np.log1p(e)
        return ll, y - mu, mu * (1.0 - mu), mu
    if link == "probit":
        lp, lq = log_ndtr(eta), log_ndtr(-eta)
        ll = np.where(y > 0, lp, lq)
        logphi = -0.5 * eta * eta - _LOG_SQRT_2PI
        # u = phi (y - mu) / (mu (1 - mu)): phi/Phi(eta) if y = 1, -phi/Phi(-eta) if y = 0
        u = np.where(y > 0, np.exp(logphi - lp), -np.exp(logphi - lq))
        W = np.exp(2 * logphi - lp - lq)
        return ll, u, W, np.exp(lp)
    if link == "cloglog":
        e = np.exp(eta)
        lq = -e                        # log(1 - mu)
        lp = np.log(-np.expm1(-e))     # log(mu)
        ll = np.where(y > 0, lp, lq)
        mu = -np.expm1(-e)
        # u = mu' (y - mu) / (mu (1 - mu)) with mu' = e (1 - mu): e (y - mu) / mu
        u = np.where(y > 0, e * np.exp(-e - lp), -e)
        W = np.exp(2 * eta - e - lp)
        return ll, u, W, mu
    raise ValueError(link)  # pragma: no cover - links are checked on entry


def cdf(link: str, eta: np.ndarray) -> np.ndarray:
    """Hazard F(eta)."""
    if link == "logit":
        return expit(eta)
    if link == "probit":
        return ndtr(eta)
    return -np.expm1(-np.exp(eta))


def pdf(link: str, eta: np.ndarray) -> np.ndarray:
    """dF/deta."""
    if link == "logit":
        mu = expit(eta)
        return mu * (1 - mu)
    if link == "probit":
        return np.exp(-0.5 * eta * eta - _LOG_SQRT_2PI)
    return np.exp(eta - np.exp(eta))


def dpdf(link: str, eta: np.ndarray) -> np.ndarray:
    """d^2F/deta^2."""
    if link == "logit":
        mu = expit(eta)
        return mu * (1 - mu) * (1 - 2 * mu)
    if link == "probit":
        return -eta * pdf("probit", eta)
    return pdf("cloglog", eta) * (1 - np.exp(eta))


def null_eta(link: str, ybar: float) -> float:
    """Linear predictor whose hazard is ``ybar`` (starting value for the intercept)."""
    ybar = min(max(ybar, 1e-10), 1 - 1e-10)
    if link == "logit":
        return float(np.log(ybar / (1 - ybar)))
    if link == "probit":
        from scipy.special import ndtri

        return float(ndtri(ybar))
    return float(np.log(-np.log1p(-ybar)))

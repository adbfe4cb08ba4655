"""Firth's penalised logit and King & Zeng's rare-events corrections.

Firth (1993): maximise ``l(b) + 0.5 log det I(b)`` with ``I = X'WX``, solving the
modified score ``X'(w(y - p) + h (1/2 - p)) = 0`` (``h`` the hat diagonal of
``W^1/2 X I^-1 X' W^1/2``) by Fisher-scoring steps with step halving on the penalised
log-likelihood, as R's logistf does. Estimates stay finite under separation.

King & Zeng (2001): ``b~ = b^ - (X'WX)^-1 X'W xi`` with
``xi_i = 0.5 Q_ii (2 p_i - 1)``, ``Q = X (X'WX)^-1 X'``; variance times
``(n/(n+k))^2``; prior correction of the intercept for case-control samples,
``b0 - ln[((1 - tau)/tau) (ybar/(1 - ybar))]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate._glm import Engine, solve_info
from policydiffusion.estimate._links import null_eta
from policydiffusion.estimate._separation import collect_design

__all__ = ["fit_firth", "king_zeng", "penalized_loglik"]


@dataclass
class FirthOutcome:
    beta: np.ndarray
    inv_info: np.ndarray
    loglik: float
    penalized_loglik: float
    converged: bool
    n_iter: int
    n: int
    n_dropped: int
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None


def penalized_loglik(beta: np.ndarray, X: np.ndarray, y: np.ndarray,
                     w: np.ndarray | None = None) -> tuple[float, float]:
    """(log-likelihood, penalised log-likelihood) of a logit at ``beta``."""
    eta = X @ beta
    ww = np.ones_like(y) if w is None else w
    ll = float(ww @ (y * eta - np.logaddexp(0.0, eta)))
    p = expit(eta)
    info = X.T @ (X * (ww * p * (1 - p))[:, None])
    sign, logdet = np.linalg.slogdet(info)
    return ll, ll + 0.5 * logdet if sign > 0 else -np.inf


def fit_firth(engine: Engine, *, max_iter: int = 100, tol: float = 1e-10) -> FirthOutcome:
    """Firth-penalised logit on the (in-memory) complete-case design of ``engine``."""
    X, y, w = collect_design(engine)
    n_dropped = sum(p.n_dropped for p in engine.prepared())
    names = engine.design.term_names
    ww = np.ones_like(y) if w is None else w
    beta = np.zeros(X.shape[1])
    if "Intercept" in names:
        beta[names.index("Intercept")] = null_eta("logit", engine.ybar)
    _, pen = penalized_loglik(beta, X, y, w)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        p = expit(X @ beta)
        W = ww * p * (1 - p)
        inv = solve_info(X.T @ (X * W[:, None]), names)
        h = W * np.einsum("ij,jk,ik->i", X, inv, X)
        score = X.T @ (ww * (y - p) + h * (0.5 - p))
        step = inv @ score
        if np.max(np.abs(step)) <= tol * max(1.0, np.max(np.abs(beta))) and \
                np.max(np.abs(score)) <= 1e-8 * max(1.0, float(ww.sum())) ** 0.5:
            beta = beta + step
            converged = True
            break
        for _ in range(40):  # step halving on the penalised log-likelihood
            _, new_pen = penalized_loglik(beta + step, X, y, w)
            if np.isfinite(new_pen) and new_pen >= pen - 1e-12 * abs(pen):
                break
            step = step / 2
        beta, pen = beta + step, new_pen
    ll, pen = penalized_loglik(beta, X, y, w)
    p = expit(X @ beta)
    inv = solve_info(X.T @ (X * (ww * p * (1 - p))[:, None]), names)
    return FirthOutcome(beta, inv, ll, pen, converged, it, X.shape[0], n_dropped, X, y, w)


def king_zeng(engine: Engine, beta: np.ndarray, inv_info: np.ndarray) -> np.ndarray:
    """King-Zeng bias of the logit MLE, one pass over the chunks."""
    acc = np.zeros(len(beta))
    B = engine.solver.block_rows
    for prep in engine.prepared():
        for a in range(0, prep.n, B):
            b = min(a + B, prep.n)
            X = engine.design.block(prep, a, b)
            p = expit(X @ beta)
            W = p * (1 - p)
            if prep.w is not None:
                W = W * prep.w[a:b]
            Q = np.einsum("ij,jk,ik->i", X, inv_info, X)
            xi = 0.5 * Q * (2 * p - 1)
            acc += X.T @ (W * xi)
    return inv_info @ acc


def prior_correction(tau: float, ybar: float) -> float:
    """Amount subtracted from the intercept for a case-control sample."""
    if not 0 < tau < 1:
        raise InvalidOptionError(f"rare_events tau must be in (0, 1); got {tau!r}.")
    return float(np.log(((1 - tau) / tau) * (ybar / (1 - ybar))))

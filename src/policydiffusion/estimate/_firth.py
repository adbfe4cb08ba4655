"""Firth's penalised logit and King & Zeng's rare-events corrections.

Firth (1993): maximise ``l(b) + 0.5 log det I(b)`` with ``I = X'WX``, solving the
modified score ``X'(w(y - p) + h (1/2 - p)) = 0`` (``h`` the hat diagonal of
``W^1/2 X I^-1 X' W^1/2``) by Fisher-scoring steps with step halving on the penalised
log-likelihood, as R's logistf does. Estimates stay finite under separation.
:func:`penalized_newton` also fits with some coefficients held fixed while the
penalty stays that of the full model (logistf's profile and test fits).

King & Zeng (2001): ``b~ = b^ - (X'WX)^-1 X'W xi`` with
``xi_i = 0.5 Q_ii ((1 + w_1) p_i - w_1)``, ``Q = X (X'WX)^-1 X'`` and ``W`` including
the case weights (``w_1 = 1`` unless the weighting correction for case-control
samples is used, ``w_1 = tau / ybar``, ``w_0 = (1 - tau)/(1 - ybar)``); variance times
``(n/(n+k))^2``; prior correction of the intercept for case-control samples,
``b0 - ln[((1 - tau)/tau) (ybar/(1 - ybar))]``; probability correction
``Pr(y = 1 | x0) ~ p~ + (0.5 - p~) p~ (1 - p~) x0 V x0'``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
from scipy.special import expit

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate._glm import Engine, solve_info
from policydiffusion.estimate._links import null_eta
from policydiffusion.estimate._separation import collect_design
from policydiffusion.estimate._vcov import MeatPlan, VcovSpec

__all__ = ["fit_firth", "king_zeng", "penalized_loglik", "penalized_newton",
           "prior_correction", "class_weights", "kz_probability_correction",
           "modified_score_sums"]

_MAX_STEP = 5.0  # largest change of one coefficient per iteration (logistf's maxstep)


@dataclass
class FirthOutcome:
    beta: np.ndarray
    inv_info: np.ndarray
    loglik: float
    penalized_loglik: float
    converged: bool
    n_iter: int
    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None


def penalized_loglik(beta: np.ndarray, X: np.ndarray, y: np.ndarray,
                     w: np.ndarray | None = None) -> tuple[float, float]:
    """(log-likelihood, penalised log-likelihood) of a logit at ``beta``."""
    eta = X @ beta
    ww = np.ones_like(y, dtype=float) if w is None else w
    ll = float(ww @ (y * eta - np.logaddexp(0.0, eta)))
    p = expit(eta)
    info = X.T @ (X * (ww * p * (1 - p))[:, None])
    sign, logdet = np.linalg.slogdet(info)
    return ll, ll + 0.5 * logdet if sign > 0 else -np.inf


def _inverse(info: np.ndarray) -> np.ndarray | None:
    try:
        inv = sla.cho_solve(sla.cho_factor(info), np.eye(info.shape[0]))
    except (np.linalg.LinAlgError, ValueError):
        return None
    return (inv + inv.T) / 2 if np.isfinite(inv).all() else None


def penalized_newton(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, beta: np.ndarray,
                     *, free: np.ndarray | None = None, max_iter: int = 100,
                     tol: float = 1e-10) -> tuple[np.ndarray, float, bool, int]:
    """Maximise the penalised log-likelihood over the ``free`` coefficients.

    The others stay at their values in ``beta``; the penalty is always that of the
    full design (``0.5 log det X'WX`` over all columns), as in logistf's profile
    likelihood and penalised likelihood-ratio tests. Returns ``(beta, penalised
    loglik, converged, iterations)``.
    """
    ww = np.ones_like(y, dtype=float) if w is None else w
    free = np.ones(X.shape[1], dtype=bool) if free is None else free
    beta = np.asarray(beta, dtype=float).copy()
    _, pen = penalized_loglik(beta, X, y, w)
    for it in range(1, max_iter + 1):
        p = expit(X @ beta)
        W = ww * p * (1 - p)
        info = X.T @ (X * W[:, None])
        inv = _inverse(info)
        if inv is None:
            return beta, -np.inf, False, it
        h = W * np.einsum("ij,jk,ik->i", X, inv, X)
        score = X.T @ (ww * (y - p) + h * (0.5 - p))
        sub = _inverse(info[np.ix_(free, free)])
        if sub is None:
            return beta, -np.inf, False, it
        step = np.zeros_like(beta)
        step[free] = sub @ score[free]
        big = float(np.max(np.abs(step), initial=0.0))
        if big <= tol * max(1.0, float(np.max(np.abs(beta)))):
            beta = beta + step
            return beta, penalized_loglik(beta, X, y, w)[1], True, it
        if big > _MAX_STEP:
            step *= _MAX_STEP / big
        for _ in range(40):  # step halving on the penalised log-likelihood
            _, new_pen = penalized_loglik(beta + step, X, y, w)
            if np.isfinite(new_pen) and new_pen >= pen - 1e-12 * abs(pen):
                break
            step = step / 2
        beta, pen = beta + step, new_pen
    return beta, pen, False, max_iter


def fit_firth(engine: Engine, *, max_iter: int = 100, tol: float = 1e-10) -> FirthOutcome:
    """Firth-penalised logit on the (in-memory) complete-case design of ``engine``."""
    X, y, w = collect_design(engine)
    names = engine.design.term_names
    ww = np.ones_like(y, dtype=float) if w is None else w
    beta = np.zeros(X.shape[1])
    if "Intercept" in names:
        beta[names.index("Intercept")] = null_eta("logit", engine.ybar)
    solve_info(X.T @ (X * (ww * 0.25)[:, None]), names)  # names collinear terms up front
    beta, _, converged, it = penalized_newton(X, y, w, beta, max_iter=max_iter, tol=tol)
    ll, pen = penalized_loglik(beta, X, y, w)
    p = expit(X @ beta)
    inv = solve_info(X.T @ (X * (ww * p * (1 - p))[:, None]), names)
    return FirthOutcome(beta, inv, ll, pen, converged, it, X, y, w)


def modified_score_sums(engine: Engine, beta: np.ndarray, spec: VcovSpec, *,
                        inv_info: np.ndarray) -> tuple[np.ndarray, MeatPlan]:
    """Row and cluster cross-products of Firth's modified-score terms at ``beta``.

    The terms ``x_i (w_i (y_i - p_i) + h_i (1/2 - p_i))`` are those of the equation a
    Firth fit solves, so at its estimates their cluster sums vanish in the direction
    of a term nested in the clusters, as the likelihood score's do for maximum
    likelihood; :func:`~policydiffusion.estimate._vcov.nested_terms` reads them. (The
    likelihood score's sums there are minus the penalty's share, ``-sum h (1/2 - p)
    x``: not sampling variation.) ``inv_info``: the inverse of ``X'WX`` at ``beta``,
    which a Firth fit already has (:attr:`FirthOutcome.inv_info`), so one pass over the
    chunks, for the hat diagonal ``h`` and the terms. Returns the HC0-style
    cross-product of the rows and the plan holding the cluster sums.
    """
    k = len(beta)
    B = engine.solver.block_rows
    meat_hc, plan = np.zeros((k, k)), engine.meat_plan(spec, k)
    for prep in engine.prepared():
        for a in range(0, prep.n, B):
            b = min(a + B, prep.n)
            X = engine.design.block(prep, a, b)
            p = expit(X @ beta)
            w = np.ones(b - a) if prep.w is None else prep.w[a:b]
            h = w * p * (1 - p) * np.einsum("ij,jk,ik->i", X, inv_info, X)
            S = X * (w * (prep.y[a:b] - p) + h * (0.5 - p))[:, None]
            meat_hc += S.T @ S
            plan.add([prep.codes[c][a:b] for c in spec.columns], S)
    return meat_hc, plan


def king_zeng(engine: Engine, beta: np.ndarray, inv_info: np.ndarray, *,
              w1: float = 1.0) -> np.ndarray:
    """King-Zeng bias of the logit MLE, one pass over the chunks.

    ``w1`` is the weight on events (``tau / ybar`` under the weighting correction;
    1 otherwise); the case weights, if any, are those the engine applies.
    """
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
            xi = 0.5 * Q * ((1 + w1) * p - w1)
            acc += X.T @ (W * xi)
    return inv_info @ acc


def _check_tau(tau: float) -> None:
    if not isinstance(tau, (int, float, np.floating)) or not 0 < tau < 1:
        raise InvalidOptionError(f"rare_events tau must be in (0, 1); got {tau!r}.")


def prior_correction(tau: float, ybar: float) -> float:
    """Amount subtracted from the intercept for a case-control sample."""
    _check_tau(tau)
    return float(np.log(((1 - tau) / tau) * (ybar / (1 - ybar))))


def class_weights(tau: float, ybar: float) -> tuple[float, float]:
    """King-Zeng weights ``(w_0, w_1) = ((1 - tau)/(1 - ybar), tau/ybar)``."""
    _check_tau(tau)
    if not 0 < ybar < 1:
        raise InvalidOptionError(
            f"the weighting correction needs both events and non-events; the sample event "
            f"share is {ybar!r}.")
    return (1 - tau) / (1 - ybar), tau / ybar


def kz_probability_correction(X: np.ndarray, p: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """``C_i = (0.5 - p_i) p_i (1 - p_i) x_i V x_i'`` (King & Zeng 2001, eq. 17)."""
    q = np.einsum("ij,jk,ik->i", X, cov, X)
    return (0.5 - p) * p * (1 - p) * q

"""The curve-fitting likelihood, exact in its tails, for many parameter vectors at once.

**The likelihood.** In period ``t`` each of the ``r_t`` units at risk adopts with the
model's conditional probability (hazard) ``h_t = [F(t) - F(t-1)] / [1 - F(t-1)]``; with
``n_t`` adopters and ``m_t = r_t - n_t`` non-adopters the period contributes
``n_t log h_t + m_t log(1 - h_t) = n_t log D_t + m_t log S_t - r_t log S_{t-1}``
(``D_t = F(t) - F(t-1)``, ``S_t = 1 - F(t)``). Each family writes ``log D`` and ``log S``
in log space (:attr:`CurveModel.log_parts`; e.g. the logistic's ``sigma(x1) - sigma(x0)
= sigma(x1) sigma(-x0) (1 - e^-r)``, the modified exponential's ``log D = log K - a(t-1)
+ log(1 - e^-a)``), so no difference of two numbers near 0 or near 1 is taken: the
terms keep their digits (checked against 500-digit arithmetic to 3e-15 relative) down
to hazards of ``e^-700`` and beyond. Nothing is clipped. Up to commit 5b3d68b the hazard was
clipped to ``[1e-15, 1 - 1e-15]``, which made the likelihood flat (``log 1e-15 = -34.5``
per adoption) where the model gave an observed adoption a smaller probability, and
optimisers stopped on that plateau at points that are no maxima of the model's
likelihood (SPID bangag logistic: -99.80 clipped, -120.18 unclipped, against the
model's optimum -103.21). An adoption the model gives exactly probability 0 (or units
at risk the model has all adopted already) makes the term ``-inf``: such points are
rejected by every line search.

The batch: SLSQP asks for ``k + 1`` separate likelihood evaluations per iteration
through several layers of scipy wrappers. Here the likelihood takes a batch of
parameter vectors (one row each) and the gradient is the very same forward difference
scipy computes (same steps, same bound handling, same arithmetic), done in one batched
evaluation. The batched Newton optimiser (``curves/_newton.py``) uses the same terms
(:func:`period_loglik`).
"""

from __future__ import annotations

import numpy as np

from policydiffusion.curves._models import CurveModel

__all__ = ["NegLogLik", "period_loglik"]

#: scipy's default absolute finite-difference step for SLSQP (and its fallback step).
_EPS = float(np.sqrt(np.finfo(np.float64).eps))


def period_loglik(model: CurveModel, t: np.ndarray, new: np.ndarray, rest: np.ndarray,
                  cols: list[np.ndarray], *, parts: tuple | None = None) -> np.ndarray:
    """Each period's log-likelihood term ``n log h + m log(1 - h)`` (``n`` adopters,
    ``m = rest`` non-adopters, hazard ``h = D / S0``), as ``n log D + m log S1 - (n + m)
    log S0`` from the family's :attr:`CurveModel.log_parts` (``D = F(t) - F(t-1)``,
    ``S = 1 - F``), never clipped: an adoption the model gives probability 1e-24
    counts ``log 1e-24``; one it gives exactly 0 (or a period whose units the model
    has all adopted already) makes the term ``-inf``.

    ``cols`` are the parameters, each broadcasting against ``t``; ``parts``, the
    family's ``log_parts`` already computed at them, replaces them.

    Examples
    --------
    >>> from policydiffusion.curves._models import MODELS
    >>> t, n, m = np.array([1.0, 2.0]), np.array([1.0, 0.0]), np.array([3.0, 3.0])
    >>> period_loglik(MODELS["exponential"], t, n, m, [np.array(0.5), np.array(60.0)]).round(4).tolist()
    [-2.7726, 0.0]
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_d, log_s0, log_s1 = parts if parts is not None else model.log_parts(t, *cols)
        terms = new * log_d + rest * log_s1 - (new + rest) * log_s0
        bad = ~(terms < np.inf)  # nan or +inf (a term is a log-probability: <= 0)
        if bad.any():  # 0 adopters (or non-adopters) times log 0 is 0; S0 = 0 is impossible
            terms = (np.where(new > 0, new * log_d, 0.0) + np.where(rest > 0, rest * log_s1, 0.0)
                     - (new + rest) * log_s0)
            terms = np.where(np.isnan(terms) | (log_s0 == -np.inf), -np.inf, terms)
    return terms


class NegLogLik:
    """Negative log-likelihood of a curve model on per-period adoption counts.

    In period ``t`` each of the ``at_risk`` units adopts with the model's conditional
    probability ``[F(t) - F(t-1)] / [1 - F(t-1)]``; periods nobody is at risk in
    are left out.

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> f = NegLogLik(MODELS["exponential"], t=np.array([1.0, 2.0]),
    ...               at_risk=np.array([4.0, 3.0]), new=np.array([1.0, 2.0]))
    >>> f.batch(np.array([[1.0, 0.5], [0.5, 0.5]])).round(4).tolist()
    [4.7983, 6.2576]
    """

    def __init__(self, model: CurveModel, *, t: np.ndarray, at_risk: np.ndarray, new: np.ndarray) -> None:
        self.model = model
        keep = at_risk > 0
        t = np.asarray(t, float)
        self._t = t[keep][None, :]
        self._new = new[keep]
        self._rest = at_risk[keep] - new[keep]
        self._lower = np.array(model.lower, float)
        self._upper = np.array(model.upper, float)

    def batch(self, thetas: np.ndarray) -> np.ndarray:
        """The negative log-likelihood of each row of ``thetas`` (shape ``(B, k)``)."""
        cols = [thetas[:, i:i + 1] for i in range(thetas.shape[1])]
        terms = period_loglik(self.model, self._t, self._new, self._rest, cols)
        return -np.sum(terms, axis=1)

    def __call__(self, theta: np.ndarray) -> float:
        return float(self.batch(np.asarray(theta, float)[None, :])[0])

    def grad(self, theta: np.ndarray) -> np.ndarray:
        """Forward-difference gradient exactly as scipy's SLSQP computes it by default
        (``approx_derivative(method="2-point", abs_step=sqrt(eps))`` with the steps
        turned or shortened at the bounds), from one batched evaluation."""
        x = np.asarray(theta, float)
        k = x.size
        sign = (x >= 0).astype(float) * 2 - 1
        h = np.where(((x + _EPS) - x) == 0, _EPS * sign * np.maximum(1.0, np.abs(x)), _EPS)
        lower, upper = x - self._lower, self._upper - x
        step = x + h
        violated = (step < self._lower) | (step > self._upper)
        fits = np.abs(h) <= np.maximum(lower, upper)
        h[violated & fits] *= -1
        forward = (upper >= lower) & ~fits
        h[forward] = upper[forward]
        backward = (upper < lower) & ~fits
        h[backward] = -lower[backward]
        pts = np.repeat(x[None, :], k + 1, axis=0)
        idx = np.arange(k)
        pts[idx + 1, idx] = x + h
        f = self.batch(pts)
        return (f[1:] - f[0]) / ((x + h) - x)

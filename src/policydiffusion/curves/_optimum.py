"""Curve likelihoods without a finite optimum, or too few periods to identify a family:
detected from the data, with their supremum.

**Too few periods** (``"too_few_periods"``, status ``"not_identified"``). The
per-period likelihood depends on a family's parameters only through the hazards of
the ``P`` periods with units at risk; a family with more parameters than that (``k >
P``) maps them onto at most ``P`` hazards, so its information matrix is singular at
every point and no parameter value is preferred to the others along a
``(k - P)``-dimensional set: the fit is decided before any optimiser runs, with no
estimates. (With ``k == P`` the fit is just identified: it reproduces every
period's hazard where the family can, and is fitted.) The supremum is then the
saturated log-likelihood, each period at its observed hazard, when the family comes
arbitrarily close to any hazards: with one period at risk (a step inside it of the
observed height) and, for the three-parameter families, with two consecutive ones (a
step split over them, see below). Otherwise it is not given (NaN). This takes
precedence over the steps below: with ``k > P`` the data identify no parameter,
whether or not the supremum is reached.

Three situations make a family's maximum-likelihood estimate not exist; reporting
wherever an optimiser stopped would show a number chosen by rounding noise, so the
fit says so instead (``CurveFit.status == "no_finite_optimum"``):

* **All adoptions in one period** (``"one_period"``). With ``n`` of the ``r`` units at
  risk adopting in period ``t*`` and nobody in any other period, the per-period
  likelihood is at most the saturated one, hazard ``n / r`` in ``t*`` and 0 elsewhere.
  A curve with a finite parameter vector rises strictly in every period, so its
  hazard is positive in the periods without adoptions and below 1 in ``t*``: the
  bound is reached only in the limit of a step of height ``K = n / r`` inside period
  ``t*`` (logistic ``r -> inf``, Gompertz ``c -> inf``, Bass ``p + q -> inf``). This
  needs another period with units at risk or ``n = r``; the modified exponential
  (``F(0) = 0``, a step only at ``t = 0``) reaches it only when ``t*`` is the first
  period (``a -> inf``). The supremum is the saturated log-likelihood; ``K`` is
  identified (``n / r``), the other parameters are not.
* **All adoptions in two consecutive periods** (``"two_periods"``; logistic, Gompertz,
  Bass). With hazards ``a = n1 / r1`` in period ``j`` and ``b = n2 / r2`` in ``j + 1``
  and none elsewhere, the saturated likelihood is again the bound. The three-parameter
  families reach it in the limit of a step *split* over the two periods: logistic
  ``r -> inf`` with ``r (j - t0) = c`` fixed (Gompertz ``c -> inf``, ``b = exp(c tau)``,
  ``c (j - tau)`` fixed; Bass ``p + q -> inf`` with ``q / p = exp((p + q) t0)``, the same
  logistic step) gives ``F(t) -> 0`` before ``j``, ``F(j) -> K s`` and ``F(t) -> K`` after,
  i.e. hazards ``K s``, ``K (1 - s) / (1 - K s)``, 0: ``a`` and ``b`` with ``K = 1 - (1 -
  a)(1 - b)`` and ``s = a / K`` (inside (0, 1) when ``0 < a < 1`` and ``b > 0``). At
  finite parameters every hazard lies strictly inside (0, 1), so the bound is not
  reached when another period has units at risk or ``b = 1`` (otherwise two hazards
  and three parameters: a flat, finite optimum, fitted). The modified exponential steps
  only at ``t = 0`` and so cannot split a step: it is fitted. ``K`` is identified, the
  other parameters are not.
* **A constant-hazard ridge** (``"ridge"``). As ``t0 -> -inf`` with ``1 - K`` shrinking
  like ``exp(r t0)`` the logistic's survival ``1 - F(t)`` becomes ``(1 - K') +
  K' exp(-r t)``: the modified exponential with rate ``r``; the Gompertz curve does
  the same as ``b -> 0``, ``K -> 1`` (rate ``c``). When Newton's optimum fails its
  check, lies on that ridge (inflection before the window) and its log-likelihood is
  within ``RIDGE_BELOW`` below the exponential fit's and no more than
  ``RIDGE_ABOVE`` above it (both relative to ``max(1, |LL|)``), the likelihood rises
  toward the exponential, unless it falls coming in from the limit: with
  ``e = exp(r t0)`` (logistic) or ``b`` (Gompertz) the survival is ``(1 - K) + K e
  exp(-a t) - O(e^2) exp(-2 a t)``, so the family at ``e = RIDGE_STEP`` with ``K``
  matched to the exponential's ceiling ``K'`` (``K = K' / (K' + e (1 - K'))``, same
  rate) differs from the limit by the profile derivative times ``e``; if its
  log-likelihood is above the limit's there is a higher point at finite parameters
  and the fit is left to the multistart optimiser. Otherwise the supremum is the
  exponential's log-likelihood, the rate is identified (the exponential's ``a``),
  ``K`` and ``t0`` / ``b`` are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import xlogy

from policydiffusion.curves._models import CurveModel

__all__ = ["NoOptimum", "REASONS", "RIDGE_ABOVE", "RIDGE_BELOW", "not_identified", "one_period_limit",
           "ridge_limit", "two_period_limit"]

#: How far (relative to max(1, |LL|)) Newton's unchecked point may lie below the
#: exponential limit and still be on the way to it; the largest gap on the 728 SPID
#: policies is 1.2e-5.
RIDGE_BELOW = 1e-4
#: How far above the limit counts as rounding noise; a family above it by more may
#: have a finite optimum of its own (then it is fitted by multistart).
RIDGE_ABOVE = 1e-9
#: How far in from the limit the family is evaluated (see the module docstring).
RIDGE_STEP = 1e-5

#: Reason codes and their English wording.
REASONS = {
    "one_period": "no finite optimum: all adoptions in one period (the curve tends to a step)",
    "two_periods": "no finite optimum: all adoptions in two consecutive periods (the curve tends to a "
                   "step between them)",
    "ridge": "no finite optimum: the likelihood rises toward the modified exponential",
    # {n} {periods} / {shares}, {k} and {failed} are filled in by CurveFit.note
    "too_few_periods": "not identified: {n} {periods} at risk cannot identify {k} parameters",
    "too_few_shares": "not identified: {n} observed {shares} cannot identify {k} parameters and the "
                      "residual variance",
    "check_failed": "not converged: the best point found fails the optimum check ({failed})",
}

#: Family -> index of the rate the ridge limit identifies.
_RIDGE_RATE = {"logistic": 1, "gompertz": 2}


@dataclass(frozen=True)
class NoOptimum:
    """Why a family is not fitted: reason code, the supremum of the log-likelihood
    (NaN where not known), the limit values of the identified parameters (NaN for the
    rest) and the fit's status (``"no_finite_optimum"`` or ``"not_identified"``)."""

    reason: str
    loglik: float
    estimate: np.ndarray
    status: str = "no_finite_optimum"


def _saturated(r: np.ndarray, n: np.ndarray) -> float:
    """Log-likelihood with every period at its observed hazard ``n / r``."""
    h = n / r
    return float(np.sum(xlogy(n, h) + xlogy(r - n, 1 - h)))


def not_identified(model: CurveModel, t: np.ndarray, at_risk: np.ndarray,
                   new: np.ndarray) -> NoOptimum | None:
    """The fit when fewer periods have units at risk than the family has parameters
    (see the module docstring): no estimates, the saturated log-likelihood as the
    supremum where the family is known to come arbitrarily close to it (one period
    at risk; two consecutive ones with hazard below 1 in the first), else NaN; None
    when the family is identified.

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> t, r, n = np.array([1.0, 2.0]), np.array([50.0, 47.0]), np.array([3.0, 2.0])
    >>> lim = not_identified(MODELS["bass"], t, r, n)
    >>> lim.status, lim.reason, round(lim.loglik, 4), lim.estimate.tolist()
    ('not_identified', 'too_few_periods', -19.6192, [nan, nan, nan])
    >>> not_identified(MODELS["exponential"], t, r, n) is None  # two periods, two parameters
    True
    """
    keep = at_risk > 0
    t, r, n = np.asarray(t, float)[keep], np.asarray(at_risk, float)[keep], np.asarray(new, float)[keep]
    k = len(model.params)
    if t.size >= k:
        return None
    # one period: a step inside it; two consecutive: a step split over them
    close = t.size == 1 or (t.size == 2 and t[1] == t[0] + 1 and n[0] < r[0])
    return NoOptimum("too_few_periods", _saturated(r, n) if close else np.nan, np.full(k, np.nan),
                     "not_identified")


def one_period_limit(model: CurveModel, t: np.ndarray, at_risk: np.ndarray,
                     new: np.ndarray) -> NoOptimum | None:
    """The saturated limit when every adoption falls in one period and the family
    cannot reach it with finite parameters (see the module docstring); else None.

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> lim = one_period_limit(MODELS["logistic"], np.array([1.0, 2.0, 3.0]),
    ...                        np.array([10.0, 6.0, 6.0]), np.array([4.0, 0.0, 0.0]))
    >>> lim.reason, round(lim.loglik, 4), lim.estimate.tolist()
    ('one_period', -6.7301, [0.4, nan, nan])
    """
    keep = at_risk > 0
    t, r, n = np.asarray(t, float)[keep], np.asarray(at_risk, float)[keep], np.asarray(new, float)[keep]
    hit = np.nonzero(n > 0)[0]
    if hit.size != 1:
        return None
    j = int(hit[0])
    h = n[j] / r[j]
    if keep.sum() == 1 and h < 1:
        return None  # one period, hazard inside (0, 1): reached at finite parameters
    if model.name == "exponential" and t[j] != 1:
        return None  # F(0) = 0: its step can only be in the first period
    est = np.full(len(model.params), np.nan)
    est[0] = h  # the step's height, the ceiling K
    return NoOptimum("one_period", float(xlogy(n[j], h) + xlogy(r[j] - n[j], 1 - h)), est)


def two_period_limit(model: CurveModel, t: np.ndarray, at_risk: np.ndarray,
                     new: np.ndarray) -> NoOptimum | None:
    """The saturated limit when every adoption falls in two consecutive periods and a
    three-parameter family reaches it only as a step split over them (see the module
    docstring); else None.

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> t, r, n = np.array([1.0, 2.0, 3.0]), np.array([50.0, 29.0, 28.0]), np.array([21.0, 1.0, 0.0])
    >>> lim = two_period_limit(MODELS["logistic"], t, r, n)
    >>> lim.reason, round(lim.loglik, 4), lim.estimate.round(4).tolist()
    ('two_periods', -38.3645, [0.44, nan, nan])
    >>> two_period_limit(MODELS["exponential"], t, r, n) is None
    True
    """
    if model.name == "exponential":
        return None
    keep = at_risk > 0
    t, r, n = np.asarray(t, float)[keep], np.asarray(at_risk, float)[keep], np.asarray(new, float)[keep]
    hit = np.nonzero(n > 0)[0]
    if hit.size != 2 or t[hit[1]] != t[hit[0]] + 1:
        return None
    (a, b), (j1, j2) = n[hit] / r[hit], hit
    if a >= 1:
        return None  # a step of full height in the first period: b cannot follow it
    if keep.sum() == 2 and b < 1:
        return None  # two hazards, three parameters: reached at finite parameters
    est = np.full(len(model.params), np.nan)
    est[0] = 1 - (1 - a) * (1 - b)  # the split step's height, the ceiling K
    ll = sum(float(xlogy(n[j], h) + xlogy(r[j] - n[j], 1 - h)) for j, h in ((j1, a), (j2, b)))
    return NoOptimum("two_periods", ll, est)


def ridge_limit(model: CurveModel, x: np.ndarray, loglik: float, exp_x: np.ndarray,
                exp_loglik: float, negll: Callable[[np.ndarray], float]) -> NoOptimum | None:
    """The exponential limit when an unchecked logistic/Gompertz point ``x`` (with
    ``loglik``) lies on the constant-hazard ridge and the exponential fit (``exp_x``,
    ``exp_loglik``) is its supremum (see the module docstring); else None.
    ``negll`` is the family's negative log-likelihood on the same data.

    Examples
    --------
    >>> import numpy as np
    >>> from policydiffusion.curves._models import MODELS
    >>> lim = ridge_limit(MODELS["logistic"], np.array([0.9999, 0.2, -40.0]), -50.00001,
    ...                   np.array([0.7, 0.2]), -50.0, lambda th: 50.0 + abs(1 - th[0]))
    >>> lim.reason, lim.loglik, lim.estimate.tolist()
    ('ridge', -50.0, [nan, 0.2, nan])
    """
    if model.name not in _RIDGE_RATE:
        return None
    if model.name == "logistic":
        before = x[2] < 0  # inflection t0 before the window
    else:
        before = x[1] < 1  # inflection log(b) / c before the window
    scale = max(1.0, abs(exp_loglik))
    gap = loglik - exp_loglik
    if not (before and -RIDGE_BELOW * scale <= gap <= RIDGE_ABOVE * scale):
        return None
    k, a, e = exp_x[0], exp_x[1], RIDGE_STEP
    ceiling = k / (k + e * (1 - k))
    near = np.array([ceiling, a, np.log(e) / a] if model.name == "logistic" else [ceiling, e, a])
    if -negll(near) - exp_loglik > 1e-11 * scale:
        return None  # the likelihood falls toward the limit: a finite optimum lies inside
    est = np.full(len(model.params), np.nan)
    est[_RIDGE_RATE[model.name]] = exp_x[1]
    return NoOptimum("ridge", float(exp_loglik), est)

"""Inference for Firth logit: profile penalised likelihood, penalised LR tests, FLIC.

Following Heinze & Schemper (2002) and R's logistf (``pl=TRUE``, its default):

- the 95% interval for ``b_j`` is the set of values with
  ``2 (l*(b^) - max_{b_-j} l*(b_j, b_-j)) <= chi2_1(0.95)``, where ``l*`` is the
  penalised log-likelihood and the penalty stays that of the full model;
- the p-value of ``b_j`` is the penalised likelihood-ratio test
  ``2 (l*(b^) - max l*(b_j = 0)) ~ chi2_1``, again with the full model's penalty
  (so it differs from comparing two separately penalised fits); a set of
  coefficients is tested the same way (logistf's ``anova(..., method="nested")``);
- FLIC (Puhr, Heinze, Nold, Lusa & Geroldinger 2017): keep the Firth slopes and
  re-estimate the intercept by maximum likelihood with the slopes' linear predictor
  as an offset, so the average predicted probability equals the observed event
  share. Its variance is ``(X'WX)^-1`` at the FLIC probabilities and its interval
  and test are Wald (as logistf's ``flic``).

Each limit is a root of the profile, found by Brent's method on a bracket that
starts at the Wald limit and widens until the profile falls below the threshold;
each profile point is a constrained Firth fit started from the nearest point already
solved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit
from scipy.stats import chi2, norm

from policydiffusion._warnings import warn
from policydiffusion.errors import ConvergenceWarning, InvalidOptionError
from policydiffusion.estimate._firth import penalized_newton
from policydiffusion.estimate._glm import solve_info

__all__ = ["FirthInference", "PenalizedLRTest", "profile_table", "penalized_lr", "flic_intercept",
           "PROFILE_LABEL", "FIRTH_INFERENCE"]

FIRTH_INFERENCE = ("profile", "wald")
PROFILE_LABEL = ("penalised likelihood ratio tests (statistic: chi-squared, 1 df) and profile "
                 "penalised-likelihood {level} CIs (Heinze & Schemper 2002)")
_FAR = 40  # doublings of the bracket before a limit is declared infinite


@dataclass(frozen=True, eq=False)
class FirthInference:
    """What a Firth result keeps for penalised-likelihood inference.

    ``beta`` and ``penalized_loglik`` are those of the Firth fit (FLIC keeps its
    slopes); ``wald_terms`` are reported by Wald even under profile inference (the
    FLIC intercept). Tables are memoised by confidence level. ``inv_info``: the
    inverse of ``X'WX`` at ``beta``, for the check of terms nested in the clusters.
    """

    method: str
    beta: np.ndarray
    penalized_loglik: float
    wald_terms: tuple[str, ...] = ()
    tol: float = 1e-10
    _tables: dict = field(default_factory=dict, repr=False)
    inv_info: np.ndarray = field(kw_only=True, repr=False)

    def table(self, X: np.ndarray | None, y, w, names: Sequence[str], se: np.ndarray,
              conf_level: float) -> pd.DataFrame:
        """Profile CIs and penalised LR tests (memoised; ``X`` needed on first use)."""
        key = round(float(conf_level), 12)
        if key not in self._tables:
            if X is None:
                raise ValueError("the design is needed to compute a new profile table")
            self._tables[key] = profile_table(X, y, w, self.beta, self.penalized_loglik,
                                              names, se, conf_level=conf_level, tol=self.tol)
        return self._tables[key]

    def has_table(self, conf_level: float) -> bool:
        return round(float(conf_level), 12) in self._tables

    def with_wald(self, terms: Sequence[str]) -> "FirthInference":
        """A copy reporting ``terms`` by Wald (sharing the memoised tables)."""
        return FirthInference(self.method, self.beta, self.penalized_loglik,
                              tuple(terms), self.tol, self._tables, inv_info=self.inv_info)


@dataclass(frozen=True)
class PenalizedLRTest:
    """Penalised likelihood-ratio test that ``terms`` are zero in a Firth fit."""

    terms: tuple[str, ...]
    statistic: float
    df: int
    p_value: float
    penalized_loglik_restricted: float
    penalized_loglik_full: float

    def __str__(self) -> str:
        return (f"Penalised LR chi2({self.df}) = {self.statistic:.4f}, p = {self.p_value:.4g} "
                f"for {', '.join(self.terms)} = 0 (full model's penalty)")


def penalized_lr(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, beta: np.ndarray,
                 pen_max: float, fixed: Sequence[int], *, tol: float = 1e-10
                 ) -> tuple[float, float, bool]:
    """``(statistic, restricted penalised loglik, converged)`` for ``b[fixed] = 0``."""
    free = np.ones(len(beta), dtype=bool)
    free[list(fixed)] = False
    start = np.asarray(beta, dtype=float).copy()
    start[list(fixed)] = 0.0
    _, pen0, ok, _ = penalized_newton(X, y, w, start, free=free, tol=tol, max_iter=200)
    return max(0.0, 2 * (pen_max - pen0)), float(pen0), ok


def _profile_limit(X, y, w, beta, pen_max, j, q, width, side, tol) -> tuple[float, bool]:
    """One profile limit of coefficient ``j`` (``side`` -1 lower, +1 upper)."""
    target = pen_max - q / 2
    free = np.ones(len(beta), dtype=bool)
    free[j] = False
    solved = [(float(beta[j]), np.asarray(beta, dtype=float))]
    flags = []

    def f(b: float) -> float:
        start = min(solved, key=lambda t: abs(t[0] - b))[1].copy()
        start[j] = b
        bb, pen, ok, _ = penalized_newton(X, y, w, start, free=free, tol=tol, max_iter=200)
        if not np.isfinite(pen):
            return -1e10
        solved.append((b, bb))
        flags.append(ok)
        return pen - target

    inner, step = float(beta[j]), width
    for _ in range(_FAR):
        outer = float(beta[j]) + side * step
        if f(outer) < 0:
            break
        inner, step = outer, 2 * step
    else:
        return side * np.inf, all(flags)
    root = brentq(f, inner, outer, xtol=tol, rtol=1e-12, maxiter=200)
    return float(root), all(flags)


def profile_table(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, beta: np.ndarray,
                  pen_max: float, names: Sequence[str], se: np.ndarray, *,
                  conf_level: float = 0.95, tol: float = 1e-10) -> pd.DataFrame:
    """Per term: PLR ``statistic`` and ``p_value``, profile ``conf_low`` / ``conf_high``."""
    if not 0 < conf_level < 1:
        raise InvalidOptionError(f"conf_level must be in (0, 1); got {conf_level!r}.")
    q = float(chi2.ppf(conf_level, 1))
    rows, bad, open_ = [], [], []
    for j, name in enumerate(names):
        stat, _, ok = penalized_lr(X, y, w, beta, pen_max, [j], tol=tol)
        width = max(float(np.sqrt(q)) * float(se[j]), 1e-3) if np.isfinite(se[j]) else 1.0
        lo, ok_lo = _profile_limit(X, y, w, beta, pen_max, j, q, width, -1, tol)
        hi, ok_hi = _profile_limit(X, y, w, beta, pen_max, j, q, width, 1, tol)
        if not (ok and ok_lo and ok_hi):
            bad.append(name)
        if not (np.isfinite(lo) and np.isfinite(hi)):
            open_.append(name)
        rows.append((stat, float(chi2.sf(stat, 1)), lo, hi))
    if bad:
        warn(ConvergenceWarning(
            f"some constrained Firth fits for profile intervals or penalised LR tests did "
            f"not converge ({bad}); their intervals and p-values may be inaccurate.",
            terms=tuple(bad), tolerance=tol))
    if open_:
        warn(ConvergenceWarning(
            f"the profile penalised likelihood of {open_} does not fall below the "
            f"{conf_level:.0%} threshold on one side: that confidence limit is infinite.",
            terms=tuple(open_), conf_level=conf_level))
    return pd.DataFrame(rows, index=list(names),
                        columns=["statistic", "p_value", "conf_low", "conf_high"])


def wald_chi2_rows(est: np.ndarray, se: np.ndarray, conf_level: float) -> pd.DataFrame:
    """Wald rows in the profile table's shape (statistic = z^2, chi-squared 1 df)."""
    z = norm.ppf(0.5 + conf_level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = (est / se) ** 2
    return pd.DataFrame({"statistic": stat, "p_value": chi2.sf(stat, 1),
                         "conf_low": est - z * se, "conf_high": est + z * se})


def flic_intercept(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, beta: np.ndarray,
                   i0: int, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """FLIC coefficients (ML intercept, Firth slopes) and ``(X'WX)^-1`` at them."""
    ww = np.ones_like(y, dtype=float) if w is None else w
    offset = X @ beta - beta[i0] * X[:, i0]
    b0 = float(beta[i0])
    for _ in range(100):  # Newton for the intercept of a logit with an offset
        p = expit(b0 + offset)
        step = float(ww @ (y - p)) / float(ww @ (p * (1 - p)))
        b0 += step
        if abs(step) <= 1e-13 * max(1.0, abs(b0)):
            break
    out = np.asarray(beta, dtype=float).copy()
    out[i0] = b0
    p = expit(X @ out)
    return out, solve_info(X.T @ (X * (ww * p * (1 - p))[:, None]), names)

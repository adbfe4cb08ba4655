"""The Vuong-style test NetworkInference uses to decide when to stop adding edges.

After edge k + 1 is added, with ``s_c(k)`` cascade c's tree log-likelihood with k edges
and n cascades, ``D_c = s_c(k + 1) - 1/n - s_c(k)`` (one log-likelihood unit of penalty
per edge, spread over the cascades), ``z = sum(D) / (sd(D) sqrt(n))`` and
``p = 1 - Phi(z)``.

``method="package"`` reproduces NetworkInference 1.2.5 to the last digit, including:

* ``Phi`` is the Abramowitz & Stegun 7.1.26 approximation (absolute error < 1.5e-7);
* the penalty ``1 / float(n)`` is computed in single precision;
* an aliasing bug: ``x2 = x2 - 1/n`` inside the C++ test writes through to the caller's
  tree scores (Rcpp vectors share memory), so every cascade's stored score drifts down
  by 1/n per edge until that cascade's tree changes again. A cascade whose tree changes
  at step k + 1 thus enters ``D_c`` with ``m/n`` too much, m the number of steps since
  its tree last changed. The p-values are not those of the test it describes (on SPID,
  exponential model, package node order, the 0.05 rule keeps 686 edges instead of 684;
  p-values of the first 684 edges differ by up to 0.0035).

``method="corrected"`` uses the exact tree scores and the exact normal distribution.
Where every cascade gains the same (``sd(D)`` is 0, or rounding noise next to the gains:
e.g. each cascade the edge touches gains log(beta / epsilon)), z has no variance and the
corrected p-value is NaN, not the 0 or 1 its limit would print; the package's 0 is kept
under ``method="package"``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

__all__ = ["normal_cdf_as", "VuongState", "UNDEFINED_P"]

PVALUE_METHODS = ("package", "corrected")
#: sd(D) at or below this share of the largest |D_c| is rounding noise: the test is undefined
_SD_NOISE = 1e-10
#: why a corrected p-value is NaN (summaries and JSON say it)
UNDEFINED_P = ("every cascade gained the same (the standard deviation of the per-cascade "
               "gains is 0), so the Vuong z has no variance and no p-value")


def normal_cdf_as(x: float) -> float:
    """Standard normal CDF by Abramowitz & Stegun 7.1.26, as in the package's C++ code.

    Examples
    --------
    >>> round(normal_cdf_as(1.96), 6)
    0.975002
    """
    a1, a2, a3, a4, a5, p = (0.254829592, -0.284496736, 1.421413741, -1.453152027,
                             1.061405429, 0.3275911)
    sign = -1 if x < 0 else 1
    x = math.fabs(x) / math.sqrt(2.0)
    t = 1.0 / (1.0 + p * x)
    y = 1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * math.exp(-x * x)
    return 0.5 * (1.0 + sign * y)


def _sd(x: np.ndarray) -> float:
    n = len(x)
    if n < 2:
        return math.nan
    m = math.fsum(x.tolist()) / n
    return math.sqrt(math.fsum(((x - m) ** 2).tolist()) / (n - 1))


def _seqsum(x: np.ndarray) -> float:
    s = 0.0
    for v in x.tolist():
        s += v
    return s


class VuongState:
    """Per-cascade tree scores carried along the greedy path, and the test after each edge."""

    def __init__(self, tree_scores: np.ndarray, method: str) -> None:
        self.method = method
        self.scores = np.array(tree_scores, dtype=float)  # as the package stores them
        self.n = len(self.scores)
        if method == "package":
            self.penalty = float(np.float32(1) / np.float32(self.n))
            self.root_n = float(np.sqrt(np.float32(self.n)))
        else:
            self.penalty = 1.0 / self.n
            self.root_n = math.sqrt(self.n)

    def step(self, cascades: np.ndarray, new_scores: np.ndarray) -> float:
        """Record the new tree scores of the cascades whose tree changed; return p."""
        old = self.scores.copy()
        self.scores[cascades] = new_scores
        if self.method == "package":
            self.scores -= self.penalty          # the aliasing bug: written back
            liks = self.scores - old
        else:
            liks = (self.scores - self.penalty) - old
        sd = _sd(liks)
        total = _seqsum(liks) if self.method == "package" else math.fsum(liks.tolist())
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = float(np.float64(total) / np.float64(sd * self.root_n))
        if self.method == "package":
            return 1 - normal_cdf_as(stat) if not math.isnan(stat) else math.nan
        scale = float(np.max(np.abs(liks))) if self.n else 0.0
        if not sd > _SD_NOISE * max(scale, 1.0):
            return math.nan  # a degenerate variance is not evidence (UNDEFINED_P)
        return float(ndtr(-stat))

"""Bass's (1969) ordinary-least-squares estimator of the Bass diffusion model.

New adopters ``S_t`` are regressed on the adopters so far ``Y_{t-1}`` and its
square: ``S_t = a + b Y_{t-1} + c Y_{t-1}^2``. The discrete Bass model
``S_t = (p + q Y_{t-1} / m)(m - Y_{t-1})`` gives ``a = p m``, ``b = q - p`` and
``c = -q / m``, so ``m = (-b - sqrt(b^2 - 4ac)) / (2c)``, ``p = a / m`` and
``q = -m c``; their standard errors come from the OLS covariance by the delta
method.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion._warnings import warn
from policydiffusion.curves._fit import _TIDY, _f, _fit_data
from policydiffusion.errors import CurveFitWarning, InvalidOptionError

__all__ = ["BassOLSFit", "bass_ols", "fit_bass_ols"]

_COEF = ("a", "b", "c")
_BASS = ("m", "p", "q")


@dataclass(frozen=True)
class BassOLSFit:
    """Bass's OLS regression and the Bass parameters derived from it.

    ``coef`` / ``cov`` are the regression's ``(a, b, c)`` and their classical OLS
    covariance (``sigma^2 (X'X)^-1``, ``sigma^2 = RSS / (n - 3)``). ``bass`` and
    ``bass_cov`` are ``(m, p, q)`` and their delta-method covariance; they are NaN
    when the regression implies no Bass curve, and ``reason`` then says why
    (``c >= 0``, a negative discriminant or ``m <= 0``).
    """

    policy: str
    coef: np.ndarray
    cov: np.ndarray
    bass: np.ndarray
    bass_cov: np.ndarray
    reason: str | None
    n_obs: int
    start: int
    rss: float
    r_squared: float
    provenance: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """Whether ``(m, p, q)`` could be derived (``reason`` is None)."""
        return self.reason is None

    @property
    def m(self) -> float:
        """Market size: the number of eventual adopters."""
        return float(self.bass[0])

    @property
    def p(self) -> float:
        """Coefficient of innovation (external influence)."""
        return float(self.bass[1])

    @property
    def q(self) -> float:
        """Coefficient of imitation (internal influence)."""
        return float(self.bass[2])

    @property
    def std_error(self) -> dict[str, float]:
        """Standard errors of ``a, b, c, m, p, q`` by name."""
        se = np.sqrt(np.concatenate([np.diag(self.cov), np.diag(self.bass_cov)]))
        return dict(zip(_COEF + _BASS, map(float, se)))

    def tidy(self, level: float = 0.95) -> pd.DataFrame:
        """``a, b, c`` and ``m, p, q`` with t statistics on ``n - 3`` degrees of freedom."""
        from scipy import stats  # 0.3 s to import: not on describe's path

        df = max(self.n_obs - 3, 1)
        crit = stats.t.ppf(0.5 + level / 2, df)
        est = np.concatenate([self.coef, self.bass])
        se = np.array(list(self.std_error.values()))
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = np.where(se > 0, est / se, np.nan)
        return pd.DataFrame({
            "term": _COEF + _BASS, "estimate": est, "std_error": se, "statistic": stat,
            "p_value": 2 * stats.t.sf(np.abs(stat), df),
            "conf_low": est - crit * se, "conf_high": est + crit * se,
        })[_TIDY]

    def summary(self) -> str:
        """A short text summary: the Bass parameters, or why there are none."""
        head = f"Bass OLS for {self.policy}: {self.n_obs} periods, R^2 {self.r_squared:.3f}"
        if not self.valid:
            return f"{head}\n  no Bass parameters: {self.reason}"
        se = self.std_error
        rows = [f"  {k} = {v:.6g} (SE {se[k]:.3g})" for k, v in zip(_BASS, self.bass)]
        return "\n".join([head, *rows])

    def to_dict(self) -> dict:
        """Plain-Python summary (NaN becomes None)."""
        se = self.std_error
        return {"policy": self.policy, "method": "ols", "n_obs": self.n_obs, "start": self.start,
                "reason": self.reason, "r_squared": _f(self.r_squared),
                "params": {k: _f(v) for k, v in zip(_COEF + _BASS, np.r_[self.coef, self.bass])},
                "std_errors": {k: _f(v) for k, v in se.items()}}


def bass_params(a: float, b: float, c: float) -> tuple[np.ndarray, np.ndarray, str | None]:
    """``(m, p, q)``, their Jacobian with respect to ``(a, b, c)`` and a reason if undefined.

    Examples
    --------
    >>> est, jac, reason = bass_params(20.0, 0.38, -0.0004)   # m = 1000, p = 0.02, q = 0.4
    >>> [round(float(v), 6) for v in est], reason
    ([1000.0, 0.02, 0.4], None)
    """
    est, jac, _, reason = _bass_curve(a, b, c)
    return est, jac, reason


def _bass_curve(a: float, b: float, c: float
                ) -> tuple[np.ndarray, np.ndarray, str | None, str | None]:
    """:func:`bass_params` with the reason's code (``c_nonnegative``, ``no_root``,
    ``m_nonpositive``; the warnings' ``reason`` field): the one place that decides."""
    nan, nan_jac = np.full(3, np.nan), np.full((3, 3), np.nan)
    if not c < 0:
        return nan, nan_jac, "c_nonnegative", (
            f"the coefficient on Y_(t-1)^2 is c = {c:.4g} >= 0, so the curve has no imitation "
            "ceiling (Bass requires c = -q/m < 0)")
    disc = b * b - 4 * a * c
    if disc < 0:
        return nan, nan_jac, "no_root", (
            f"the discriminant b^2 - 4ac = {disc:.4g} is negative, so S = a + bY + cY^2 never "
            "returns to zero and no market size m exists")
    s = math.sqrt(disc)
    m = (-b - s) / (2 * c)
    if not m > 0:
        return nan, nan_jac, "m_nonpositive", \
            f"the implied market size m = {m:.4g} is not positive"
    dm = np.array([1 / s, (-1 - b / s) / (2 * c), a / (s * c) - m / c]) if s > 0 else np.full(3, np.nan)
    dp = np.array([1 / m, 0.0, 0.0]) - a / m ** 2 * dm
    dq = -c * dm - np.array([0.0, 0.0, m])
    return np.array([m, a / m, -m * c]), np.vstack([dm, dp, dq]), None, None


def bass_ols(new_adopters: Sequence[float] | np.ndarray, *, start: int = 1,
             policy: str = "") -> BassOLSFit:
    """Bass's OLS fit to per-period counts of new adopters.

    Parameters
    ----------
    new_adopters
        New adopters ``S_1, S_2, ...`` in consecutive periods from the first period
        of the diffusion (``Y_0 = 0``); counts or expected counts.
    start
        Calendar period of ``S_1`` (recorded only).
    policy
        Label recorded on the result.

    Returns
    -------
    BassOLSFit
        With NaN ``m, p, q`` (and a :class:`~policydiffusion.errors.CurveFitWarning`) when the
        regression implies no Bass curve; ``reason`` says why.

    Raises
    ------
    InvalidOptionError
        With fewer than 4 periods, negative or non-finite counts, or no adopters.

    Notes
    -----
    Bass (1969), "A new product growth model for consumer durables", Management
    Science 15(5). The regression is ``S_t = a + b Y_{t-1} + c Y_{t-1}^2`` with
    ``Y_{t-1} = S_1 + ... + S_{t-1}``; ``m = (-b - sqrt(b^2 - 4ac)) / (2c)``,
    ``p = a/m``, ``q = -m c``. Standard errors: ``J V J'`` with ``V`` the OLS
    covariance and ``J`` the analytic Jacobian of ``(m, p, q)`` in ``(a, b, c)``.

    Examples
    --------
    >>> S, Y = [], 0.0                 # the discrete Bass model, m = 1000, p = .02, q = .4
    >>> for _ in range(15):
    ...     S.append((0.02 + 0.4 * Y / 1000) * (1000 - Y)); Y += S[-1]
    >>> fit = bass_ols(S)
    >>> round(fit.m, 6), round(fit.p, 6), round(fit.q, 6)
    (1000.0, 0.02, 0.4)
    """
    S = np.asarray(new_adopters, float).ravel()
    if S.size < 4:
        raise InvalidOptionError(f"Bass's OLS needs at least 4 periods (3 coefficients and a "
                                 f"residual degree of freedom); got {S.size}.")
    if not np.all(np.isfinite(S)) or np.any(S < 0):
        raise InvalidOptionError("new-adopter counts must be finite and non-negative.")
    if S.sum() == 0:
        raise InvalidOptionError(f"{policy or 'the series'!r} has no adopters; nothing to fit.")
    Y = np.cumsum(S) - S
    X = np.column_stack([np.ones_like(Y), Y, Y * Y])
    coef, *_ = np.linalg.lstsq(X, S, rcond=None)
    resid = S - X @ coef
    n = S.size
    rss = float(resid @ resid)
    tss = float(((S - S.mean()) ** 2).sum())
    try:
        cov = rss / (n - 3) * np.linalg.inv(X.T @ X)
    except np.linalg.LinAlgError:
        raise InvalidOptionError("Y_(t-1) takes fewer than 3 distinct values, so a, b and c are "
                                 "not identified; the series needs more periods with adoptions.") from None
    est, jac, code, reason = _bass_curve(*map(float, coef))
    if reason is not None:
        warn(CurveFitWarning(f"Bass OLS for {policy or 'the series'}: {reason}; m, p and q "
                             "are NaN.", policy=policy or "", method="bass_ols", reason=code,
                             detail=reason))
    import policydiffusion

    prov = {"policydiffusion": getattr(policydiffusion, "__version__", "?"), "method": "ols",
            "model": "S_t = a + b Y_(t-1) + c Y_(t-1)^2", "vcov": "classical OLS, delta method",
            "time_origin": "t = 1 in the policy's first period"}
    return BassOLSFit(policy, coef, cov, est, jac @ cov @ jac.T, reason, n, int(start), rss,
                      1 - rss / tss if tss > 0 else float("nan"), prov)


def fit_bass_ols(study: object, policy: str | Sequence[str] | None = None, *,
                 units: int | Sequence[str] | None = None) -> BassOLSFit:
    """Bass's OLS estimator for one policy's adoptions (or several, pooled).

    A third way to fit the Bass model besides ``fit_curves(..., method="mle")`` and
    ``method="nls"``: the market size ``m`` is estimated, not fixed at the number
    of units.

    Parameters
    ----------
    study
        A Study, or an adoptions table (``policy``, ``unit``, ``period``) with ``units``.
    policy
        One policy id; a list (or ``None`` with several policies) pools the counts on
        time since each policy's first period, as :func:`fit_curves` does.
    units
        For a plain table only: all unit ids or their number.

    Returns
    -------
    BassOLSFit
        See :func:`bass_ols`; the periods are those of :func:`adoption_curve`.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": "p", "unit": list("ABCDEFGHIJ"),
    ...                   "period": [1, 2, 2, 3, 3, 3, 4, 4, 5, 6]})
    >>> fit = fit_bass_ols(a, units=12)
    >>> fit.n_obs, fit.valid, round(fit.m, 2)
    (6, True, 9.69)
    """
    name, d = _fit_data(study, policy, units)
    return bass_ols(d.new, start=d.start, policy=name)

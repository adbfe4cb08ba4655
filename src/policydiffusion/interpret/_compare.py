"""Model comparison: likelihood-ratio tests (AIC and BIC live on the results)."""

from __future__ import annotations

from dataclasses import dataclass

from scipy.stats import chi2

from policydiffusion.errors import InvalidOptionError

__all__ = ["lr_test", "LRTest"]


@dataclass(frozen=True)
class LRTest:
    """Likelihood-ratio test of a restricted model against a fuller one."""

    statistic: float
    df: int
    p_value: float
    loglik_restricted: float
    loglik_full: float

    def __str__(self) -> str:
        return (f"LR chi2({self.df}) = {self.statistic:.4f}, p = {self.p_value:.4g} "
                f"(loglik {self.loglik_restricted:.4f} vs {self.loglik_full:.4f})")


def lr_test(restricted, full) -> LRTest:
    """LR = 2 (loglik_full - loglik_restricted), chi-squared with the difference in k.

    Both models must be fit on the same rows and the restricted model's terms must be
    a subset of the full model's (checked).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=500), "z": rng.normal(size=500)})
    >>> df["y"] = (rng.random(500) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    >>> t = lr_test(fit_hazard(df, "y ~ z"), fit_hazard(df, "y ~ x + z"))
    >>> t.df, t.p_value < 0.001
    (1, True)
    """
    if restricted.nobs != full.nobs:
        raise InvalidOptionError(
            f"the models were fit on different rows ({restricted.nobs} vs {full.nobs}); an "
            "LR test needs the same sample (drop rows with missing values first).")
    extra = set(restricted.params.index) - set(full.params.index)
    if extra:
        raise InvalidOptionError(f"models are not nested: {sorted(extra)} only in the first.")
    if getattr(restricted, "estimator", "ml") != "ml" or getattr(full, "estimator", "ml") != "ml":
        raise InvalidOptionError("LR tests here compare maximum-likelihood fits; for Firth "
                                 "fits use penalised likelihood-ratio tests.")
    df = len(full.params) - len(restricted.params)
    if df < 1:
        raise InvalidOptionError("the full model must have more coefficients.")
    stat = max(0.0, 2 * (full.loglik - restricted.loglik))
    return LRTest(stat, df, float(chi2.sf(stat, df)), restricted.loglik, full.loglik)

"""Model comparison: likelihood-ratio tests (AIC and BIC live on the results)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate._estimable import not_estimable_terms

__all__ = ["lr_test", "LRTest"]


@dataclass(frozen=True)
class LRTest:
    """Likelihood-ratio test of a restricted model against a fuller one."""

    statistic: float
    df: int
    p_value: float
    loglik_restricted: float
    loglik_full: float
    penalized: bool = False  # Firth fits: penalised log-likelihoods, full model's penalty
    not_tested: str | None = None
    """Why no test was made (a fit did not converge or is separated); statistic and
    p-value are then NaN."""

    def __str__(self) -> str:
        if self.not_tested:
            return f"LR test not computed ({self.not_tested})"
        kind = "Penalised LR" if self.penalized else "LR"
        what = "penalised loglik" if self.penalized else "loglik"
        return (f"{kind} chi2({self.df}) = {self.statistic:.4f}, p = {self.p_value:.4g} "
                f"({what} {self.loglik_restricted:.4f} vs {self.loglik_full:.4f})")


def lr_test(restricted, full) -> LRTest:
    """LR = 2 (loglik_full - loglik_restricted), chi-squared with the difference in k.

    Both models must be fit on the same rows and the restricted model's terms must be
    a subset of the full model's (checked: the same number of rows, and the same rows,
    compared on the values of the columns both fits use, in any order; this reads each
    fit's data once more). A fit with terms that are not estimable
    (no convergence, separation) has no maximised likelihood to compare: the test is
    then not computed (NaN, ``not_tested`` says which fit and why), as the regression
    tables show no log-likelihood for it. For two Firth fits the test is the
    penalised LR test of logistf's ``anova(..., method="nested")``: the full model is
    refit with the extra terms fixed at zero, keeping the full model's penalty
    (separately penalised fits are not comparable); ``penalized`` is then True.

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
    for what in ("link", "weights"):  # else the two likelihoods are of different models
        a, b = getattr(restricted, what, None), getattr(full, what, None)
        if a != b:
            raise InvalidOptionError(
                f"the models differ in {what} ({a!r} vs {b!r}); an LR test compares nested "
                f"models with the same {what}.")
    extra = set(restricted.params.index) - set(full.params.index)
    if extra:
        raise InvalidOptionError(f"models are not nested: {sorted(extra)} only in the first.")
    kinds = (getattr(restricted, "estimator", "ml"), getattr(full, "estimator", "ml"))
    df = len(full.params) - len(restricted.params)
    if df < 1:
        raise InvalidOptionError("the full model must have more coefficients.")
    if kinds not in (("ml", "ml"), ("firth", "firth")):
        raise InvalidOptionError(
            f"LR tests compare two maximum-likelihood fits or two Firth fits (penalised LR); "
            f"got {kinds[0]!r} and {kinds[1]!r}.")
    _check_same_rows(restricted, full)
    bad = [f"{which} model: {not_estimable_terms(fit)}"
           for which, fit in (("restricted", restricted), ("full", full))
           if not_estimable_terms(fit)]
    if bad:  # the likelihood where the iterations stopped, not a maximum
        lls = [float("nan") if getattr(f, "not_estimable", None) else f.loglik
               for f in (restricted, full)]
        return LRTest(float("nan"), df, float("nan"), *lls,
                      penalized=kinds == ("firth", "firth"),
                      not_tested="not estimable in the " + "; in the ".join(bad))
    if kinds == ("firth", "firth"):
        extra_terms = [t for t in full.params.index if t not in set(restricted.params.index)]
        t = full.penalized_lr_test(extra_terms)
        return LRTest(t.statistic, t.df, t.p_value, t.penalized_loglik_restricted,
                      t.penalized_loglik_full, penalized=True)
    stat = float(np.maximum(0.0, 2 * (full.loglik - restricted.loglik)))  # NaN stays NaN
    return LRTest(stat, df, float(chi2.sf(stat, df)), restricted.loglik, full.loglik)


def _row_hashes(engine, columns: list[str]) -> np.ndarray:
    """Sorted 64-bit hashes of ``columns`` over the rows of a fit's estimation sample,
    read chunk by chunk as the fit read them (no copy of the data is kept)."""
    design, codes = engine.pass_design, engine.code_levels
    out = [np.zeros(0, dtype=np.uint64)]
    for chunk in engine.source.chunks(list(dict.fromkeys([*engine.sample_columns, *columns])),
                                      chunk_rows=engine.chunk_rows,
                                      encode={**design.levels, **codes}):
        keep = design.prepare(chunk, weights=engine.weights, clusters=codes, need_y=True,
                              keep_rows=True).keep
        rows = chunk[columns].iloc[np.flatnonzero(keep)]
        out.append(pd.util.hash_pandas_object(rows, index=False).to_numpy())
    return np.sort(np.concatenate(out))


def _check_same_rows(restricted, full) -> None:
    """Refuse two fits of the same size on different rows.

    The restricted model's likelihood depends on its rows only through the values of its
    columns, so the rows are compared on the columns both fits use (response, variables,
    weights, clusters and absorbed effects that they share). Fits that keep no data source
    (nothing to read) are compared on their row counts only."""
    engines = [getattr(fit, "_engine", None) for fit in (restricted, full)]
    if any(e is None or getattr(e, "source", None) is None for e in engines):
        return
    in_full = set(engines[1].sample_columns)
    shared = [c for c in engines[0].sample_columns if c in in_full]
    a, b = (_row_hashes(e, shared) for e in engines)
    if np.array_equal(a, b):
        return
    ua, ca = np.unique(a, return_counts=True)
    ub, cb = np.unique(b, return_counts=True)
    _, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    differ = len(a) - int(np.minimum(ca[ia], cb[ib]).sum())
    raise InvalidOptionError(
        f"the models were fit on different rows of the same number ({len(a)}): {differ} of "
        f"the restricted model's rows are not among the full model's, compared on "
        f"{', '.join(map(repr, shared))}; an LR test needs the same sample (fit both models "
        "on the same data, dropping rows with missing values first).")

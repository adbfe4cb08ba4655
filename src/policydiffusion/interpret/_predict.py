"""Out-of-time prediction: fit on early periods, score later ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from policydiffusion._warnings import warn
from policydiffusion.errors import ExclusionWarning, InvalidOptionError
from policydiffusion.estimate import HazardResult, fit_hazard
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._design import parse_formula
from policydiffusion.estimate._hazard import fit_columns
from policydiffusion.estimate._estimable import not_estimable_terms

__all__ = ["out_of_time", "OutOfTimeResult", "roc_auc", "average_precision"]


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties count one half)."""
    y = np.asarray(y, dtype=bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(p)
    return float((r[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the precision-recall curve as average precision (sklearn's definition)."""
    y = np.asarray(y, dtype=float)
    if y.sum() == 0:
        return float("nan")
    order = np.argsort(-p, kind="mergesort")
    ps, ys = p[order], y[order]
    last = np.r_[np.nonzero(np.diff(ps))[0], len(ps) - 1]   # ends of tied-score groups
    tp = np.cumsum(ys)[last]
    precision = tp / (last + 1)
    recall = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


@dataclass(frozen=True)
class OutOfTimeResult:
    """A model fit on periods <= ``split`` and its scores on later periods."""

    result: HazardResult
    split: Any
    n_train: int
    n_test: int
    events_test: int
    auc: float
    pr_auc: float
    brier: float
    excluded: Mapping[str, int] = field(default_factory=dict)
    """Later rows not scored, counted by reason (a missing value, a level the training
    periods do not have)."""
    not_scored: str | None = None
    """Why no scores were computed (the training fit has terms that are not estimable:
    separation, no convergence); ``auc``, ``pr_auc`` and ``brier`` are then NaN."""

    def tidy(self) -> pd.DataFrame:
        """The scores as a one-row DataFrame (``n_excluded``: later rows not scored;
        ``not_scored``: why there are no scores, if there are none)."""
        return pd.DataFrame([{"split": self.split, "n_train": self.n_train,
                              "n_test": self.n_test, "events_test": self.events_test,
                              "n_excluded": sum(self.excluded.values()),
                              "auc": self.auc, "pr_auc": self.pr_auc, "brier": self.brier,
                              "not_scored": self.not_scored}])


def out_of_time(data: Any, formula: str, *, time: str, split: Any,
                **fit_options: Any) -> OutOfTimeResult:
    """Fit on rows with ``time <= split``; report AUC, PR-AUC and Brier on later rows.

    Later rows that cannot be scored (a missing value in the model's variables, or a
    categorical level the training periods do not have) are counted by reason in
    ``excluded`` and an :class:`~policydiffusion.errors.ExclusionWarning` says so.
    A training fit with terms that are not estimable (separation, no convergence; the
    check of :func:`lr_test`) would predict from where its iterations stopped: it is
    checked before any prediction, no scores are computed (NaN), ``not_scored`` names
    the terms and why, ``n_test`` and ``events_test`` count all rows after the split
    (none scored) and ``excluded`` is empty.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"year": np.repeat(np.arange(2000, 2010), 200),
    ...                    "x": rng.normal(size=2000)})
    >>> df["y"] = (rng.random(2000) < 1 / (1 + np.exp(2 - 1.5 * df.x))).astype(int)
    >>> oot = out_of_time(df, "y ~ x", time="year", split=2006)
    >>> oot.n_test, oot.auc > 0.7
    (600, True)
    """
    response, _ = parse_formula(formula)
    frame = as_source(data).collect(fit_columns(formula, fit_options, time))
    train = frame[frame[time] <= split].reset_index(drop=True)
    test = frame[frame[time] > split].reset_index(drop=True)
    if len(train) == 0 or len(test) == 0:
        raise InvalidOptionError(f"split {split!r} leaves no training or no test rows in "
                                 f"{time!r}.")
    res = fit_hazard(train, formula, **fit_options)
    y = test[response].to_numpy(dtype=float, na_value=np.nan)
    bad = not_estimable_terms(res)
    if bad:  # checked before predicting: no scores, so no rows to count as not scored
        nan = float("nan")
        return OutOfTimeResult(res, split, res.nobs, len(test), int(np.nansum(y)), nan, nan,
                               nan, not_scored=f"training fit not estimable: {bad}")
    p = res.predict(test)
    ok = ~np.isnan(p) & ~np.isnan(y)
    excluded = _unscored(test[list(dict.fromkeys([response, *res.design.variables]))], ok)
    if excluded:
        warn(ExclusionWarning(
            f"out-of-time prediction: {sum(excluded.values())} of {len(test)} rows after "
            f"{split!r} not scored (" + "; ".join(f"{n} {why}" for why, n in excluded.items())
            + ").", count=sum(excluded.values())))
    p, y = p[ok], y[ok]
    return OutOfTimeResult(res, split, res.nobs, int(ok.sum()), int(y.sum()), roc_auc(y, p),
                           average_precision(y, p), float(np.mean((p - y) ** 2)),
                           excluded=excluded)


def _unscored(variables: pd.DataFrame, scored: np.ndarray) -> dict[str, int]:
    """Rows not scored, by reason: a missing value, else a level unseen in training."""
    missing = variables.isna().any(axis=1).to_numpy()
    out = {"with a missing value": int((~scored & missing).sum()),
           "with a level the training periods do not have": int((~scored & ~missing).sum())}
    return {why: n for why, n in out.items() if n}

"""The marginal effect of one variable across the range of a moderator."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import HazardResult
from policydiffusion.interpret._margins import (_kind, _set, delta_table, effect_sums,
                                                sample_frames)

__all__ = ["marginal_effect_across", "is_discrete"]

#: a moderator with whole-number values and at most this many distinct ones is discrete
MAX_DISCRETE_VALUES = 10


def is_discrete(values: np.ndarray, *, max_values: int = MAX_DISCRETE_VALUES) -> bool:
    """True for whole-number values with at most ``max_values`` distinct ones (a dummy,
    a count, an ordinal scale): their effects belong at the observed values, not between.

    Examples
    --------
    >>> is_discrete(np.array([0, 1, 1, 0])), is_discrete(np.array([0.0, 0.5, 1.0]))
    (True, False)
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    return bool(v.size) and bool(np.all(v == np.round(v))) and np.unique(v).size <= max_values


def _check_interaction(res: HazardResult, typed: pd.DataFrame, w: np.ndarray, variable: str,
                       moderator: str, kind: str, lo: float, hi: float) -> None:
    """Refuse a moderator the formula does not interact with ``variable``: the effect on the
    linear predictor would be the same flat line at every moderator value."""
    rows = typed.iloc[:200]
    grads = [effect_sums(res, _set(rows, {moderator: m}, res.design), w[:200], variable, kind,
                         "link")[1] for m in (lo, hi if hi != lo else lo + 1.0)]
    if np.allclose(grads[0], grads[1], rtol=0, atol=1e-9 * (1 + np.abs(grads[0]).max())):
        raise InvalidOptionError(
            f"the model {res.formula!r} has no interaction of {variable!r} with "
            f"{moderator!r}, so the effect of {variable!r} does not vary with {moderator!r} "
            f"(a flat line); add {variable}:{moderator} (or {variable} * {moderator}) to the "
            "formula, or drop this moderation request.")


def marginal_effect_across(res: HazardResult, data: Any = None, *, variable: str,
                           moderator: str, values: Sequence[float] | None = None,
                           n_values: int = 25, scale: str = "link",
                           conf_level: float = 0.95) -> pd.DataFrame:
    """Effect of ``variable`` at each value of ``moderator``, with confidence bands.

    For each moderator value ``m`` the moderator is set to ``m`` for every row and the
    average marginal effect of ``variable`` is computed: on the linear predictor
    (``scale="link"``: with ``x * z`` this is exactly ``b_x + b_xz m``) or on the
    hazard (``scale="response"``: the AME at ``m``). Delta-method SEs use the result's
    covariance. A model whose formula does not interact ``variable`` with ``moderator``
    is refused (its effect would not vary with the moderator on the linear predictor).
    The data are read once; the model's variables of the estimation sample are held
    while the effects are computed.

    Parameters
    ----------
    values
        Moderator values. Default: a discrete moderator (whole numbers, at most 10
        distinct values: a dummy, a count, an ordinal scale) at each of its observed
        values; a continuous one at ``n_values`` points over its observed range
        (smallest to largest value in the estimation sample).

    Returns
    -------
    pandas.DataFrame
        Columns moderator, value, estimate, std_error, statistic, p_value, conf_low,
        conf_high, scale, discrete (True when the values are the moderator's observed
        values of a discrete moderator: show points, not a line).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({"income": rng.normal(size=900), "ideology": rng.normal(size=900)})
    >>> eta = -1 + df.income * df.ideology
    >>> df["adopt"] = (rng.random(900) < 1 / (1 + np.exp(-eta))).astype(int)
    >>> res = fit_hazard(df, "adopt ~ income * ideology")
    >>> me = marginal_effect_across(res, variable="income", moderator="ideology",
    ...                             values=[0.0, 1.0])
    >>> b = res.params
    >>> bool(np.isclose(me.estimate[1], b["income"] + b["income:ideology"]))
    True
    """
    if scale not in ("response", "link"):
        raise InvalidOptionError(f"scale must be 'response' or 'link'; got {scale!r}.")
    # one read of the data: the kind of the variable, the moderator's values and range and
    # the sums all need the sample, and re-reading a Parquet file costs more than holding
    # the model's variables
    frames = list(sample_frames(res, data))
    kind = _kind(res, variable, data, frames=frames)
    if kind == "categorical":
        raise InvalidOptionError(
            f"{variable!r} is categorical; use average_marginal_effects(..., at=) for "
            "contrasts at moderator values.")
    if moderator in res.design.levels:
        raise InvalidOptionError(f"moderator {moderator!r} must be numeric.")
    if moderator not in res.design.variables:
        raise InvalidOptionError(
            f"{moderator!r} is not a variable of the model {res.formula!r}; "
            f"its variables are {list(res.design.variables)}.")
    mod = np.concatenate([t[moderator].to_numpy() for t, _ in frames])
    discrete = values is None and is_discrete(mod)
    if values is None:
        values = (np.unique(mod) if discrete
                  else np.linspace(float(mod.min()), float(mod.max()), n_values))
    values = [float(v) for v in values]
    first, w0 = frames[0]
    _check_interaction(res, first, w0, variable, moderator, kind, float(mod.min()),
                       float(mod.max()))
    totals, sums, wsum = [0.0] * len(values), [np.zeros(res.k) for _ in values], 0.0
    for typed, w in frames:  # every value's sums
        for i, m in enumerate(values):
            s, g = effect_sums(res, _set(typed, {moderator: m}, res.design), w, variable, kind,
                               scale)
            totals[i], sums[i] = totals[i] + s, sums[i] + g
        wsum = wsum + w.sum()
    ests = [total / wsum for total in totals]
    grads = [grad / wsum for grad in sums]
    out = delta_table(res, [str(i) for i in range(len(values))], ests, grads,
                      conf_level=conf_level).drop(columns=["term"])
    out.insert(0, "value", values)
    out.insert(0, "moderator", moderator)
    out["scale"] = scale
    out["discrete"] = discrete
    return out

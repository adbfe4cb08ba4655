"""The marginal effect of one variable across the range of a moderator."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import HazardResult
from policydiffusion.interpret._margins import (_kind, _set, delta_table, effect_sums,
                                                sample_frames)

__all__ = ["marginal_effect_across"]


def marginal_effect_across(res: HazardResult, data: Any = None, *, variable: str,
                           moderator: str, values: Sequence[float] | None = None,
                           n_values: int = 25, scale: str = "link",
                           conf_level: float = 0.95) -> pd.DataFrame:
    """Effect of ``variable`` at each value of ``moderator``, with confidence bands.

    For each moderator value ``m`` the moderator is set to ``m`` for every row and the
    average marginal effect of ``variable`` is computed: on the linear predictor
    (``scale="link"``: with ``x * z`` this is exactly ``b_x + b_xz m``) or on the
    hazard (``scale="response"``: the AME at ``m``). Delta-method SEs use the result's
    covariance.

    Parameters
    ----------
    values
        Moderator values; default ``n_values`` points from its 5th to 95th percentile.

    Returns
    -------
    pandas.DataFrame
        Columns moderator, value, estimate, std_error, statistic, p_value, conf_low,
        conf_high, scale.

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
    kind = _kind(res, variable, data)
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
    if values is None:
        mod = np.concatenate([t[moderator].to_numpy() for t, _ in sample_frames(res, data)])
        values = np.linspace(np.quantile(mod, 0.05), np.quantile(mod, 0.95), n_values)
    values = [float(v) for v in values]
    totals, sums, wsum = [0.0] * len(values), [np.zeros(res.k) for _ in values], 0.0
    for typed, w in sample_frames(res, data):  # one pass: every value's sums
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
    return out

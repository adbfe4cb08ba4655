"""Cumulative adoption, new adoptions and the discrete hazard per period."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion.curves._data import PolicyTimes, as_study, policy_list, policy_times_many

__all__ = ["adoption_curve", "pooled_adoption_curve"]

_COLUMNS = ["policy", "period", "t", "n_existing", "at_risk", "new", "cumulative",
            "cumulative_share", "adopter_share", "hazard"]


def adoption_curve(study: object, policy: str | Sequence[str] | None = None, *,
                   units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Cumulative adopters, new adoptions and the discrete hazard of each period.

    Parameters
    ----------
    study
        A :class:`~policydiffusion.study.Study`, or a table with columns ``policy``,
        ``unit``, ``period`` (then pass ``units``).
    policy
        One policy id, a list of ids, or ``None`` for every policy (stacked).
    units
        For a plain table only: all unit ids or their number.

    Returns
    -------
    pandas.DataFrame
        One row per policy and period of the policy's axis (its opening period if
        given, else its first adoption, through its end): ``t`` (1 in the first
        period), ``n_existing`` (units that exist in the period), ``at_risk``
        (existing and not adopted before the period), ``new``, ``cumulative``
        (adopters so far), ``cumulative_share`` (adopters so far that still exist /
        units existing), ``adopter_share`` (cumulative / eventual adopters) and
        ``hazard`` = new / at_risk (NaN when nobody is at risk).

    Notes
    -----
    Units that enter late join the denominators in their entry period; units that
    exit leave them after their exit period. Non-adopters are censored at the
    policy's end (its ``end`` if given, else the study end).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "period": [1, 2, 2]})
    >>> adoption_curve(a, units=4)[["period", "at_risk", "new", "cumulative_share", "hazard"]]
       period  at_risk  new  cumulative_share    hazard
    0       1        4    1              0.25  0.250000
    1       2        3    2              0.75  0.666667
    """
    st = as_study(study, units=units)
    return curve_frame([curve_columns(pt) for pt in policy_times_many(st, policy_list(st, policy))])


def curve_columns(pt: PolicyTimes) -> dict[str, np.ndarray]:
    """One policy's :func:`adoption_curve` as arrays (the ``policy`` column a scalar).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves._data import policy_times
    >>> s = as_study(pd.DataFrame({"policy": "p", "unit": ["A", "B"], "period": [1, 3]}), units=4)
    >>> curve_columns(policy_times(s, "p"))["cumulative"].tolist()
    [1, 1, 2]
    """
    c = pt.counts()
    n_adopt = max(pt.n_adopters, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "policy": pt.policy,
            "period": c["period"],
            "t": c["period"] - pt.start + 1,
            "n_existing": c["n_existing"],
            "at_risk": c["at_risk"],
            "new": c["new"],
            "cumulative": c["cumulative"],
            "cumulative_share": np.where(c["n_existing"] > 0,
                                         c["cumulative_existing"] / c["n_existing"], np.nan),
            "adopter_share": c["cumulative"] / n_adopt,
            "hazard": np.where(c["at_risk"] > 0, c["new"] / c["at_risk"], np.nan),
        }


def curve_frame(parts: Sequence[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Stack :func:`curve_columns` results into one frame (one construction, not one
    per policy).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves._data import policy_times_many
    >>> s = as_study(pd.DataFrame({"policy": ["p", "q"], "unit": ["A", "B"], "period": [1, 2]}), units=2)
    >>> curve_frame([curve_columns(pt) for pt in policy_times_many(s, ["p", "q"])])["policy"].tolist()
    ['p', 'p', 'q']
    """
    if not parts:
        return pd.DataFrame(columns=_COLUMNS)
    sizes = [len(c["period"]) for c in parts]
    cols = {"policy": np.repeat(np.array([c["policy"] for c in parts], dtype=object), sizes)}
    for k in _COLUMNS[1:]:
        cols[k] = np.concatenate([c[k] for c in parts])
    return pd.DataFrame(cols)


def pooled_adoption_curve(study: object, policies: Sequence[str] | None = None, *,
                          units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Adoption curve pooled over policies, aligned on time since each policy's start.

    Counts (existing units, units at risk, new adoptions) are summed over policies at
    the same ``t`` (1 = each policy's first period); shares and the hazard are
    computed from the sums, so policies weigh by their number of units at risk.
    Policies whose axis is shorter than ``t`` drop out of later rows (``n_policies``).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": ["p", "q", "q"], "unit": ["A", "A", "B"],
    ...                   "period": [1, 1, 2]})
    >>> pooled_adoption_curve(a, units=2)[["t", "n_policies", "at_risk", "new", "hazard"]]
       t  n_policies  at_risk  new  hazard
    0  1           2        4    2     0.5
    1  2           2        2    1     0.5
    """
    c = adoption_curve(study, policies, units=units)
    g = c.groupby("t", sort=True).agg(n_policies=("policy", "nunique"), n_existing=("n_existing", "sum"),
                                      at_risk=("at_risk", "sum"), new=("new", "sum"))
    g["cumulative"] = g["new"].cumsum()
    with np.errstate(invalid="ignore", divide="ignore"):
        g["hazard"] = np.where(g["at_risk"] > 0, g["new"] / g["at_risk"], np.nan)
    return g.reset_index()

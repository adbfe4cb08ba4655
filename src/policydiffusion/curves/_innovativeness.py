"""Unit innovativeness across policies: Walker (1969) and Boehmke-Skinner (2012) scores."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion.curves._data import as_study, policy_list, policy_times_many
from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["walker_scores", "dynamic_innovativeness"]


def walker_scores(study: object, policies: str | Sequence[str] | None = None, *,
                  non_adopters: str = "exclude",
                  units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Walker's innovation score of every unit, averaged over policies.

    For policy ``p`` a unit's relative position is ``(T - first) / (last - first)``
    (0 for the first adopter, 1 for the last); the score is ``1 - position``, so
    early adopters score high, averaged over the policies counted for the unit.
    Policies whose first and last adoption share one period have no positions and
    are left out; their ids are in ``result.attrs["excluded"]``.

    Parameters
    ----------
    non_adopters
        ``"exclude"`` (default): a unit's average covers the policies it adopted;
        ``"zero"``: a policy the unit never adopted counts as 0 (as late as the last
        adopter or later) if the unit existed at some time in the policy's periods;
        a unit that did not (entered after its end or left before its start) could
        not adopt it, and the policy does not count for that unit.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``score``, ``n_policies`` (policies averaged), ``n_adopted``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": ["p", "p", "p", "q", "q"], "unit": list("ABCAC"),
    ...                   "period": [1, 3, 5, 2, 4]})
    >>> walker_scores(a, non_adopters="zero")
      unit  score  n_policies  n_adopted
    0    A   1.00           2          2
    1    B   0.25           2          1
    2    C   0.00           2          2
    """
    check_choice("non_adopters", non_adopters, ("exclude", "zero"))
    st = as_study(study, units=units)
    ids = st.unit_ids
    total = np.zeros(len(ids))
    count = np.zeros(len(ids), int)
    adopted = np.zeros(len(ids), int)
    excluded = []
    for pt in policy_times_many(st, policy_list(st, policies)):
        if pt.n_adopters == 0 or pt.first == pt.last:
            excluded.append(pt.policy)
            continue
        pos = (pt.adopt - pt.first) / (pt.last - pt.first)
        a = pt.adopted
        total[a] += 1 - pos[a]
        count[a] += 1
        adopted[a] += 1
        if non_adopters == "zero":
            count[~a & (pt.entry <= pt.end) & (pt.exit >= pt.start)] += 1
    with np.errstate(invalid="ignore"):
        out = pd.DataFrame({"unit": ids, "score": np.where(count > 0, total / np.maximum(count, 1), np.nan),
                            "n_policies": count, "n_adopted": adopted})
    out.attrs["excluded"] = {"first and last adoption in the same period (or no adoption)": excluded}
    return out


def dynamic_innovativeness(study: object, policies: str | Sequence[str] | None = None, *,
                           window: int = 1,
                           units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Boehmke-Skinner dynamic innovativeness of each unit in each period.

    ``score = adopted / available``: of the policies a unit could adopt in the
    period (the policy is open: from its opening, or first adoption anywhere,
    through its end; the unit exists and has not adopted it before), the share it
    adopted. With ``window = w`` numerator and denominator are summed over the
    periods ``t - w + 1 .. t`` (a moving window). ``std_error`` is the binomial
    ``sqrt(score (1 - score) / available)``, NaN where the score is 0 or 1: there this
    formula gives 0, a certainty that one period's few chances do not give.

    Returns
    -------
    pandas.DataFrame
        ``unit``, ``period``, ``adopted``, ``available``, ``score``, ``std_error``;
        unit-periods with nothing available are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": ["p", "p", "q"], "unit": ["A", "B", "B"], "period": [1, 2, 2]})
    >>> dynamic_innovativeness(a)[["unit", "period", "adopted", "available", "score"]]
      unit  period  adopted  available  score
    0    A       1        1          1    1.0
    1    A       2        0          1    0.0
    2    B       1        0          1    0.0
    3    B       2        2          2    1.0
    """
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise InvalidOptionError(f"window must be a positive whole number of periods; got {window!r}.")
    st = as_study(study, units=units)
    pts = policy_times_many(st, policy_list(st, policies))
    if not pts:
        return pd.DataFrame(columns=["unit", "period", "adopted", "available", "score", "std_error"])
    p0 = min(pt.start for pt in pts)
    p1 = max(pt.end for pt in pts)
    n_per = p1 - p0 + 1
    n_units = len(st.unit_ids)
    avail = np.zeros((n_units, n_per + 1))
    num = np.zeros((n_units, n_per))
    rows = np.arange(n_units)
    for pt in pts:
        lo = np.maximum(pt.entry, pt.start)
        hi = np.minimum(np.minimum(pt.exit, pt.end), np.where(pt.adopted, pt.adopt, np.inf))
        ok = lo <= hi
        np.add.at(avail, (rows[ok], (lo[ok] - p0).astype(int)), 1)
        np.add.at(avail, (rows[ok], (hi[ok] - p0 + 1).astype(int)), -1)
        a = pt.adopted
        np.add.at(num, (rows[a], (pt.adopt[a] - p0).astype(int)), 1)
    avail = np.cumsum(avail, axis=1)[:, :n_per]
    if window > 1:
        kernel = np.ones(window)
        avail = np.apply_along_axis(lambda r: np.convolve(r, kernel)[:n_per], 1, avail)
        num = np.apply_along_axis(lambda r: np.convolve(r, kernel)[:n_per], 1, num)
    uu, tt = np.nonzero(avail > 0)
    score = num[uu, tt] / avail[uu, tt]
    se = np.sqrt(score * (1 - score) / avail[uu, tt])
    se[(score == 0) | (score == 1)] = np.nan
    return pd.DataFrame({"unit": np.array(st.unit_ids, dtype=object)[uu], "period": tt + p0,
                         "adopted": num[uu, tt].astype(int), "available": avail[uu, tt].astype(int),
                         "score": score, "std_error": se})

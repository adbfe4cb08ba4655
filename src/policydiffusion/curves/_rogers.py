"""Rogers' diffusion process: take-off periods and adopter categories."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion.curves._curve import curve_columns
from policydiffusion.curves._data import PolicyTimes, as_study, policy_list, policy_times_many
from policydiffusion.errors import check_choice

__all__ = ["takeoff", "adopter_categories", "CATEGORIES"]

#: Rogers' five adopter categories in order, plus the label for units that never adopt.
CATEGORIES = ("innovators", "early adopters", "early majority", "late majority", "laggards")


def takeoff(study: object, policy: str | Sequence[str] | None = None, *,
            thresholds: tuple[float, float] = (0.10, 0.25), basis: str = "units",
            fit: str | None = "mle", units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Take-off of each policy: when the cumulative share reaches 10% and 25%.

    Parameters
    ----------
    study, policy, units
        As for :func:`adoption_curve`.
    thresholds
        The two cumulative shares marking take-off; default 10% and 25%.
    basis
        ``"units"``: share of existing units (``cumulative_share``);
        ``"adopters"``: share of the policy's eventual adopters (``adopter_share``).
    fit
        ``"mle"`` or ``"nls"`` to add the fitted logistic curve's inflection period,
        or ``None`` to skip the fit.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``first_period``, ``takeoff_period`` (first period whose share
        reaches the first threshold, i.e. ``>=``), ``period_25`` (first period
        reaching the second threshold; the column is named after it, e.g.
        ``period_25`` for 0.25), ``inflection_period`` (fitted logistic midpoint
        in calendar periods, fractional; NaN when not fitted or no fit), ``basis``,
        ``status``. A threshold never reached gives a missing period (``<NA>``).
        ``status`` is ``"ok"``; ``"not reached"`` (the share never reaches the first
        threshold); or ``"at first adoption"``: the first adoption period already
        reaches it, so there is no slow start to take off from and ``takeoff_period``
        is missing (it would only repeat ``first_period``).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "period": [1, 2, 3, 3, 5]})
    >>> takeoff(a, units=20, fit=None)[["first_period", "takeoff_period", "period_25", "status"]]
       first_period  takeoff_period  period_25 status
    0             1               2          5     ok
    """
    check_choice("basis", basis, ("units", "adopters"))
    if fit is not None:
        check_choice("fit", fit, ("mle", "nls"))
    st = as_study(study, units=units)
    col_hi = f"period_{round(thresholds[1] * 100):d}"
    rows = []
    for pt in policy_times_many(st, policy_list(st, policy)):
        c = curve_columns(pt)
        row = takeoff_row(pt, c, thresholds=thresholds, basis=basis)
        if fit is not None and c["new"].sum() > 0:
            from policydiffusion.curves._fit import fit_curves
            from policydiffusion.errors import ConvergenceError

            try:
                row["inflection_period"] = fit_curves(st, pt.policy, models=("logistic",), method=fit)[
                    "logistic"].derived["inflection_period"][0]
            except ConvergenceError:
                pass
        rows.append(row)
    out = pd.DataFrame(rows, columns=["policy", "first_period", "takeoff_period", col_hi,
                                      "inflection_period", "basis", "status"])
    for col in ("first_period", "takeoff_period", col_hi):
        out[col] = out[col].astype("Int64")
    return out


def takeoff_row(pt: PolicyTimes, curve: dict[str, np.ndarray], *,
                thresholds: tuple[float, float] = (0.10, 0.25), basis: str = "units") -> dict:
    """One policy's :func:`takeoff` row (no inflection: NaN) from its
    :func:`~policydiffusion.curves._curve.curve_columns`; periods are ints or None.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves._data import policy_times
    >>> s = as_study(pd.DataFrame({"policy": "p", "unit": list("AB"), "period": [1, 3]}), units=20)
    >>> pt = policy_times(s, "p")
    >>> row = takeoff_row(pt, curve_columns(pt))
    >>> row["takeoff_period"], row["period_25"], row["status"]
    (3, None, 'ok')
    >>> s = as_study(pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 1, 3]}), units=10)
    >>> row = takeoff_row(policy_times(s, "p"), curve_columns(policy_times(s, "p")))
    >>> row["takeoff_period"], row["period_25"], row["status"]
    (None, 3, 'at first adoption')
    """
    lo, hi = thresholds
    share = curve["cumulative_share" if basis == "units" else "adopter_share"]
    per = curve["period"]
    # a share is a ratio of whole numbers (5 / 50 is the same double as 0.10); the slack
    # keeps 3 / 10 at a threshold computed as 0.1 * 3 (0.30000000000000004)
    hit_lo = np.nonzero(share >= lo - 1e-12)[0]
    hit_hi = np.nonzero(share >= hi - 1e-12)[0]
    status = "ok" if hit_lo.size else "not reached"
    if hit_lo.size and pt.first is not None and per[hit_lo[0]] <= pt.first:
        status = "at first adoption"
    return {"policy": pt.policy, "first_period": pt.first,
            "takeoff_period": int(per[hit_lo[0]]) if status == "ok" else None,
            f"period_{round(hi * 100):d}": int(per[hit_hi[0]]) if hit_hi.size else None,
            "inflection_period": np.nan, "basis": basis, "status": status}


def takeoff_text(row: dict, *, thresholds: tuple[float, float] = (0.10, 0.25)) -> str:
    """The take-off of a :func:`takeoff_row` in words: the period, or why there is none.

    Examples
    --------
    >>> takeoff_text({"takeoff_period": None, "status": "at first adoption", "first_period": 1990})
    'none (10% reached in the first adoption period, 1990: no slow start to take off from)'
    """
    lo = f"{thresholds[0]:.0%}"
    if row.get("status") == "at first adoption":
        return (f"none ({lo} reached in the first adoption period, {row['first_period']}: "
                "no slow start to take off from)")
    if row.get("status") == "not reached":
        return f"none ({lo} never reached)"
    return str(row.get("takeoff_period"))


def adopter_categories(study: object, policy: str | Sequence[str] | None = None, *,
                       ddof: int = 1, units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Rogers' adopter category of every unit, from the mean and sd of adoption times.

    With ``m`` and ``s`` the mean and standard deviation of the adopters' adoption
    periods (``ddof=1``, as R's ``sd``, by default), lower bounds are inclusive:
    innovators ``T < m - 2s``; early adopters ``m - 2s <= T < m - s``; early majority
    ``m - s <= T < m``; late majority ``m <= T < m + s``; laggards ``T >= m + s``.
    Units that do not adopt by the end are ``"non-adopter"``. When every adopter
    adopts in the same period (``s = 0``), or there are fewer than three adopters, the
    categories are undefined and adopters get ``"undetermined"`` (and no ``z``): two
    adoption times are always ``m -+ s / sqrt(2)`` (``m -+ s`` with ``ddof=0``), so
    their categories would follow from the arithmetic, whatever the times.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``unit``, ``period`` (NaN for non-adopters), ``z`` = (T - m) / s,
        ``category``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"policy": "p", "unit": list("ABCDEF"), "period": [1, 5, 5, 6, 6, 9]})
    >>> adopter_categories(a, units=7)["category"].tolist()
    ['early adopters', 'early majority', 'early majority', 'late majority', 'late majority', 'laggards', 'non-adopter']
    """
    st = as_study(study, units=units)
    return category_frame([category_columns(pt, ddof=ddof)
                           for pt in policy_times_many(st, policy_list(st, policy))])


def category_columns(pt: PolicyTimes, *, ddof: int = 1) -> dict[str, np.ndarray]:
    """One policy's :func:`adopter_categories` as arrays (``policy`` a scalar).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves._data import policy_times
    >>> s = as_study(pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 2, 2]}), units=4)
    >>> category_columns(policy_times(s, "p"))["category"].tolist()
    ['early adopters', 'late majority', 'late majority', 'non-adopter']
    """
    T = pt.adopt
    adopted = pt.adopted
    cat = np.full(T.size, "non-adopter", dtype=object)
    z = np.full(T.size, np.nan)
    if adopted.sum() >= max(3, 1 + ddof):
        m = T[adopted].mean()
        s = T[adopted].std(ddof=ddof)
    else:
        m, s = np.nan, 0.0
    if s > 0:
        z[adopted] = (T[adopted] - m) / s
        edges = np.array([m - 2 * s, m - s, m, m + s])
        # searchsorted 'right' puts T == edge in the upper class (inclusive lower bounds)
        k = np.searchsorted(edges, T[adopted], side="right")
        cat[adopted] = np.array(CATEGORIES, dtype=object)[k]
    else:
        cat[adopted] = "undetermined"
    return {"policy": pt.policy, "unit": pt.units, "period": T, "z": z, "category": cat}


def category_frame(parts: Sequence[dict[str, np.ndarray]]) -> pd.DataFrame:
    """Stack :func:`category_columns` results into one frame.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves._data import policy_times
    >>> s = as_study(pd.DataFrame({"policy": "p", "unit": ["A"], "period": [1]}), units=2)
    >>> category_frame([category_columns(policy_times(s, "p"))])["unit"].tolist()
    ['A', '_unit_1']
    """
    sizes = [len(c["period"]) for c in parts]
    return pd.DataFrame({
        "policy": np.repeat(np.array([c["policy"] for c in parts], dtype=object), sizes),
        "unit": np.array([u for c in parts for u in c["unit"]], dtype=object),
        "period": np.concatenate([c["period"] for c in parts]) if parts else np.zeros(0),
        "z": np.concatenate([c["z"] for c in parts]) if parts else np.zeros(0),
        "category": np.concatenate([c["category"] for c in parts]) if parts else np.zeros(0, object),
    })


def category_counts(category: np.ndarray) -> dict[str, int]:
    """Units per category, most frequent first (ties in order of first appearance, as
    pandas' ``value_counts``).

    Examples
    --------
    >>> category_counts(np.array(["laggards", "innovators", "laggards", "non-adopter"], dtype=object))
    {'laggards': 2, 'innovators': 1, 'non-adopter': 1}
    """
    counts: dict[str, int] = {}
    for c in category:
        counts[c] = counts.get(c, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))

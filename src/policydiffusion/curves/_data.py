"""Input handling shared by the curves modules: a Study (or a plain adoptions table)
to per-policy arrays of adoption periods, unit entry/exit and the policy's time axis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.study import Study, load_study

__all__ = ["as_study", "PolicyTimes", "policy_times", "policy_times_many", "policy_list"]


def as_study(data: object, *, units: int | Sequence[str] | None = None) -> Study:
    """A :class:`~policydiffusion.study.Study` from a Study or a plain adoptions table.

    A table needs columns ``policy``, ``unit`` and ``period`` (integer periods). Units
    that never adopt are unknown to a bare table, so pass ``units``: either the list of
    all unit ids, or their number (non-adopting units are then added as ``_unit_1``,
    ``_unit_2``, ...). Without ``units`` the units are the adopters only, which makes
    every cumulative share end at 100%.

    Examples
    --------
    >>> import pandas as pd
    >>> s = as_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
    ...                            "period": [1, 3]}), units=4)
    >>> s.n_units, s.start, s.end
    (4, 1, 3)
    """
    if isinstance(data, Study):
        if units is not None:
            raise InvalidOptionError("units= is only for plain adoption tables; a Study "
                                     "already has its units table.")
        return data
    if isinstance(data, pl.DataFrame):
        data = data.to_pandas()
    if not isinstance(data, pd.DataFrame):
        raise InvalidOptionError(f"expected a Study or a DataFrame with columns policy, unit, "
                                 f"period; got {type(data).__name__}.")
    missing = [c for c in ("policy", "unit", "period") if c not in data.columns]
    if missing:
        raise InvalidOptionError(f"the adoptions table lacks column(s) {missing}; it needs "
                                 f"policy, unit and period (got {list(data.columns)}).")
    adopt = data[["policy", "unit", "period"]].copy()
    adopt["unit"] = adopt["unit"].astype(str)
    unit_table = None
    if units is not None:
        adopters = list(dict.fromkeys(adopt["unit"]))
        if isinstance(units, (int, np.integer)):
            if units < len(adopters):
                raise InvalidOptionError(f"units={units} but {len(adopters)} different units "
                                         "adopt; pass the number of all units (adopters and "
                                         "non-adopters) or their ids.")
            ids = adopters + [f"_unit_{i + 1}" for i in range(int(units) - len(adopters))]
        else:
            ids = [str(u) for u in units]
        unit_table = pd.DataFrame({"unit": ids})
    return load_study(adopt, units=unit_table, time_col="period", granularity="period")


def policy_list(study: Study, policies: str | Sequence[str] | None) -> list[str]:
    """Policy ids to work on: all of the study's when ``None``; unknown ids raise."""
    if policies is None:
        return study.policy_ids
    if isinstance(policies, str):
        policies = [policies]
    known = set(study.policy_ids)
    for p in policies:
        if p not in known:
            study.policy_window(p)  # raises InvalidOptionError naming the unknown id
    return list(policies)


@dataclass(frozen=True)
class PolicyTimes:
    """One policy's timing data, aligned with the study's units.

    ``adopt`` holds each unit's adoption period (NaN: did not adopt by ``end``);
    ``entry`` / ``exit`` are the units' first and last existing periods (-inf / +inf
    when open). The policy's time axis runs from ``start`` (its opening period if
    given, else its first adoption, else the study start) to ``end``.
    """

    policy: str
    units: tuple[str, ...]
    adopt: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    level: np.ndarray
    start: int
    end: int

    @property
    def adopted(self) -> np.ndarray:
        return ~np.isnan(self.adopt)

    @property
    def n_adopters(self) -> int:
        return int(self.adopted.sum())

    @property
    def first(self) -> int | None:
        return int(np.nanmin(self.adopt)) if self.n_adopters else None

    @property
    def last(self) -> int | None:
        return int(np.nanmax(self.adopt)) if self.n_adopters else None

    @property
    def periods(self) -> np.ndarray:
        return np.arange(self.start, self.end + 1)

    def existing(self, period: int) -> np.ndarray:
        """Units that exist in ``period``."""
        return (self.entry <= period) & (self.exit >= period)

    def counts(self) -> dict[str, np.ndarray]:
        """Per period of the axis: units existing, at risk, new and cumulative adopters."""
        per = self.periods
        a = self.adopt
        existing = (self.entry[None, :] <= per[:, None]) & (self.exit[None, :] >= per[:, None])
        before = np.where(np.isnan(a), np.inf, a)[None, :] < per[:, None]
        new = (a[None, :] == per[:, None]).sum(axis=1)
        at_risk = (existing & ~before).sum(axis=1)
        cum_existing = (existing & (np.where(np.isnan(a), np.inf, a)[None, :] <= per[:, None])).sum(axis=1)
        return {"period": per, "n_existing": existing.sum(axis=1), "at_risk": at_risk,
                "new": new, "cumulative": np.cumsum(new), "cumulative_existing": cum_existing}


def policy_times(study: Study, policy: str) -> PolicyTimes:
    """Collect one policy's adoption periods and the units' entry/exit as arrays.

    Examples
    --------
    >>> import pandas as pd
    >>> pt = policy_times(as_study(pd.DataFrame({"policy": "p", "unit": ["A", "B"],
    ...                                          "period": [3, 1]}), units=3), "p")
    >>> pt.adopt.tolist(), pt.start, pt.end
    ([3.0, 1.0, nan], 1, 3)
    """
    return policy_times_many(study, [policy])[0]


def policy_times_many(study: Study, policies: Sequence[str]) -> list[PolicyTimes]:
    """:func:`policy_times` of each policy, from one pass over the adoptions table.

    The units' ``entry`` / ``exit`` arrays are shared by all results (read-only).

    Examples
    --------
    >>> import pandas as pd
    >>> s = as_study(pd.DataFrame({"policy": ["p", "q", "q"], "unit": ["A", "A", "B"],
    ...                            "period": [2, 1, 3]}), units=3)
    >>> [(pt.policy, pt.n_adopters, pt.start) for pt in policy_times_many(s, ["q", "p"])]
    [('q', 2, 1), ('p', 1, 2)]
    """
    ids = list(dict.fromkeys(policies))
    windows = _windows(study, ids)
    units = study.unit_ids
    n = len(units)
    idx = {u: i for i, u in enumerate(units)}
    pos = {p: i for i, p in enumerate(ids)}
    rows = study.adoptions.filter(pl.col("policy").is_in(ids))
    pcode = np.array([pos[p] for p in rows.get_column("policy").to_list()], dtype=np.intp)
    ucode = np.array([idx[u] for u in rows.get_column("unit").to_list()], dtype=np.intp)
    per = rows.get_column("period").cast(pl.Float64).to_numpy()
    lvl = rows.get_column("level").cast(pl.Float64).to_numpy()  # null -> NaN
    ends = np.array([end for _, end in windows], float)
    late = per > ends[pcode] if pcode.size else np.zeros(0, bool)
    keep = ~late
    adopt = np.full((len(ids), n), np.nan)
    level = np.full((len(ids), n), np.nan)
    adopt[pcode[keep], ucode[keep]] = per[keep]
    level[pcode[keep], ucode[keep]] = lvl[keep]
    n_late = np.bincount(pcode[late], minlength=len(ids))
    entry = np.array([-np.inf if v is None else v for v in study.units.get_column("entry")], float)
    exit_ = np.array([np.inf if v is None else v for v in study.units.get_column("exit")], float)
    entry.flags.writeable = exit_.flags.writeable = False  # shared by every policy's result
    unit_tuple = tuple(units)
    done = {}
    for i, p in enumerate(ids):
        opening, end = windows[i]
        if n_late[i]:
            _warn_late(p, int(n_late[i]), end)
        a = adopt[i]
        any_adopt = np.isfinite(a).any()
        if opening is not None:
            start = int(opening)
        elif any_adopt:
            start = int(np.nanmin(a))
        else:
            start = int(study.start)
        if any_adopt:
            start = min(start, int(np.nanmin(a)))
        done[p] = PolicyTimes(p, unit_tuple, a, entry, exit_, level[i], start, int(max(end, start)))
    return [done[p] for p in policies]


def _windows(study: Study, ids: Sequence[str]) -> list[tuple[int | None, int]]:
    """(opening, end) of each policy as :meth:`Study.policy_window` gives it, read
    from the policies table once (a filter per policy costs a millisecond)."""
    pol = study.policies
    table = dict(zip(pol.get_column("policy").to_list(),
                     zip(pol.get_column("opening").to_list(), pol.get_column("end").to_list())))
    out = []
    for p in ids:
        if p not in table:
            study.policy_window(p)  # raises the study's own error for an unknown id
        opening, end = table[p]
        out.append((opening, study.end if end is None else min(int(end), study.end)))
    return out


def _warn_late(policy: str, late: int, end: int) -> None:
    from policydiffusion._warnings import warn
    from policydiffusion.errors import CensoredAdoptionWarning

    warn(CensoredAdoptionWarning(
        f"policy {policy!r}: {late} adoption(s) after the policy's end period {end} are "
        "treated as non-adoptions (censored at the end).", policy=policy, count=late,
        end=end))

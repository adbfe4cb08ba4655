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

__all__ = ["as_study", "PolicyTimes", "policy_times", "policy_list"]


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
    for p in policies:
        study.policy_window(p)  # raises InvalidOptionError for unknown ids
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
    """Collect one policy's adoption periods and the units' entry/exit as arrays."""
    opening, end = study.policy_window(policy)
    units = study.unit_ids
    idx = {u: i for i, u in enumerate(units)}
    adopt = np.full(len(units), np.nan)
    level = np.full(len(units), np.nan)
    rows = study.adoptions_of(policy)
    late = 0
    for u, per, lvl in zip(rows.get_column("unit"), rows.get_column("period"), rows.get_column("level")):
        if per <= end:
            adopt[idx[u]] = per
            level[idx[u]] = np.nan if lvl is None else lvl
        else:
            late += 1
    if late:
        from policydiffusion._warnings import warn
        from policydiffusion.errors import CensoredAdoptionWarning

        warn(CensoredAdoptionWarning(
            f"policy {policy!r}: {late} adoption(s) after the policy's end period {end} are "
            "treated as non-adoptions (censored at the end).", policy=policy, count=late,
            end=end))
    entry = np.array([-np.inf if v is None else v for v in study.units.get_column("entry")], float)
    exit_ = np.array([np.inf if v is None else v for v in study.units.get_column("exit")], float)
    if opening is not None:
        start = int(opening)
    elif np.isfinite(adopt).any():
        start = int(np.nanmin(adopt))
    else:
        start = int(study.start)
    if np.isfinite(adopt).any():
        start = min(start, int(np.nanmin(adopt)))
    return PolicyTimes(policy, tuple(units), adopt, entry, exit_, level, start, int(max(end, start)))
